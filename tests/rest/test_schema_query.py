"""Schema queries `/schema/{context}/{agency}/{id}/{version}`: 1.5 (A5) and 2.x (B6)."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.schema import SchemaQuery, parse_schema_query_v1, parse_schema_query_v2
from tests.rest.request_urls import split_url

V1_CANDIDATES = [("1.0", True), ("1.1", True), ("2.0", False)]
V2_CANDIDATES = [("1.0.0", True), ("1.1.0", True), ("2.0.0-draft", False)]


def from_url(url: str, api: int) -> SchemaQuery:
    (context, agency, id, version), args = split_url(url, "schema", 4)
    assert context is not None
    parse = parse_schema_query_v1 if api == 1 else parse_schema_query_v2
    return parse(context, agency, id, version, args)


def test_v1_prose_example() -> None:
    query = from_url("http://ws-entry-point/schema/provisionagreement/ECB/EXR_WEB/1.0/", 1)
    assert (query.api, query.context, query.agency, query.id) == (
        1,
        "provisionagreement",
        "ECB",
        "EXR_WEB",
    )
    assert query.versions.select(V1_CANDIDATES) == ["1.0"]
    assert (query.dimension_at_observation, query.explicit_measure) == (None, False)


def test_v1_latest_is_the_default() -> None:
    assert from_url("http://ws/schema/dataflow/ECB/EXR", 1).versions.select(V1_CANDIDATES) == [
        "2.0"
    ]
    query = from_url("http://ws/schema/dataflow/ECB/EXR/latest", 1)
    assert query.versions.select(V1_CANDIDATES) == ["2.0"]


def test_v1_parameters() -> None:
    query = from_url(
        "http://ws/schema/datastructure/ECB/ECB_EXR1/1.0"
        "?dimensionAtObservation=CURRENCY&explicitMeasure=true",
        1,
    )
    assert (query.dimension_at_observation, query.explicit_measure) == ("CURRENCY", True)


@pytest.mark.parametrize(
    "context",
    ["datastructure", "metadatastructure", "dataflow", "metadataflow", "provisionagreement"],
)
def test_v1_contexts(context: str) -> None:
    assert parse_schema_query_v1(context, "ECB", "EXR", None, {}).context == context


@pytest.mark.parametrize(
    ("segments", "args", "where"),
    [
        (("dataflow", "all", "EXR", None), {}, "agency"),
        (("dataflow", "ECB", "all", None), {}, "id"),
        (("dataflow", None, None, None), {}, "agency"),
        (("dataflow", "ECB", None, None), {}, "id"),
        (("dataflow", "ECB+BIS", "EXR", None), {}, "agency"),
        (("dataflow", "ECB", "EXR+CBS", None), {}, "id"),
        (("dataflow", "ECB", "EXR", "all"), {}, "version"),
        (("dataflow", "ECB", "EXR", "1.0+1.1"), {}, "version"),
        (("dataflow", "ECB", "EXR", "~"), {}, "version"),
        (("metadataprovisionagreement", "ECB", "EXR", None), {}, "context"),
        (("codelist", "ECB", "EXR", None), {}, "context"),
        (("dataflow", "ECB", "EXR", None), {"explicitMeasure": "yes"}, "explicitMeasure"),
        (
            ("dataflow", "ECB", "EXR", None),
            {"dimensionAtObservation": "1X"},
            "dimensionAtObservation",
        ),
        (("dataflow", "ECB", "EXR", None), {"references": "all"}, "references"),
    ],
)
def test_v1_errors(segments, args: dict[str, str], where: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_schema_query_v1(*segments, args)
    assert caught.value.where == where


def test_v2_prose_examples() -> None:
    query = from_url("/schema/dataflow/ECB/EXR_WEB/+", 2)
    assert (query.api, query.context, query.agency, query.id) == (2, "dataflow", "ECB", "EXR_WEB")
    assert query.versions.select(V2_CANDIDATES) == ["1.1.0"]  # latest stable
    query = from_url("/schema/dataflow/ECB/EXR_WEB/+/?dimensionAtObservation=TIME_PERIOD", 2)
    assert query.dimension_at_observation == "TIME_PERIOD"


def test_v2_default_version_is_latest_of_any_status() -> None:
    query = parse_schema_query_v2("dataflow", "ECB", "EXR", None, {})
    assert query.versions.select(V2_CANDIDATES) == ["2.0.0-draft"]
    assert parse_schema_query_v2(
        "metadataprovisionagreement", "ECB", "EXR", "1.~.0", {"deletion": "false"}
    ).versions.select(V2_CANDIDATES) == ["1.1.0"]


@pytest.mark.parametrize(
    ("segments", "args", "where"),
    [
        (("dataflow", "*", "EXR", None), {}, "agency"),
        (("dataflow", "ECB", "*", None), {}, "id"),
        (("dataflow", "ECB,BIS", "EXR", None), {}, "agency"),
        (("dataflow", "ECB", "EXR", "*"), {}, "version"),
        (("dataflow", "ECB", "EXR", "1.*"), {}, "version"),
        (("dataflow", "ECB", "EXR", "1.0.0,1.1.0"), {}, "version"),
        (("dataflow", "ECB", "EXR", "latest"), {}, "version"),
        (("*", "ECB", "EXR", None), {}, "context"),
        (("dataflow", "ECB", "EXR", None), {"detail": "full"}, "detail"),
    ],
)
def test_v2_errors(segments, args: dict[str, str], where: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_schema_query_v2(*segments, args)
    assert caught.value.where == where


@pytest.mark.parametrize("args", [{"deletion": "true"}, {"asOf": "2020-01-01T00:00:00Z"}])
def test_v2_unsupported_parameters(args: dict[str, str]) -> None:
    with pytest.raises(NotImplementedSdmx):
        parse_schema_query_v2("dataflow", "ECB", "EXR", None, args)
