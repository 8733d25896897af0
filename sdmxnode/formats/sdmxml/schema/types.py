"""Simple types of DSD-specific schemas: code lists as enumerations, text formats as XSD types.

SDMX 2.1 section 3B ("Structure Specific Schema", representation of components): an
enumerated component gets a simple type restricting xs:string to its codes; a non-enumerated
one the XML Schema type of its SDMX text type (section 3A, "Data Types").
"""

from __future__ import annotations

import logging
import re

from lxml import etree

from sdmxnode.formats.rows import Component

log = logging.getLogger(__name__)

XS = "http://www.w3.org/2001/XMLSchema"

#: SDMX text/value type (lower-cased) -> XML Schema type; 'common:' types are SDMX's own.
TEXT_TYPES = {
    "string": "xs:string",
    "alpha": "common:AlphaType",
    "alphanumeric": "common:AlphaNumericType",
    "numeric": "common:NumericType",
    "biginteger": "xs:integer",
    "integer": "xs:int",
    "long": "xs:long",
    "short": "xs:short",
    "decimal": "xs:decimal",
    "float": "xs:float",
    "double": "xs:double",
    "boolean": "xs:boolean",
    "uri": "xs:anyURI",
    "count": "xs:integer",
    "inclusivevaluerange": "xs:decimal",
    "exclusivevaluerange": "xs:decimal",
    "incremental": "xs:decimal",
    "observationaltimeperiod": "common:ObservationalTimePeriodType",
    "standardtimeperiod": "common:StandardTimePeriodType",
    "basictimeperiod": "common:BasicTimePeriodType",
    "gregoriantimeperiod": "common:GregorianTimePeriodType",
    "gregorianyear": "xs:gYear",
    "gregorianyearmonth": "xs:gYearMonth",
    "gregorianday": "xs:date",
    "reportingtimeperiod": "common:ReportingTimePeriodType",
    "reportingyear": "common:ReportingYearType",
    "reportingsemester": "common:ReportingSemesterType",
    "reportingtrimester": "common:ReportingTrimesterType",
    "reportingquarter": "common:ReportingQuarterType",
    "reportingmonth": "common:ReportingMonthType",
    "reportingweek": "common:ReportingWeekType",
    "reportingday": "common:ReportingDayType",
    "datetime": "xs:dateTime",
    "timerange": "common:TimeRangeType",
    "month": "xs:gMonth",
    "monthday": "xs:gMonthDay",
    "day": "xs:gDay",
    "time": "xs:time",
    "duration": "xs:duration",
}

#: Types that exist in SDMXCommon.xsd of a given version (others fall back to xs:string).
_COMMON_TYPES = {
    "2.1": {
        "ObservationalTimePeriodType",
        "StandardTimePeriodType",
        "BasicTimePeriodType",
        "GregorianTimePeriodType",
        "ReportingTimePeriodType",
        "ReportingYearType",
        "ReportingSemesterType",
        "ReportingTrimesterType",
        "ReportingQuarterType",
        "ReportingMonthType",
        "ReportingWeekType",
        "ReportingDayType",
        "TimeRangeType",
        "AlphaType",
        "AlphaNumericType",
        "NumericType",
    },
}
_COMMON_TYPES["3.0"] = _COMMON_TYPES["3.1"] = _COMMON_TYPES["2.1"]


def type_name(codelist: str | None, component_id: str) -> str:
    """An NCName for the simple type of a code list ('AG:ID(V)') or of a component."""
    base = codelist or f"{component_id}_Codes"
    match = re.match(r"^([^:]+):([^(]+)\(([^)]*)\)$", base)
    if match:
        base = f"{match[2]}.{match[1]}.{match[3]}"
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", base)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


class SimpleTypes:
    """Collects the simple types one schema needs, each declared once."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.declared: dict[str, frozenset[str]] = {}

    def for_component(self, component: Component, *, allowed: frozenset[str] | None = None) -> str:
        """The type (prefixed name) of `component`'s XML attribute, declaring it if needed."""
        if component.codes is not None:
            codes = component.codes if allowed is None else component.codes & allowed
            name = type_name(component.codelist, component.id)
            if allowed is not None:
                name = f"{name}.{component.id}.Constrained"
            if self.declared.setdefault(name, codes) != codes:
                name = f"{name}.{component.id}"
                self.declared[name] = codes
            return name
        if component.codelist is not None:
            log.warning("codes of %s unknown: typed xs:string", component.codelist)
            return "xs:string"
        if component.text_type is None:
            return "xs:string"
        xsd_type = TEXT_TYPES.get(component.text_type.lower())
        if xsd_type is None:
            log.info("text type %s of %s written as xs:string", component.text_type, component.id)
            return "xs:string"
        if xsd_type.startswith("common:") and xsd_type[7:] not in _COMMON_TYPES[self.version]:
            return "xs:string"
        return xsd_type

    def write(self, schema: etree._Element) -> None:
        """Append the enumerations, sorted by name, to `schema`."""
        for name in sorted(self.declared):
            simple = etree.SubElement(schema, f"{{{XS}}}simpleType", name=name)
            restriction = etree.SubElement(simple, f"{{{XS}}}restriction", base="xs:string")
            for code in sorted(self.declared[name]):
                etree.SubElement(restriction, f"{{{XS}}}enumeration", value=code)
