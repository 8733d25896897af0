"""Availability queries: 1.5 `/availableconstraint/...` (A4) and 2.x `/availability/...` (B5)."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.availability import (
    AvailabilityQuery,
    parse_availability_query_v1,
    parse_availability_query_v2,
)
from sdmxnode.rest.filters import ComponentFilter
from tests.rest.request_urls import split_url

ALL_REFERENCES = {"Dataflow", "DataStructure", "ConceptScheme", "DataProviderScheme", "Codelist"}


def v1_url(url: str) -> AvailabilityQuery:
    (flow_ref, key, provider, component), args = split_url(url, "availableconstraint", 4)
    assert flow_ref is not None
    return parse_availability_query_v1(flow_ref, key, provider, component, args)


def v2_url(url: str) -> AvailabilityQuery:
    (context, agency, id, version, key, component), args = split_url(url, "availability", 6)
    return parse_availability_query_v2(context, agency, id, version, key, component, args)


# --- 1.5 examples (`4_6_1_other_queries.md`) --------------------------------------------


def test_v1_whole_dataflow() -> None:
    query = v1_url("http://ws-entry-point/availableconstraint/ECB_EXR1_WEB/")
    assert (query.api, query.context, query.agencies, query.ids) == (
        1,
        "dataflow",
        None,
        ("ECB_EXR1_WEB",),
    )
    assert (query.keys, query.providers, query.component_ids) == (None, None, None)
    assert query.mode == "exact"
    assert query.references == frozenset()


def test_v1_available_mode() -> None:
    query = v1_url(
        "http://ws-entry-point/availableconstraint/ECB,ECB_EXR1_WEB,1.0/M..EUR.SP00.A/ECB"
        "?mode=available"
    )
    assert query.agencies == ("ECB",)
    assert query.versions.select([("1.0", True), ("1.1", True)]) == ["1.0"]
    assert query.keys == (("M", None, "EUR", "SP00", "A"),)
    assert query.providers == ("ECB",)
    assert query.mode == "available"


def test_v1_exact_mode_is_the_default() -> None:
    explicit = v1_url(
        "http://ws-entry-point/availableconstraint/ECB_EXR1_WEB/M..EUR.SP00.A/ECB?mode=exact"
    )
    implicit = v1_url("http://ws-entry-point/availableconstraint/ECB_EXR1_WEB/M..EUR.SP00.A/ECB")
    assert explicit == implicit
    assert implicit.mode == "exact"


def test_v1_component_periods_and_references() -> None:
    query = v1_url(
        "http://ws/availableconstraint/EXR/all/all/CURRENCY"
        "?startPeriod=2009-Q1&endPeriod=2009&updatedAfter=2009-05-15T14:15:00Z&references=all"
    )
    assert (query.keys, query.providers) == (None, None)
    assert query.component_ids == ("CURRENCY",)
    assert (query.start_period, query.end_period) == ("2009-Q1", "2009")
    assert query.updated_after is not None
    assert query.references == ALL_REFERENCES
    assert v1_url("http://ws/availableconstraint/EXR/all/all/all").component_ids is None


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        ("none", set()),
        ("codelist", {"Codelist"}),
        ("datastructure", {"DataStructure"}),
        ("conceptscheme", {"ConceptScheme"}),
        ("dataflow", {"Dataflow"}),
        ("dataproviderscheme", {"DataProviderScheme"}),
        ("all", ALL_REFERENCES),
    ],
)
def test_v1_references(references: str, expected: set[str]) -> None:
    query = parse_availability_query_v1("EXR", None, None, None, {"references": references})
    assert query.references == expected


@pytest.mark.parametrize(
    ("args", "where"),
    [
        ({"references": "codelist+dataflow"}, "references"),
        ({"references": "valuelist"}, "references"),
        ({"references": "children"}, "references"),
        ({"mode": "maybe"}, "mode"),
        ({"startPeriod": "2009-Q5"}, "startPeriod"),
        ({"startPeriod": "2010", "endPeriod": "2009"}, "endPeriod"),
        ({"updatedAfter": "2009"}, "updatedAfter"),
        ({"detail": "full"}, "detail"),
        ({"c[FREQ]": "A"}, "c[FREQ]"),
    ],
)
def test_v1_errors(args: dict[str, str], where: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_availability_query_v1("EXR", None, None, None, args)
    assert caught.value.where == where


@pytest.mark.parametrize("component", ["1CURRENCY", "CUR RENCY", "A+", "CURRENCY,FREQ"])
def test_v1_bad_component_ids(component: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_availability_query_v1("EXR", None, None, component, {})
    assert caught.value.where == "componentID"


# --- 2.x examples (`availability.md`) ---------------------------------------------------


def test_v2_whole_dataflow_with_references() -> None:
    query = v2_url("https://ws-entry-point/availability/dataflow/ECB/ECB_EXR1_WEB/?references=all")
    assert (query.api, query.context, query.agencies, query.ids) == (
        2,
        "dataflow",
        ("ECB",),
        ("ECB_EXR1_WEB",),
    )
    assert query.references == ALL_REFERENCES
    assert (query.keys, query.component_ids, query.mode) == (None, None, "exact")


def test_v2_available_mode() -> None:
    query = v2_url(
        "https://ws-entry-point/availability/dataflow/ECB/ECB_EXR1_WEB/1.0.0/M.*.EUR.SP00.A"
        "?mode=available"
    )
    assert query.keys == (("M", None, "EUR", "SP00", "A"),)
    assert query.mode == "available"


def test_v2_exact_mode_is_the_default() -> None:
    base = "https://ws-entry-point/availability/dataflow/ECB/ECB_EXR1_WEB/*/M.*.EUR.SP00.A"
    assert v2_url(base + "?mode=exact") == v2_url(base)


def test_v2_several_keys_components_and_references() -> None:
    query = v2_url(
        "https://ws/availability/dataflow/ECB/EXR/*/UK.*.M,FR.*.M/REF_AREA,SEX"
        "?references=codelist,conceptscheme,valuelist"
        "&c[TIME_PERIOD]=ge:2020-01+le:2020-12&c[CONF_STATUS]=F,C"
    )
    assert query.keys == (("UK", None, "M"), ("FR", None, "M"))
    assert query.component_ids == ("REF_AREA", "SEX")
    assert query.references == {"Codelist", "ConceptScheme", "ValueList"}
    assert (query.start_period, query.end_period) == ("2020-01", "2020-12")
    assert query.filters == (ComponentFilter("CONF_STATUS", ((("eq", "F"),), (("eq", "C"),))),)
    assert query.key_filters(3) is not None
    assert v2_url("https://ws/availability/dataflow/ECB/EXR/*/*/*").component_ids is None


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("https://ws/availability/dataflow/ECB/EXR?references=none,codelist", "references"),
        ("https://ws/availability/dataflow/ECB/EXR?references=children", "references"),
        ("https://ws/availability/dataflow/ECB/EXR?mode=all", "mode"),
        ("https://ws/availability/dataflow/ECB/EXR?startPeriod=2020", "startPeriod"),
        ("https://ws/availability/dataflow/ECB/EXR?c[FREQ]=zz:A", "c[FREQ]"),
        ("https://ws/availability/dataflow/ECB/EXR?updatedAfter=now", "updatedAfter"),
        ("https://ws/availability/dataflows/ECB/EXR", "context"),
        ("https://ws/availability/dataflow/ECB/EXR/*/A..B/1REF", "componentID"),
        ("https://ws/availability/dataflow/ECB/EXR/*/A,,B", "key"),
    ],
)
def test_v2_errors(url: str, where: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v2_url(url)
    assert caught.value.where == where


def test_v2_reporting_year_start_day_is_not_implemented() -> None:
    with pytest.raises(NotImplementedSdmx):
        v2_url("https://ws/availability/dataflow/ECB/EXR?reportingYearStartDay=--07-01")
