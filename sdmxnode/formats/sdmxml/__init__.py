"""SDMX-ML namespaces, version detection and safe XML parsing (no entities, DTDs or network)."""

from __future__ import annotations

import re

from lxml import etree

from sdmxnode.errors import Invalid

NS21 = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
NS30 = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
#: SDMX-ML 3.1 (SDMX 3.1): the 3.0 vocabulary in its own namespaces.
NS31 = {k: v.replace("/v3_0/", "/v3_1/") for k, v in NS30.items()}
NAMESPACES = {"2.1": NS21, "3.0": NS30, "3.1": NS31}
MESSAGE_NS_VERSION = {ns["mes"]: version for version, ns in NAMESPACES.items()}

#: The message namespace of every SDMX-ML version (1.0 and 2.0 spell it `SDMX.org/.../SDMXML`).
_ANY_MESSAGE_NS = re.compile(
    r"http://www\.sdmx\.org/resources/sdmxml/schemas/v(\d+)_(\d+)/message", re.IGNORECASE
)

#: Bounds on what one XML document may hold.
MAX_DEPTH = 256
#: Most XML attributes one element may carry (SDMX-ML elements have a handful; thousands
#: make schema validation hold one error object per attribute).
MAX_ATTRIBUTES = 2000


def safe_parser(**kwargs: object) -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=bool(kwargs.get("remove_blank_text", False)),
    )


def parse_xml(data: bytes, *, what: str = "message") -> etree._ElementTree:
    """Parse `data` safely; any DOCTYPE (entity and DTD attacks) or malformed XML is refused."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"the {what} is not well-formed XML: {exc.msg}", where=_where(exc)) from exc
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise Invalid(f"the {what} has a DOCTYPE declaration, which SDMX-ML never needs")
    depth = _depth(tree.getroot())
    if depth > MAX_DEPTH:
        raise Invalid(f"the {what} is nested {depth} levels deep (limit {MAX_DEPTH})")
    for element in tree.iter():
        if len(element.attrib) > MAX_ATTRIBUTES:
            raise Invalid(
                f"the {what} has an element with more than {MAX_ATTRIBUTES} attributes",
                where=f"line {element.sourceline}",
            )
    return tree


def _where(exc: etree.XMLSyntaxError) -> str | None:
    if exc.position:
        line, column = exc.position
        return f"line {line}, column {column}"
    return None


def _depth(root: etree._Element) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in element)
    return deepest


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (shown as U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text)


def canonical_xml(xml: bytes) -> bytes:
    """An SDMX-ML element as C14N 2.0 with prefixes rewritten and whitespace-only text left
    out, comments dropped: equal for the same artefact however a server re-serialised it
    (other prefixes, another indentation, attributes in another order)."""
    element = etree.fromstring(xml, safe_parser())
    return etree.canonicalize(element, strip_text=True, rewrite_prefixes=True).encode("utf-8")


def supported_versions() -> str:
    """The SDMX-ML versions the node reads, for messages: '2.1, 3.0 or 3.1'."""
    versions = sorted(NAMESPACES)
    return " or ".join((", ".join(versions[:-1]), versions[-1])) if versions[1:] else versions[0]


def unsupported_message(
    namespace: str | None, localname: str, *, source: str | None = None, kind: str = ""
) -> str:
    """Why a root element in `namespace` is not a message the node reads, in plain words:
    "SDMX-ML 2.0 is not supported: send SDMX-ML 2.1, 3.0 or 3.1" for another SDMX-ML version,
    else that `source` (the file) is not an SDMX-ML message (of `kind`, e.g. 'data'),
    naming its root element and namespace."""
    match = _ANY_MESSAGE_NS.fullmatch(namespace or "")
    if match is not None and f"{match[1]}.{match[2]}" not in NAMESPACES:
        return (
            f"SDMX-ML {match[1]}.{match[2]} is not supported: send SDMX-ML {supported_versions()}"
        )
    subject = f"{source} is not" if source else "not"
    message = f"{kind} message" if kind else "message"
    return (
        f"{subject} an SDMX-ML {supported_versions()} {message}: root element "
        f"{localname!r} in namespace {namespace!r}"
    )


def message_version(root: etree._Element) -> str:
    """'2.1', '3.0' or '3.1', from the namespace of the message element."""
    qname = etree.QName(root)
    version = MESSAGE_NS_VERSION.get(qname.namespace or "")
    if version is None:
        raise Invalid(unsupported_message(qname.namespace, qname.localname), where="line 1")
    return version
