"""SDMX-REST 1.5 data queries `/data/{flowRef}/{key}/{providerRef}` (`4_4_data_queries.md`, A3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from sdmxnode.errors import BadRequest
from sdmxnode.rest.data import DataQuery, parse_data_query_v1
from sdmxnode.rest.flows import provider_parts
from tests.rest.request_urls import split_url

CANDIDATES = [("1.0", True), ("1.1", True), ("2.0", False)]


def from_url(url: str) -> DataQuery:
    (flow_ref, key, provider_ref), args = split_url(url, "data", 3)
    assert flow_ref is not None
    return parse_data_query_v1(flow_ref, key, provider_ref, args)


def v1(flow_ref: str, key: str | None = None, provider: str | None = None, **args: str):
    return parse_data_query_v1(flow_ref, key, provider, args)


# --- the examples of the 1.5 prose ------------------------------------------------------


def test_prose_example_flow_id_key_and_provider() -> None:
    query = from_url("http://ws-entry-point/data/ECB_EXR1_WEB/M.USD.EUR.SP00.A/ECB")
    assert (query.api, query.context) == (1, "dataflow")
    assert query.agencies is None  # one part = all,FLOW_ID,latest
    assert query.ids == ("ECB_EXR1_WEB",)
    assert query.versions.select(CANDIDATES) == ["2.0"]  # latest
    assert query.keys == (("M", "USD", "EUR", "SP00", "A"),)
    assert query.providers == ("ECB",)
    assert query.detail == "full"
    assert (query.attributes, query.measures) == ("dsd", "all")
    assert query.filters == ()
    assert query.include_history is False


def test_prose_example_full_flow_ref_and_wildcard() -> None:
    query = from_url("http://ws-entry-point/data/ECB,ECB_EXR1_WEB,latest/M..EUR.SP00.A/ECB")
    assert query.agencies == ("ECB",)
    assert query.ids == ("ECB_EXR1_WEB",)
    assert query.versions.select(CANDIDATES) == ["2.0"]
    assert query.keys == (("M", None, "EUR", "SP00", "A"),)
    assert query.key_filters(5) is not None


def test_prose_example_updated_after_percent_encoded() -> None:
    query = from_url(
        "http://ws-entry-point/Data/ECB_EXR1_WEB/M.USD+GBP+JPY.EUR.SP00.A?"
        "updatedAfter=2009-05-15T14%3A15%3A00%2B01%3A00"
    )
    assert query.keys == (("M", "USD+GBP+JPY", "EUR", "SP00", "A"),)
    assert query.providers is None
    assert query.updated_after == datetime(2009, 5, 15, 13, 15, tzinfo=UTC)
    filters = query.key_filters(5)
    assert filters is not None and filters[0].values[1] == frozenset({"USD", "GBP", "JPY"})


def test_prose_example_updated_after_with_unencoded_plus() -> None:
    """Clients that leave '+' unencoded get it back as a space from form decoding."""
    query = from_url("http://ws/data/EXR/all?updatedAfter=2009-05-15T14:15:00+01:00")
    assert query.updated_after == datetime(2009, 5, 15, 13, 15, tzinfo=UTC)
    assert query.keys is None


def test_prose_example_start_and_end_period() -> None:
    query = from_url(
        "http://ws-entry-point/data/ECB_EXR1_WEB/D.USD.EUR.SP00.A?"
        "startPeriod=2009-05-01&endPeriod=2009-05-31"
    )
    assert (query.start_period, query.end_period) == ("2009-05-01", "2009-05-31")


# --- flowRef (OpenAPI `flow` examples) --------------------------------------------------


@pytest.mark.parametrize(
    ("flow_ref", "agencies", "id", "selected"),
    [
        ("EXR", None, "EXR", ["2.0"]),
        ("ECB,EXR", ("ECB",), "EXR", ["2.0"]),
        ("ECB,EXR,1.0", ("ECB",), "EXR", ["1.0"]),
        ("ECB,EXR,latest", ("ECB",), "EXR", ["2.0"]),
        ("ECB,EXR,all", ("ECB",), "EXR", ["1.0", "1.1", "2.0"]),
        ("all,EXR,1.1", None, "EXR", ["1.1"]),
        ("SDMX.ECB,EXR", ("SDMX.ECB",), "EXR", ["2.0"]),
    ],
)
def test_flow_refs(flow_ref: str, agencies, id: str, selected: list[str]) -> None:
    query = v1(flow_ref)
    assert query.agencies == agencies
    assert query.ids == (id,)
    assert query.versions.select(CANDIDATES) == selected
    assert query.keys is None and query.providers is None


@pytest.mark.parametrize(
    "flow_ref",
    [
        "",
        ",EXR",
        "ECB,",
        "ECB,EXR,1.0,X",
        "ECB,EXR,1.0+1.1",
        "ECB,EXR,~",
        "ECB,EXR,1.0.0-draft",
        "1ECB,EXR",
        "ECB,EX R",
        "all",
        "ECB,all",
    ],
)
def test_malformed_flow_refs(flow_ref: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v1(flow_ref)
    assert (caught.value.where or "").startswith("flowRef")


# --- providerRef (OpenAPI `provider` examples) ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ECB", ("ECB",)),
        ("CH2+NO2", ("CH2", "NO2")),
        ("SDMX,CH2+NO2", ("SDMX,CH2", "NO2")),
        ("all", None),
        (None, None),
        ("CH2+all", None),
    ],
)
def test_provider_refs(text: str | None, expected) -> None:
    assert v1("EXR", "all", text).providers == expected


def test_provider_parts() -> None:
    assert provider_parts("SDMX,CH2") == ("SDMX", "CH2")
    assert provider_parts("CH2") == (None, "CH2")


@pytest.mark.parametrize("text", ["", "CH2+", "A,B,C", "1A,CH2", "CH 2", "CH2++NO2"])
def test_malformed_provider_refs(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v1("EXR", "all", text)
    assert (caught.value.where or "").startswith("providerRef")


# --- query parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("detail", "attributes", "measures"),
    [
        ("full", "dsd", "all"),
        ("dataonly", "none", "all"),
        ("serieskeysonly", "none", "none"),
        ("nodata", "dsd", "none"),
        ("DataOnly", "none", "all"),
    ],
)
def test_detail(detail: str, attributes: str, measures: str) -> None:
    query = v1("EXR", detail=detail)
    assert query.detail == detail.lower()
    assert (query.attributes, query.measures) == (attributes, measures)


def test_every_parameter_together() -> None:
    query = v1(
        "ECB,EXR,1.0",
        "D.USD.EUR.SP00.A",
        "ECB",
        startPeriod="2019-Q1",
        endPeriod="2019-W52",
        updatedAfter="2020-01-01T00:00:00Z",
        firstNObservations="3",
        lastNObservations="2",
        dimensionAtObservation="AllDimensions",
        detail="nodata",
        includeHistory="true",
    )
    assert (query.start_period, query.end_period) == ("2019-Q1", "2019-W52")
    assert query.updated_after == datetime(2020, 1, 1, tzinfo=UTC)
    assert (query.first_n, query.last_n) == (3, 2)
    assert query.dimension_at_observation == "AllDimensions"
    assert query.include_history is True


@pytest.mark.parametrize("dimension", ["TIME_PERIOD", "AllDimensions", "REF_AREA", "CURRENCY"])
def test_dimension_at_observation(dimension: str) -> None:
    assert v1("EXR", dimensionAtObservation=dimension).dimension_at_observation == dimension


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("lastNObservations", "0"),
        ("lastNObservations", "-3"),
        ("firstNObservations", "-1"),
        ("firstNObservations", "0"),
        ("firstNObservations", "two"),
        ("firstNObservations", "1.5"),
        ("firstNObservations", ""),
        ("startPeriod", "2019-Q5"),
        ("startPeriod", "2019-13"),
        ("endPeriod", "yesterday"),
        ("endPeriod", "2019-W53"),
        ("updatedAfter", "2009-05-15"),
        ("updatedAfter", "last week"),
        ("detail", "allstubs"),
        ("detail", ""),
        ("includeHistory", "yes"),
        ("dimensionAtObservation", "1TIME"),
        ("dimensionAtObservation", "TIME PERIOD"),
    ],
)
def test_bad_parameter_values_name_the_parameter(parameter: str, value: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v1("EXR", **{parameter: value})
    assert caught.value.where == parameter


def test_start_after_end_is_rejected() -> None:
    with pytest.raises(BadRequest) as caught:
        v1("EXR", startPeriod="2010", endPeriod="2009-12")
    assert caught.value.where == "endPeriod"


@pytest.mark.parametrize("parameter", ["c[FREQ]", "attributes", "measures", "format", "foo"])
def test_unknown_parameters(parameter: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v1("EXR", **{parameter: "x"})
    assert caught.value.where == parameter
    assert "unknown query parameter" in caught.value.message


def test_ignored_parameters_are_left_to_the_caller() -> None:
    query = parse_data_query_v1("EXR", None, None, {"format": "csv"}, ignored_parameters={"format"})
    assert query.ids == ("EXR",)


def test_repeated_parameters_are_rejected() -> None:
    args = MultiDict([("startPeriod", "2000"), ("startPeriod", "2001")])
    with pytest.raises(BadRequest) as caught:
        parse_data_query_v1("EXR", None, None, args)
    assert caught.value.where == "startPeriod"


def test_malformed_key_names_the_key() -> None:
    with pytest.raises(BadRequest) as caught:
        v1("EXR", "D.USD+.EUR")
    assert caught.value.where == "key"
