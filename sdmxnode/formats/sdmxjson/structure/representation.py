"""Representations (enumerations and text formats) of concepts and components in SDMX-JSON."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sdmx.model import common

from sdmxnode.formats.sdmxjson.structure.common import JsonObject, JsonWriting, reference_urn

log = logging.getLogger(__name__)

# SDMX spelling of the data types sdmx1 names in camel case; sdmx1-only types are absent.
_DATA_TYPES = {
    "timesRange": "TimeRange",
    "dateTime": "DateTime",
    "uri": "URI",
    "Xhtml": "XHTML",  # sdmx1 ExtendedFacetValueType
}
# Data types that SDMX-JSON 1.0 or 2.0 does not list (SDMX 2.1 target-object types).
_UNLISTED = {"gregorianMonth", "keyValues", "identifiableReference", "dataSetReference"}
_ONLY_V2 = {"GeospatialInformation"}
# Data types a time dimension may take (field guides, "timeDimension" format).
TIME_DATA_TYPES = {
    "ObservationalTimePeriod", "StandardTimePeriod", "BasicTimePeriod", "GregorianTimePeriod",
    "GregorianYear", "GregorianYearMonth", "GregorianDay", "ReportingTimePeriod",
    "ReportingYear", "ReportingSemester", "ReportingTrimester", "ReportingQuarter",
    "ReportingMonth", "ReportingWeek", "ReportingDay", "DateTime", "TimeRange",
}  # fmt: skip

# FacetType field -> SDMX-JSON property, in the order of the field guides.
_FACETS = [
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
]
_INTEGER_FACETS = {"minLength", "maxLength", "decimals"}


def data_type(value_type: common.FacetValueType | None, writing: JsonWriting) -> str | None:
    """The SDMX-JSON data type for an sdmx1 FacetValueType, or None if JSON has no such type."""
    if value_type is None or value_type.name in _UNLISTED:
        return None
    name = _DATA_TYPES.get(value_type.name, value_type.name[:1].upper() + value_type.name[1:])
    if name in _ONLY_V2 and writing.major < 2:
        return None
    return name


def _number(value: Any) -> int | float | None:
    """A JSON number: an int when the value is integral."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def _duration(value: timedelta) -> str:
    """An ISO 8601 duration for a timedelta (days and seconds)."""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    text = f"P{days}D" if days else "P"
    if seconds or not days:
        text += f"T{seconds}S"
    return text


def _facet_value(key: str, value: Any) -> Any:
    if key in ("isSequence",):
        return bool(value)
    if key in ("startTime", "endTime"):
        return value.isoformat() if isinstance(value, datetime) else str(value)
    if key == "timeInterval":
        return _duration(value) if isinstance(value, timedelta) else str(value)
    if key == "pattern":
        return str(value)
    number = _number(value)
    if number is not None and key in _INTEGER_FACETS:
        return int(number)
    return number


def text_format(
    facets: list[common.Facet], writing: JsonWriting, *, time: bool = False
) -> JsonObject:
    """The text format (1.0 `textFormat`, 2.0 `format`) object for a list of facets."""
    result: JsonObject = {}
    type_key = "textType" if writing.major == 1 else "dataType"
    for facet in facets:
        name = data_type(facet.value_type, writing)
        if name and (not time or name in TIME_DATA_TYPES):
            result[type_key] = name
        facet_type = facet.type
        if facet_type is None:
            continue
        for attr, key in _FACETS:
            if time and key not in ("startTime", "endTime"):
                continue
            value = getattr(facet_type, attr, None)
            if value is None:
                continue
            converted = _facet_value(key, value)
            if converted is not None:
                result[key] = converted
    return result


def representation(
    rep: common.Representation | None, writing: JsonWriting, *, time: bool = False
) -> JsonObject | None:
    """A core or local representation: an enumeration URN, or a text format."""
    if rep is None:
        return None
    format_key = "textFormat" if writing.major == 1 else "format"
    enumerated = rep.enumerated
    if enumerated is not None and not time:
        urn = reference_urn(enumerated, writing)
        if writing.major >= 2 and not isinstance(enumerated, common.Codelist):
            # SDMX 3.0 enumerates with codelists and value lists only.
            if type(enumerated).__name__ != "ValueList":
                log.warning("Enumeration by %s is not written in SDMX-JSON 2.0", enumerated)
                urn = None
        if urn:
            result: JsonObject = {"enumeration": urn}
            facets = text_format(rep.non_enumerated or [], writing)
            facets.pop("decimals", None)  # not a facet of enumeration formats
            type_key = "textType" if writing.major == 1 else "dataType"
            if facets.get(type_key) not in _CODE_DATA_TYPES:
                facets.pop(type_key, None)
            if facets:
                result["enumerationFormat"] = facets
            return result
    facets = text_format(rep.non_enumerated or [], writing, time=time)
    if time or facets:
        return {format_key: facets}
    return None


# Data types allowed for enumeration formats (SDMX-JSON 2.0 CodeDataType).
_CODE_DATA_TYPES = {
    "String", "Alpha", "AlphaNumeric", "Numeric", "BigInteger", "Integer", "Long", "Short",
    "Boolean", "URI", "Count", "InclusiveValueRange", "ExclusiveValueRange", "Incremental",
    "ObservationalTimePeriod", "StandardTimePeriod", "BasicTimePeriod", "GregorianTimePeriod",
    "GregorianYear", "GregorianYearMonth", "GregorianDay", "ReportingTimePeriod",
    "ReportingYear", "ReportingSemester", "ReportingTrimester", "ReportingQuarter",
    "ReportingMonth", "ReportingWeek", "ReportingDay", "Month", "MonthDay", "Day", "Duration",
}  # fmt: skip
