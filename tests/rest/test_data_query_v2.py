"""SDMX-REST 2.x data queries `/data/{context}/{agency}/{id}/{version}/{key}` (`data.md`, B4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.data import DataQuery, detail_of, parse_data_query_v2
from sdmxnode.rest.filters import ComponentFilter
from tests.rest.request_urls import split_url

CANDIDATES = [("1.0.0", True), ("1.1.0", True), ("2.0.0", True), ("2.1.0-draft", False)]


def from_url(url: str) -> DataQuery:
    (context, agency, id, version, key), args = split_url(url, "data", 5)
    return parse_data_query_v2(context, agency, id, version, key, args)


def v2(
    context: str | None = None,
    agency: str | None = None,
    id: str | None = None,
    version: str | None = None,
    key: str | None = None,
    **args: str,
) -> DataQuery:
    return parse_data_query_v2(context, agency, id, version, key, args)


# --- the examples of `data.md` (2.1.0, and 2.2 additions) --------------------------------


def test_example_path_parameters() -> None:
    query = from_url("https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/M.USD.EUR.SP00.A")
    assert (query.api, query.context) == (2, "dataflow")
    assert (query.agencies, query.ids) == (("ECB",), ("EXR",))
    assert query.versions.select(CANDIDATES) == ["1.0.0"]
    assert query.keys == (("M", "USD", "EUR", "SP00", "A"),)
    assert query.providers is None
    assert (query.attributes, query.measures, query.detail) == ("dsd", "all", "full")
    assert query.filters == ()
    assert (query.start_period, query.end_period) == (None, None)


def test_example_selected_attributes() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/M.USD.EUR.SP00.A"
        "?attributes=OBS_STATUS,UNIT_MEASURE"
    )
    assert query.attributes == ("OBS_STATUS", "UNIT_MEASURE")
    assert query.measures == "all"
    assert query.detail == "full"


def test_example_versions_and_wildcard() -> None:
    query = from_url(
        "https://ws-entry-point/data/datastructure/ECB/ECB_EXR1/1.0.0,2.0.0/M.*.EUR.SP00.A"
    )
    assert query.context == "datastructure"
    assert query.versions.select(CANDIDATES) == ["1.0.0", "2.0.0"]
    assert query.keys == (("M", None, "EUR", "SP00", "A"),)


def test_example_several_keys_latest_stable_updated_after() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR/+/M.USD.EUR.SP00.A,A.CHF.EUR.SP00.A"
        "?updatedAfter=2009-05-15T14%3A15%3A00%2B01%3A00"
    )
    assert query.versions.select(CANDIDATES) == ["2.0.0"]  # latest stable
    assert query.keys == (("M", "USD", "EUR", "SP00", "A"), ("A", "CHF", "EUR", "SP00", "A"))
    assert query.updated_after == datetime(2009, 5, 15, 13, 15, tzinfo=UTC)
    assert query.key_filters(5) is not None and len(query.key_filters(5) or ()) == 2


def test_example_time_range_and_attribute_filter() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR/"
        "?c[TIME_PERIOD]=ge:2009-05-01+le:2009-05-31&c[CONF_STATUS]=F"
    )
    assert query.versions.select(CANDIDATES) == [v for v, _ in CANDIDATES]  # default '*'
    assert query.keys is None
    assert (query.start_period, query.end_period) == ("2009-05-01", "2009-05-31")
    assert query.filters == (ComponentFilter("CONF_STATUS", ((("eq", "F"),),)),)


def test_example_everything_about_one_area_without_data() -> None:
    query = from_url("https://ws-entry-point/data/?c[REF_AREA]=CH&attributes=none&measures=none")
    assert query.context == "*"
    assert (query.agencies, query.ids, query.keys) == (None, None, None)
    assert query.filters == (ComponentFilter("REF_AREA", ((("eq", "CH"),),)),)
    assert (query.attributes, query.measures, query.detail) == ("none", "none", "serieskeysonly")


def test_example_observation_value_threshold_flat() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/M.USD.EUR.SP00.A"
        "?c[OBS_VALUE]=ge:10.0&dimensionAtObservation=AllDimensions"
    )
    assert query.filters == (ComponentFilter("OBS_VALUE", ((("ge", "10.0"),),)),)
    assert query.dimension_at_observation == "AllDimensions"


def test_example_contains() -> None:
    query = from_url("https://ws-entry-point/data/?c[TITLE]=co:euro&attributes=none&measures=none")
    assert query.filters == (ComponentFilter("TITLE", ((("co", "euro"),),)),)


def test_example_deltas() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR?updatedAfter=2009-05-15T14%3A15%3A00%2B01%3A00"
    )
    assert (query.agencies, query.ids, query.keys) == (("ECB",), ("EXR",), None)
    assert query.updated_after is not None and query.updated_after.utcoffset() is not None


def test_example_last_observations_and_history() -> None:
    base = "https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/M.USD.EUR.SP00.A"
    assert from_url(base + "?lastNObservations=2").last_n == 2
    assert from_url(base + "?includeHistory=true").include_history is True


def test_example_attributes_without_data() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/M.USD.*.*.*?attributes=all&measures=none"
    )
    assert (query.attributes, query.measures, query.detail) == ("all", "none", "nodata")
    assert query.key_filters(5) == query.key_filters(5)  # stable
    truncated = from_url("https://ws-entry-point/data/dataflow/ECB/EXR/1.0.0/M.USD")
    assert truncated.key_filters(5) == query.key_filters(5)


@pytest.mark.parametrize(
    "url",
    [
        "https://ws-entry-point/data/dataflow/ECB/EXR?offset=0&limit=100&sort=series_key:asc+TIME_PERIOD:desc",
        "https://ws-entry-point/data/dataflow/ECB/EXR?limit=100&sort=series_key+TIME_PERIOD:desc",
        "https://ws-entry-point/data/dataflow/ECB/EXR?asOf=2020-01-01T00:00:00Z&updatedAfter=2019-01-01T00:00:00Z",
        "https://ws-entry-point/data/dataflow/ECB/EXR?c[TIME_PERIOD]=ge:2010-Q3&reportingYearStartDay=--07-01",
    ],
)
def test_v22_parameters_are_not_implemented(url: str) -> None:
    with pytest.raises(NotImplementedSdmx) as caught:
        from_url(url)
    assert caught.value.status == 501


def test_as_of_is_a_date_time() -> None:
    query = from_url(
        "https://ws-entry-point/data/dataflow/ECB/EXR?asOf=2020-01-01T12:30:00%2B01:00"
    )
    assert query.as_of == datetime(2020, 1, 1, 11, 30, tzinfo=UTC)
    assert from_url("https://ws-entry-point/data/dataflow/ECB/EXR").as_of is None


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2020-01-01", "2020-13-01T00:00:00Z", "", "9999-12-31T23:59:59-05:00"],
)
def test_a_bad_as_of_is_a_bad_request(value: str) -> None:
    with pytest.raises(BadRequest) as caught:
        from_url(f"https://ws-entry-point/data/dataflow/ECB/EXR?asOf={value}")
    assert caught.value.status == 400 and caught.value.where == "asOf"


# --- c[...] filters: the 2.2 `data.md` table of meanings --------------------------------


@pytest.mark.parametrize(
    ("value", "clauses"),
    [
        ("A", ((("eq", "A"),),)),  # X = A
        ("A,B", ((("eq", "A"),), (("eq", "B"),))),  # X = A OR X = B
        ("ge:A", ((("ge", "A"),),)),  # X >= A
        ("ge:A+le:B", ((("ge", "A"), ("le", "B")),)),  # X >= A AND X <= B
        ("A,B+C", ((("eq", "A"),), (("eq", "B"), ("eq", "C")))),  # X = A OR (X = B AND X = C)
        (
            "ge:A+le:B,ge:C+le:D",  # (X >= A AND X <= B) OR (X >= C AND X <= D)
            ((("ge", "A"), ("le", "B")), (("ge", "C"), ("le", "D"))),
        ),
        ("ne:A,B", ((("ne", "A"),), (("eq", "B"),))),  # X <> A OR X = B
        ("ne:A+B", ((("ne", "A"), ("eq", "B")),)),  # X <> A AND X = B
        ("ne:A,ne:B", ((("ne", "A"),), (("ne", "B"),))),  # X <> A OR X <> B
        ("ne:A+ne:B", ((("ne", "A"), ("ne", "B")),)),  # X <> A AND X <> B
    ],
)
def test_filter_meanings(value: str, clauses) -> None:
    # As typed in a URL: '+' unencoded, so it reaches the parser as a space...
    decoded = from_url(f"https://ws/data/?c[X]={value}")
    # ...and percent-encoded ('%2B'), so it reaches the parser as '+'.
    encoded = from_url("https://ws/data/?c[X]=" + value.replace("+", "%2B"))
    assert decoded.filters == encoded.filters == (ComponentFilter("X", clauses),)


@pytest.mark.parametrize("operator", ["eq", "ne", "lt", "le", "gt", "ge", "co", "nc", "sw", "ew"])
def test_every_operator(operator: str) -> None:
    assert v2(**{"c[OBS_STATUS]": f"{operator}:A"}).filters[0].clauses == (((operator, "A"),),)


def test_filters_on_several_components_keep_their_order() -> None:
    args = MultiDict([("c[FREQ]", "A,M"), ("c[CONF_STATUS]", "F")])
    query = parse_data_query_v2(None, None, None, None, None, args)
    assert [f.component for f in query.filters] == ["FREQ", "CONF_STATUS"]


def test_percent_encoded_brackets() -> None:
    query = v2(**{"c%5BTIME_PERIOD%5D": "ge:2020-01+le:2020-12", "c%5bFREQ%5d": "M"})
    assert (query.start_period, query.end_period) == ("2020-01", "2020-12")
    assert query.filters == (ComponentFilter("FREQ", ((("eq", "M"),),)),)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("ge:2020-01+le:2020-12", "2020-01", "2020-12"),
        ("ge:2020-Q1", "2020-Q1", None),
        ("le:2020-W10", None, "2020-W10"),
        ("le:2020-12 ge:2020-01", "2020-01", "2020-12"),
        ("ge:2020-01-01T00:00:00+01:00", "2020-01-01T00:00:00+01:00", None),
    ],
)
def test_time_period_range_becomes_start_and_end(value: str, start, end) -> None:
    query = v2(**{"c[TIME_PERIOD]": value})
    assert (query.start_period, query.end_period) == (start, end)
    assert query.filters == ()


@pytest.mark.parametrize(
    "value", ["2020", "gt:2020", "ge:2019+le:2019-06,ge:2021", "ge:2019+ge:2020", "ne:2020"]
)
def test_other_time_period_filters_stay_filters(value: str) -> None:
    query = v2(**{"c[TIME_PERIOD]": value})
    assert (query.start_period, query.end_period) == (None, None)
    assert [f.component for f in query.filters] == ["TIME_PERIOD"]


# --- attributes and measures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ("dsd", "dsd"),
        ("msd", "msd"),
        ("dataset", "dataset"),
        ("series", "series"),
        ("obs", "obs"),
        ("all", "all"),
        ("none", "none"),
        ("series,obs", ("series", "obs")),
        ("OBS_STATUS", ("OBS_STATUS",)),
        ("dataset,OBS_STATUS,OBS_STATUS", ("dataset", "OBS_STATUS")),
        ("all,OBS_STATUS", "all"),
    ],
)
def test_attributes(attributes: str, expected) -> None:
    assert v2(attributes=attributes).attributes == expected


@pytest.mark.parametrize(
    ("measures", "expected"),
    [("all", "all"), ("none", "none"), ("OBS_VALUE", ("OBS_VALUE",)), ("M1,M2", ("M1", "M2"))],
)
def test_measures(measures: str, expected) -> None:
    assert v2(measures=measures).measures == expected


@pytest.mark.parametrize(
    ("attributes", "measures", "detail"),
    [
        ("dsd", "all", "full"),
        ("none", "all", "dataonly"),
        ("none", "OBS_VALUE", "dataonly"),
        ("none", "none", "serieskeysonly"),
        ("all", "none", "nodata"),
        ("series", "none", "nodata"),
        ("OBS_STATUS", "all", "full"),
    ],
)
def test_detail_derived_from_attributes_and_measures(attributes, measures, detail) -> None:
    assert v2(attributes=attributes, measures=measures).detail == detail
    assert detail_of(attributes, measures) == detail


# --- path segments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (None, "*"),
        ("*", "*"),
        ("all", "*"),
        ("dataflow", "dataflow"),
        ("DataStructure", "datastructure"),
        ("provisionagreement", "provisionagreement"),
    ],
)
def test_contexts(context: str | None, expected: str) -> None:
    assert v2(context).context == expected


def test_several_agencies_and_ids() -> None:
    query = v2("dataflow", "ECB,BIS", "EXR,CBS")
    assert (query.agencies, query.ids) == (("ECB", "BIS"), ("EXR", "CBS"))
    assert v2("dataflow", "*", "*").agencies is None


@pytest.mark.parametrize(
    ("segments", "where"),
    [
        (("dataflows",), "context"),
        (("dataflow,datastructure",), "context"),
        (("dataflow", "1ECB"), "agency"),
        (("dataflow", "ECB,"), "agency"),
        (("dataflow", "ECB", "EX R"), "id"),
        (("dataflow", "ECB", "EXR", "latest"), "version"),
        (("dataflow", "ECB", "EXR", "1.*.3"), "version"),
        (("dataflow", "ECB", "EXR", "*", "A.B,,C"), "key"),
        (("dataflow", "ECB", "EXR", "*", "A.B C"), "key"),
    ],
)
def test_malformed_path_segments(segments: tuple[str, ...], where: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v2(*segments)
    assert caught.value.where == where


# --- errors in query parameters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value", "where"),
    [
        ("c[FREQ]", "xx:A", "c[FREQ]"),  # unknown operator
        ("c[FREQ]", "GTE:A", "c[FREQ]"),
        ("c[FREQ]", "", "c[FREQ]"),
        ("c[FREQ]", "A,,M", "c[FREQ]"),
        ("c[FREQ]", "A,", "c[FREQ]"),
        ("c[FREQ]", "ge:", "c[FREQ]"),
        ("c[FREQ]", "A++M", "c[FREQ]"),
        ("c[TIME_PERIOD]", "ge:2020-13", "c[TIME_PERIOD]"),
        ("c[TIME_PERIOD]", "ge:2021+le:2020", "c[TIME_PERIOD]"),
        ("c[TIME_PERIOD]", "lt:soon", "c[TIME_PERIOD]"),
        ("c[1FREQ]", "A", "c[1FREQ]"),
        ("c[]", "A", "c[]"),
        ("c", "A", "c"),
        ("c[FREQ", "A", "c[FREQ"),
        ("updatedAfter", "2009-05-15", "updatedAfter"),
        ("updatedAfter", "15/05/2009 14:15", "updatedAfter"),
        ("lastNObservations", "0", "lastNObservations"),
        ("firstNObservations", "-1", "firstNObservations"),
        ("attributes", "", "attributes"),
        ("attributes", "none,OBS_STATUS", "attributes"),
        ("attributes", "OBS STATUS", "attributes"),
        ("measures", "none,OBS_VALUE", "measures"),
        ("measures", "1OBS", "measures"),
        ("includeHistory", "maybe", "includeHistory"),
        ("dimensionAtObservation", "TIME-PERIOD!", "dimensionAtObservation"),
        ("startPeriod", "2020", "startPeriod"),  # 1.5 only: hint to c[TIME_PERIOD]
        ("endPeriod", "2020", "endPeriod"),
        ("detail", "dataonly", "detail"),
        ("references", "all", "references"),
    ],
)
def test_bad_parameters_name_the_part(parameter: str, value: str, where: str) -> None:
    with pytest.raises(BadRequest) as caught:
        v2("dataflow", "ECB", "EXR", **{parameter: value})
    assert caught.value.where == where
    assert caught.value.http_status(2) == 400


def test_v1_parameters_get_a_hint() -> None:
    with pytest.raises(BadRequest) as caught:
        v2(startPeriod="2020")
    assert "c[TIME_PERIOD]=ge:" in caught.value.message
    with pytest.raises(BadRequest) as caught:
        v2(detail="nodata")
    assert "attributes" in caught.value.message


def test_component_filtered_twice() -> None:
    args = MultiDict([("c[FREQ]", "A"), ("c[FREQ]", "M")])
    with pytest.raises(BadRequest) as caught:
        parse_data_query_v2(None, None, None, None, None, args)
    assert caught.value.where == "c[FREQ]"


def test_component_filtered_twice_through_different_spellings() -> None:
    with pytest.raises(BadRequest) as caught:
        v2(**{"c[FREQ]": "A", "c%5BFREQ%5D": "M"})
    assert caught.value.where == "c[FREQ]"
    assert "more than once" in caught.value.message


def test_ignored_parameters_are_left_to_the_caller() -> None:
    args = {"format": "csvdata", "formatVersion": "2.0.0"}
    query = parse_data_query_v2(None, None, None, None, None, args, ignored_parameters=set(args))
    assert query.context == "*"
