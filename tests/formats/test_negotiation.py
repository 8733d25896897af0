"""The one negotiation table: defaults, generic media types and format= per API line."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest, NotAcceptable
from sdmxnode.formats.registry.data import (
    CSV_10,
    CSV_20,
    CSV_21,
    DATA_30,
    DATA_31,
    GENERIC_21,
    JSON_10,
    JSON_10_DRAFT,
    JSON_20,
    JSON_21,
    SCHEMA_31,
    STRUCTURE_SPECIFIC_21,
)
from sdmxnode.formats.registry.negotiation import OFFERS, csv_options, negotiate_format
from sdmxnode.formats.registry.structure import (
    SDMX_JSON_10,
    SDMX_JSON_20,
    SDMX_JSON_21,
    SDMX_ML_21,
    SDMX_ML_30,
    SDMX_ML_31,
)
from sdmxnode.formats.reports.checks import CHECK_CSV, CHECK_JSON


@pytest.mark.parametrize(
    ("kind", "api", "accept", "expected"),
    [
        ("data", 1, None, GENERIC_21),
        ("data", 2, None, JSON_20),
        ("data", 1, "application/xml", GENERIC_21),
        ("data", 2, "text/xml", DATA_30),
        ("data", 1, "application/json", JSON_10),
        ("data", 1, "application/csv", CSV_10),
        ("data", 2, "text/csv", CSV_20),
        ("structure", 1, "*/*", SDMX_ML_21),
        ("structure", 2, None, SDMX_JSON_20),
        ("structure", 2, "application/xml", SDMX_ML_30),
        ("report", None, "text/csv", CHECK_CSV),
        ("report", None, None, CHECK_JSON),
    ],
)
def test_accept_picks_the_format_of_the_api_line(
    kind: str, api: int | None, accept: str | None, expected: object
) -> None:
    assert negotiate_format(kind, api, {}, accept) is expected


@pytest.mark.parametrize("api", [1, 2])
@pytest.mark.parametrize(
    ("args", "accept"),
    [
        pytest.param({}, "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0", id="media"),
        pytest.param({}, "application/vnd.sdmx.draft-sdmx-json+json", id="no-version"),
        pytest.param({}, "draft-sdmx-json", id="bare"),
        pytest.param({}, "text/html;q=0.9, draft-sdmx-json;q=1", id="bare-weighted"),
        pytest.param({"format": "draft-sdmx-json"}, None, id="format"),
    ],
)
def test_the_json_draft_layout_is_offered(api: int, args: dict, accept: str | None) -> None:
    """sdmx1's media types for the SDMX-JSON 1.0 draft layout (`sdmx.format.MEDIA_TYPES`)."""
    assert negotiate_format("data", api, args, accept) is JSON_10_DRAFT


def test_the_released_json_10_stays_the_json_10() -> None:
    accept = "application/vnd.sdmx.data+json;version=1.0.0"
    assert negotiate_format("data", 1, {}, accept) is JSON_10
    assert negotiate_format("data", 1, {"format": "jsondata"}, None) is JSON_10
    assert negotiate_format("data", 1, {}, "application/json") is JSON_10
    with pytest.raises(NotAcceptable):
        negotiate_format("structure", 1, {}, "draft-sdmx-json")  # data only


def test_format_name_prefers_the_api_lines_own_version() -> None:
    assert negotiate_format("data", 1, {"format": "csvdata"}, None) is CSV_10
    assert negotiate_format("data", 2, {"format": "csvdata"}, None) is CSV_20
    assert negotiate_format("data", 1, {"format": "csvdata", "formatVersion": "2.0"}, None) is (
        CSV_20
    )


def test_what_is_not_offered_is_refused() -> None:
    with pytest.raises(NotAcceptable):
        negotiate_format("structure", 1, {}, "text/csv")
    with pytest.raises(NotAcceptable):
        negotiate_format("report", None, {}, "application/xml")
    with pytest.raises(NotAcceptable):
        negotiate_format("schema", 2, {}, "text/csv")
    with pytest.raises(NotAcceptable):  # the JSON Schema of SDMX-JSON 2.0 data only
        negotiate_format("schema", 2, {}, "application/vnd.sdmx.schema+json;version=1.0.0")
    with pytest.raises(BadRequest):
        negotiate_format("data", 1, {"format": "nosuchformat"}, None)


def test_generic_media_types_come_from_one_table() -> None:
    assert OFFERS[("schema", 1)].generic == {
        "application/xml": OFFERS[("schema", 1)].default,
        "text/xml": OFFERS[("schema", 1)].default,
        "application/json": SDMX_JSON_10,
    }
    assert OFFERS[("schema", 2)].generic["application/json"] is OFFERS[("schema", 2)].default
    assert set(OFFERS[("report", None)].generic) == {
        "application/json",
        "text/csv",
        "application/csv",
    }


def test_csv_options_from_accept_then_query() -> None:
    accept = "application/vnd.sdmx.data+csv;version=2.0.0;labels=both;key=series"
    assert csv_options({}, accept) == {"labels": "both", "keys": "series"}
    assert csv_options({"labels": "id"}, accept) == {"labels": "id", "keys": "series"}
    assert csv_options({}, "application/xml") == {}


@pytest.mark.parametrize("api", [1, 2])
@pytest.mark.parametrize(
    ("args", "accept"),
    [
        pytest.param({}, "application/vnd.sdmx.data+json;version=2.1.0", id="media"),
        pytest.param({}, "application/vnd.sdmx.data+json;version=2.1", id="short-version"),
        pytest.param({}, "application/vnd.sdmx.data+json", id="no-version-newest"),
        pytest.param({"format": "jsondata", "formatVersion": "2.1"}, None, id="format"),
    ],
)
def test_sdmx_json_21_data_is_offered(api: int, args: dict, accept: str | None) -> None:
    assert negotiate_format("data", api, args, accept) is JSON_21


def test_the_21_formats_are_not_the_2x_defaults() -> None:
    """SDMX-REST 2.x (v2.1.0) names SDMX-JSON 2.0 its default: 2.1 is asked for by name."""
    assert negotiate_format("data", 2, {}, None) is JSON_20
    assert negotiate_format("data", 2, {}, "application/json") is JSON_20
    assert negotiate_format("data", 2, {"format": "jsondata"}, None) is JSON_20
    assert negotiate_format("data", 2, {}, "application/vnd.sdmx.data+json;version=2.0.0") is (
        JSON_20
    )


def test_406_lists_the_21_media_types() -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate_format("data", 2, {}, "application/vnd.sdmx.data+json;version=9.0.0")
    assert "application/vnd.sdmx.data+json;version=2.1.0" in refused.value.offered


@pytest.mark.parametrize(
    ("args", "accept"),
    [
        pytest.param({}, "application/vnd.sdmx.structure+json;version=2.1.0", id="media"),
        pytest.param({"format": "jsonstructure", "formatVersion": "2.1.0"}, None, id="format"),
    ],
)
def test_sdmx_json_21_structures_are_offered(args: dict, accept: str | None) -> None:
    assert negotiate_format("structure", 2, args, accept) is SDMX_JSON_21
    assert negotiate_format("schema", 2, args, accept) is SDMX_JSON_21
    assert negotiate_format("structure", 2, {}, None) is SDMX_JSON_20
    assert negotiate_format("structure", 2, {"format": "jsonstructure"}, None) is SDMX_JSON_20


def test_sdmx_csv_21_data_is_offered_with_its_parameters() -> None:
    accept = "application/vnd.sdmx.data+csv;version=2.1.0;labels=both;key=series"
    assert negotiate_format("data", 2, {}, accept) is CSV_21
    assert csv_options({}, accept) == {"labels": "both", "keys": "series"}
    args = {"format": "csvdata", "formatVersion": "2.1.0"}
    assert negotiate_format("data", 2, args, None) is CSV_21
    assert negotiate_format("data", 2, {"format": "csvdata"}, None) is CSV_20
    assert negotiate_format("data", 2, {}, "text/csv") is CSV_20


@pytest.mark.parametrize(
    ("args", "accept"),
    [
        pytest.param({}, "application/vnd.sdmx.structure+xml;version=3.1.0", id="media"),
        pytest.param({}, "application/vnd.sdmx.structure+xml;version=3.1", id="short-version"),
        pytest.param({"format": "structure", "formatVersion": "3.1.0"}, None, id="format"),
        pytest.param({"format": "sdmx-ml", "formatVersion": "3.1"}, None, id="format-alias"),
    ],
)
def test_sdmx_ml_31_structures_are_offered(args: dict, accept: str | None) -> None:
    assert negotiate_format("structure", 2, args, accept) is SDMX_ML_31
    assert negotiate_format("schema", 2, args, accept) is SDMX_ML_31


def test_sdmx_ml_31_is_not_the_2x_default() -> None:
    """SDMX-REST 2.x answers application/xml and format=structure with SDMX-ML 3.0."""
    assert negotiate_format("structure", 2, {}, "application/xml") is SDMX_ML_30
    assert negotiate_format("structure", 2, {"format": "structure"}, None) is SDMX_ML_30
    with pytest.raises(NotAcceptable) as refused:
        negotiate_format("structure", 2, {}, "application/vnd.sdmx.structure+xml;version=9.0")
    assert "application/vnd.sdmx.structure+xml;version=3.1.0" in refused.value.offered


@pytest.mark.parametrize(
    ("args", "accept"),
    [
        pytest.param({}, "application/vnd.sdmx.data+xml;version=3.1.0", id="media"),
        pytest.param(
            {}, "application/vnd.sdmx.structurespecificdata+xml;version=3.1.0", id="ss-spelling"
        ),
        pytest.param({"format": "structurespecificdata", "formatVersion": "3.1"}, None, id="fmt"),
    ],
)
def test_sdmx_ml_31_data_is_offered(args: dict, accept: str | None) -> None:
    assert negotiate_format("data", 2, args, accept) is DATA_31


def test_sdmx_ml_31_data_is_not_a_default() -> None:
    """application/xml and format=structurespecificdata stay SDMX-ML 3.0 on 2.x; the 2.1
    structure-specific media type without a version stays 2.1."""
    assert negotiate_format("data", 2, {}, "application/xml") is DATA_30
    assert negotiate_format("data", 2, {"format": "structurespecificdata"}, None) is DATA_30
    ss = "application/vnd.sdmx.structurespecificdata+xml"
    assert negotiate_format("data", 2, {}, ss) is STRUCTURE_SPECIFIC_21
    assert negotiate_format("data", 1, {}, ss) is STRUCTURE_SPECIFIC_21
    assert negotiate_format("schema", 2, {}, "application/vnd.sdmx.schema+xml;version=3.1.0") is (
        SCHEMA_31
    )
