"""Shared SDMX-ML 3.x building blocks: namespaces, names, annotations, maintainables, formats.

One writer serves SDMX-ML 3.0 and 3.1: `writing_version(version)` sets, for the artefacts
written inside it, the namespaces (`qname`) and the few rules that differ between the two
schemas (`is_31`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from lxml import etree
from sdmx.model import common

from sdmxnode.formats.sdmxml.structure30.references import format_version, urn_for

log = logging.getLogger(__name__)

NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
XML_LANG = f"{{{NS['xml']}}}lang"
#: The namespaces of each SDMX-ML 3.x version this writer speaks.
VERSION_NAMESPACES: dict[str, dict[str, str]] = {
    "3.0": NS,
    "3.1": {k: v.replace("/v3_0/", "/v3_1/") for k, v in NS.items()},
}
_VERSION: ContextVar[str] = ContextVar("sdmxml_structure_version", default="3.0")


@contextmanager
def writing_version(version: str) -> Iterator[dict[str, str]]:
    """Write SDMX-ML `version` ('3.0' or '3.1') inside the block; yields its namespaces."""
    if version not in VERSION_NAMESPACES:
        raise ValueError(f"no SDMX-ML {version} structure writer")
    token = _VERSION.set(version)
    try:
        yield VERSION_NAMESPACES[version]
    finally:
        _VERSION.reset(token)


def current_version() -> str:
    """The SDMX-ML version being written ('3.0' outside `writing_version`)."""
    return _VERSION.get()


def is_31() -> bool:
    """Whether SDMX-ML 3.1 is being written."""
    return _VERSION.get() == "3.1"


#: Data types a context of the 3.0 XSD does not accept (common:DataType restrictions).
NOT_BASIC = {"KeyValues", "IdentifiableReference", "DataSetReference"}
NOT_SIMPLE = NOT_BASIC | {"XHTML"}
TIME_TYPES = {
    "ObservationalTimePeriod",
    "StandardTimePeriod",
    "BasicTimePeriod",
    "GregorianTimePeriod",
    "GregorianYear",
    "GregorianYearMonth",
    "GregorianDay",
    "ReportingTimePeriod",
    "ReportingYear",
    "ReportingSemester",
    "ReportingTrimester",
    "ReportingQuarter",
    "ReportingMonth",
    "ReportingWeek",
    "ReportingDay",
    "DateTime",
    "TimeRange",
}
#: sdmx1 FacetValueType names whose SDMX-ML 3.0 spelling is not the capitalised name.
TEXT_TYPE_SPELLING = {"uri": "URI", "timesRange": "TimeRange", "Xhtml": "XHTML"}
#: FacetType fields -> TextFormat attributes, in a stable order.
FACET_ATTRIBUTES = (
    ("is_sequence", "isSequence"),
    ("interval", "interval"),
    ("start_value", "startValue"),
    ("end_value", "endValue"),
    ("time_interval", "timeInterval"),
    ("start_time", "startTime"),
    ("end_time", "endTime"),
    ("min_length", "minLength"),
    ("max_length", "maxLength"),
    ("min_value", "minValue"),
    ("max_value", "maxValue"),
    ("decimals", "decimals"),
    ("pattern", "pattern"),
)
#: Facets CodedTextFormatType (EnumerationFormat) and time formats accept.
CODED_FACETS = {
    "isSequence",
    "interval",
    "startValue",
    "endValue",
    "timeInterval",
    "startTime",
    "endTime",
    "minLength",
    "maxLength",
    "minValue",
    "maxValue",
    "pattern",
}
TIME_FACETS = {"startTime", "endTime"}
#: Text types CodedTextFormatType (EnumerationFormat) accepts (structure:CodeDataType).
CODE_TYPES = (TIME_TYPES - {"DateTime", "TimeRange"}) | {
    "String",
    "Alpha",
    "AlphaNumeric",
    "Numeric",
    "BigInteger",
    "Integer",
    "Long",
    "Short",
    "Boolean",
    "URI",
    "Count",
    "InclusiveValueRange",
    "ExclusiveValueRange",
    "Incremental",
    "Month",
    "MonthDay",
    "Day",
    "Duration",
}


def qname(tag: str) -> str:
    """Clark notation for a prefixed tag such as ``str:Code``."""
    prefix, local = tag.split(":")
    return f"{{{VERSION_NAMESPACES[_VERSION.get()][prefix]}}}{local}"


def element(tag: str, text: str | None = None, **attrib: Any) -> etree._Element:
    """A new element; attributes whose value is None are left out, booleans spelt in XML."""
    elem = etree.Element(qname(tag))
    for key, value in attrib.items():
        if value is None:
            continue
        elem.set(key, str(value).lower() if isinstance(value, bool) else str(value))
    if text is not None:
        elem.text = text
    return elem


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: Any) -> etree._Element:
    """Append a new child element to `parent` and return it."""
    child = element(tag, text, **attrib)
    parent.append(child)
    return child


def add_text(parent: etree._Element, tag: str, value: common.InternationalString | None) -> int:
    """Append one `tag` element per localisation of `value`; return how many were written."""
    count = 0
    for lang, text in sorted((value.localizations if value else {}).items()):
        child = sub(parent, tag, str(text))
        if lang:
            child.set(XML_LANG, lang)
        count += 1
    return count


def add_annotations(parent: etree._Element, obj: common.AnnotableArtefact) -> None:
    """Append com:Annotations (SDMX-ML 3.0 common:AnnotationType order) when `obj` has any."""
    if not obj.annotations:
        return
    container = sub(parent, "com:Annotations")
    for annotation in obj.annotations:
        elem = sub(container, "com:Annotation", id=annotation.id)
        if annotation.title:
            sub(elem, "com:AnnotationTitle", annotation.title)
        if annotation.type:
            sub(elem, "com:AnnotationType", annotation.type)
        if annotation.url:
            sub(elem, "com:AnnotationURL", str(annotation.url))
        add_text(elem, "com:AnnotationText", annotation.text)
        value = getattr(annotation, "value", None)
        if value:
            sub(elem, "com:AnnotationValue", str(value))


def add_names(parent: etree._Element, obj: common.NameableArtefact) -> None:
    """Append com:Name(s) and com:Description(s).

    The 3.0 XSD requires at least one Name; an object read without one (typically an
    external-reference stub) is given its id as English name.
    """
    if not add_text(parent, "com:Name", obj.name):
        child = sub(parent, "com:Name", obj.id)
        child.set(XML_LANG, "en")
    add_text(parent, "com:Description", obj.description)


def nameable_element(tag: str, obj: common.NameableArtefact, **attrib: Any) -> etree._Element:
    """The element of a nameable object: attributes, Annotations, Names, Descriptions."""
    elem = element(tag, id=obj.id, **attrib)
    add_annotations(elem, obj)
    add_names(elem, obj)
    return elem


def maintainable_element(
    tag: str, obj: common.MaintainableArtefact, *, versioned: bool = True, **attrib: Any
) -> etree._Element:
    """The element of a maintainable artefact with its common attributes and children."""
    try:
        urn = urn_for(obj)
    except ValueError:
        urn = None
    elem = nameable_element(
        tag,
        obj,
        urn=urn,
        agencyID=getattr(obj.maintainer, "id", None),
        version=format_version(obj) if versioned else None,
        validFrom=_date_time(obj.valid_from),
        validTo=_date_time(obj.valid_to),
        isExternalReference=True if obj.is_external_reference else None,
        serviceURL=obj.service_url,
        structureURL=obj.structure_url,
        **attrib,
    )
    return elem


def _date_time(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def add_reference(parent: etree._Element, tag: str, target: object) -> bool:
    """Append `tag` holding the URN of `target`; log and return False when it has none."""
    try:
        sub(parent, tag, urn_for(target))
    except ValueError as exc:
        log.warning("Not writing %s: %s", tag, exc)
        return False
    return True


def text_type(facet: common.Facet) -> str | None:
    """The SDMX-ML spelling of a facet's value type (e.g. ``observationalTimePeriod``)."""
    if facet.value_type is None:
        return None
    name = facet.value_type.name
    return TEXT_TYPE_SPELLING.get(name, name[:1].upper() + name[1:])


def facet_attributes(facet: common.Facet) -> dict[str, str]:
    """The TextFormat attributes of `facet`, as read (strings) or typed values."""
    attrib: dict[str, str] = {}
    for field, name in FACET_ATTRIBUTES:
        value = getattr(facet.type, field, None)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            attrib[name] = str(value).lower()
        elif hasattr(value, "isoformat"):
            attrib[name] = value.isoformat()
        else:
            attrib[name] = str(value)
    return attrib


def add_representation(
    parent: etree._Element,
    tag: str,
    representation: common.Representation | None,
    *,
    context: str = "basic",
    extra: Iterable[tuple[str, Any]] = (),
) -> bool:
    """Append a CoreRepresentation/LocalRepresentation; False when nothing could be written.

    `context` names the XSD representation the place accepts: "basic" (concepts,
    attributes, measures), "simple" (dimensions), "time" (time dimension) or "metadata"
    (metadata attributes). Only "basic" accepts a ValueList as enumeration.
    """
    if representation is None:
        return False
    enumerated = representation.enumerated
    allowed = isinstance(enumerated, common.Codelist) or (
        context == "basic" and _is_value_list(enumerated)
    )
    if enumerated is not None and not allowed:
        log.warning(
            "Dropping enumeration by %s %r: not allowed there in SDMX-ML 3.0",
            type(enumerated).__name__,
            getattr(enumerated, "id", None),
        )
        enumerated = None
    elem = element(tag, **dict(extra))
    if enumerated is not None:
        try:
            sub(elem, "str:Enumeration", urn_for(enumerated))
        except ValueError as exc:
            log.warning("Dropping enumeration: %s", exc)
            enumerated = None
    facets = list(representation.non_enumerated)
    if enumerated is not None:
        if facets:
            sub(elem, "str:EnumerationFormat", **_filter_facets(facets[0], "coded"))
    elif facets:
        sub(elem, "str:TextFormat", **_filter_facets(facets[0], context))
    elif context == "time":
        sub(elem, "str:TextFormat", textType="ObservationalTimePeriod")
    else:
        return False
    parent.append(elem)
    return True


def _is_value_list(obj: object) -> bool:
    return type(obj).__name__ == "ValueList"


def _filter_facets(facet: common.Facet, context: str) -> dict[str, str]:
    """TextFormat attributes `context` accepts in the 3.0 XSD; others are logged and dropped."""
    attrib = facet_attributes(facet)
    kind = text_type(facet)
    if context == "coded":
        attrib = {k: v for k, v in attrib.items() if k in CODED_FACETS}
        kind = kind if kind in CODE_TYPES else None
    elif context == "time":
        attrib = {k: v for k, v in attrib.items() if k in TIME_FACETS}
        kind = kind if kind in TIME_TYPES else "ObservationalTimePeriod"
    elif kind in (NOT_SIMPLE if context == "simple" else NOT_BASIC):
        log.warning("Text type %s is not allowed here in SDMX-ML 3.0; writing String", kind)
        kind = "String"
    if kind:
        attrib = {"textType": kind, **attrib}
    return attrib
