"""What the SDMX-ML 2.1 and 3.0 generic metadata writers share: message root and header
parts, texts and XHTML, and the split of a set's targets into URNs and the rest.

Metadata sets are small (tens of attributes per report), so the writers build each set as an
lxml element and serialise the message set by set.

XHTML (`com:StructuredText`) is written as XHTML elements, as agencies publish it (Eurostat's
ESMS reports) and as clients render it. The official 2.1 and 3.0 XSDs declare that content
as `xs:any` from the XHTML namespace with `processContents="strict"` but ship no XHTML
schema, so a validator reports each XHTML element as undeclared; the node's schema check
(`sdmxnode.validation.schema`) sets those reports aside and its metadata rules check the
XHTML instead (well-formed, no script). Markup that does not parse (text from a message
that carried plain text) is written inside an XHTML `div`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml import xml_text
from sdmxnode.refs import ArtefactRef

log = logging.getLogger(__name__)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """A child element of `parent` (text cleaned of what XML 1.0 cannot carry)."""
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def add_texts(parent: etree._Element, tag: str, texts: Sequence[tuple[str, str]]) -> None:
    """One `tag` element per (language, text), each language once (the schemas' unique keys)."""
    seen: set[str] = set()
    for lang, value in texts:
        if lang in seen:
            continue
        seen.add(lang)
        sub(parent, tag, value).set(XML_LANG, lang or "en")


XHTML_NS = "http://www.w3.org/1999/xhtml"
_XHTML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def add_xhtml(parent: etree._Element, tag: str, texts: Sequence[tuple[str, str]]) -> None:
    """One `tag` element per (language, XHTML markup), its content as XHTML elements."""
    seen: set[str] = set()
    for lang, markup in texts:
        if lang in seen:
            continue
        seen.add(lang)
        element = sub(parent, tag)
        element.set(XML_LANG, lang or "en")
        for child in _xhtml_elements(markup):
            element.append(child)


def _xhtml_elements(markup: str) -> list[etree._Element]:
    wrapped = f'<wrap xmlns="{XHTML_NS}">{markup}</wrap>'
    try:
        root = etree.fromstring(wrapped.encode("utf-8"), _XHTML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if (
        root is None
        or (root.text or "").strip()
        or any((child.tail or "").strip() for child in root)
    ):
        div = etree.Element(f"{{{XHTML_NS}}}div", nsmap={None: XHTML_NS})
        if root is None:
            div.text = xml_text(markup)
        else:  # loose text around elements: keep it all inside one div
            div.text = root.text
            div.extend(list(root))
        return [div]
    return [child for child in root if isinstance(child.tag, str)]


def prepared(header: MessageHeader) -> str:
    """The header's Prepared time (now, when it has none), to the second."""
    return (header.prepared or datetime.now(UTC)).replace(microsecond=0).isoformat()


def header_start(mes: str, header: MessageHeader) -> etree._Element:
    """`mes:Header` with ID, Test, Prepared and Sender."""
    element = etree.Element(f"{{{mes}}}Header")
    sub(element, f"{{{mes}}}ID", header.id)
    sub(element, f"{{{mes}}}Test", "true" if header.test else "false")
    sub(element, f"{{{mes}}}Prepared", prepared(header))
    sub(element, f"{{{mes}}}Sender", id=header.sender)
    return element


def serialise_message(
    root_tag: str, nsmap: dict[str, str], header: etree._Element, sets: Iterator[etree._Element]
) -> Iterator[bytes]:
    """The message in chunks: the root and header first, then one chunk per set element.

    Each set is serialised inside a copy of the root so that it uses the root's prefixes."""
    root = etree.Element(root_tag, nsmap=nsmap)
    root.append(header)
    text = etree.tostring(root, encoding="unicode")
    end = text.rindex("</")
    yield ("<?xml version='1.0' encoding='UTF-8'?>\n" + text[:end]).encode("utf-8")
    root.remove(header)
    for element in sets:
        root.append(element)
        piece = etree.tostring(element, encoding="unicode")
        root.remove(element)
        yield piece.encode("utf-8")
    yield text[end:].encode("utf-8")


def structure_id(ref: ArtefactRef) -> str:
    """The `structureID` the header gives a structure (an xs:ID)."""
    raw = f"{ref.type}_{ref.agency_id}_{ref.id}_{ref.version}"
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in raw)
