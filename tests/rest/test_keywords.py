"""Reserved path keywords in any case: 1.5 `all` and `latest` (`ALL`, `All`, `LATEST`) as the
major public endpoints accept them, and what the 2.x line does with them."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest
from sdmxnode.rest.availability import parse_availability_query_v1, parse_availability_query_v2
from sdmxnode.rest.data import parse_data_query_v1, parse_data_query_v2
from sdmxnode.rest.flows import parse_flow_ref
from sdmxnode.rest.keys import parse_key_v1
from sdmxnode.rest.structure import parse_structure_query_v1, parse_structure_query_v2
from sdmxnode.rest.versions import parse_versions_v1, parse_versions_v2

CANDIDATES = [("1.0", True), ("1.1", True), ("2.0", False)]
SPELLINGS = ("ALL", "All", "aLL")
LATEST_SPELLINGS = ("LATEST", "Latest", "lAtEsT")


# --- 1.5 --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", LATEST_SPELLINGS)
def test_v1_latest_in_any_case(text: str) -> None:
    selector = parse_versions_v1(text)
    assert selector.select(CANDIDATES) == parse_versions_v1("latest").select(CANDIDATES) == ["2.0"]


@pytest.mark.parametrize("text", SPELLINGS)
def test_v1_all_versions_in_any_case(text: str) -> None:
    selector = parse_versions_v1(text)
    assert selector.is_all
    assert selector.select(CANDIDATES) == ["1.0", "1.1", "2.0"]


@pytest.mark.parametrize("text", ["LATEST+1.0", "1.0+All"])
def test_v1_keywords_in_any_case_still_stand_alone(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_versions_v1(text)
    assert caught.value.where == "version"


@pytest.mark.parametrize("text", SPELLINGS)
def test_v1_structure_query_all_in_every_position(text: str) -> None:
    query = parse_structure_query_v1("codelist", text, text, text, text, {})
    lower = parse_structure_query_v1("codelist", "all", "all", "all", "all", {})
    assert (query.agencies, query.ids, query.items) == (None, None, None)
    assert query.versions.is_all
    assert query.versions.select(CANDIDATES) == lower.versions.select(CANDIDATES)


def test_v1_structure_query_as_opensdmx_sends_it() -> None:
    query = parse_structure_query_v1("datastructure", "ALL", "DSD_MIG_STOCK", "LATEST", None, {})
    assert query.agencies is None
    assert query.ids == ("DSD_MIG_STOCK",)
    assert query.versions.select(CANDIDATES) == ["2.0"]


def test_v1_all_among_listed_values_in_any_case() -> None:
    assert parse_structure_query_v1("codelist", "ECB+ALL", None, None, None, {}).agencies is None
    query = parse_structure_query_v1("codelist", "ECB", "CL_FREQ", "1.0", "A+All", {})
    assert query.items is None


@pytest.mark.parametrize("text", SPELLINGS)
def test_v1_flow_ref_keywords_in_any_case(text: str) -> None:
    flow = parse_flow_ref(f"{text},EXR,{text}")
    assert flow.agencies is None
    assert flow.versions.is_all
    latest = parse_flow_ref("ECB,EXR,LATEST").versions
    assert latest.select(CANDIDATES) == ["2.0"]


@pytest.mark.parametrize("text", SPELLINGS)
def test_v1_flow_id_all_is_refused_in_any_case(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_flow_ref(f"ECB,{text}")
    assert caught.value.where == "flowRef"
    assert "must name a dataflow" in caught.value.message


@pytest.mark.parametrize("text", SPELLINGS)
def test_v1_data_query_key_and_provider_all_in_any_case(text: str) -> None:
    assert parse_key_v1(text) is None
    query = parse_data_query_v1("ECB,EXR,LATEST", text, text, {})
    assert (query.keys, query.providers) == (None, None)


@pytest.mark.parametrize("text", SPELLINGS)
def test_v1_availability_all_in_any_case(text: str) -> None:
    query = parse_availability_query_v1("ECB,EXR", text, text, text, {})
    assert (query.keys, query.providers, query.component_ids) == (None, None, None)


# --- 2.x: `*`, `~`, `+`; `all` is an alias of `*` outside the version, in any case --------


@pytest.mark.parametrize("text", SPELLINGS)
def test_v2_all_is_an_alias_of_the_wildcard_in_any_case(text: str) -> None:
    query = parse_structure_query_v2(text, text, text, None, None, {})
    assert (query.resource, query.agencies, query.ids) == ("*", None, None)
    data = parse_data_query_v2(text, text, "EXR", "*", None, {})
    assert (data.context, data.agencies) == ("*", None)
    availability = parse_availability_query_v2("dataflow", "ECB", "EXR", "*", None, text, {})
    assert availability.component_ids is None


@pytest.mark.parametrize("text", [*LATEST_SPELLINGS, "latest", *SPELLINGS, "all"])
def test_v2_versions_refuse_the_15_keywords_in_any_case_with_the_2x_form(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_versions_v2(text)
    assert caught.value.where == "version"
    assert "1.5 keyword" in caught.value.message
    hint = "'*'" if text.lower() == "all" else "'~'"
    assert hint in caught.value.message
