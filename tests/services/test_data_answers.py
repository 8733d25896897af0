"""The data-answer policy: providerRef, no results, the size guard, delta answers."""

from __future__ import annotations

import dataclasses

import pytest

from sdmxnode.errors import NoResults, TooLarge
from sdmxnode.rest.data import parse_data_query_v1, parse_data_query_v2
from sdmxnode.services.data.answers import get_data_answer
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from tests.formats.small_data import SMALL

FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"


@pytest.fixture
def small_node(structures_node: Node) -> Node:
    load_data(structures_node, SMALL / "small-structurespecific-21.xml", LoadOptions(source="s"))
    return structures_node


def test_an_answer_holds_the_matching_data(small_node: Node) -> None:
    answer = get_data_answer(small_node, parse_data_query_v1(FLOW, None, None, {}))
    result = answer.result()
    assert len(list(result.rows)) == 21
    assert result.action != "Delete" and not result.following
    assert answer.etag("a") != answer.etag("b")


def test_a_provider_ref_without_an_agreement_finds_nothing(small_node: Node) -> None:
    # Providers are those with a provision agreement for the dataflow (tests/providers).
    with pytest.raises(NoResults, match="no data provider IMDX,P1 has a provision agreement"):
        get_data_answer(small_node, parse_data_query_v1(FLOW, None, "IMDX,P1", {}))


def test_too_many_observations_are_refused(small_node: Node) -> None:
    small_node.settings = dataclasses.replace(small_node.settings, max_response_observations=20)
    answer = get_data_answer(small_node, parse_data_query_v1(FLOW, None, None, {}))
    with pytest.raises(TooLarge):
        answer.result()


def test_a_delta_answer_replaces(small_node: Node) -> None:
    query = parse_data_query_v2(
        "dataflow",
        "IMDX",
        "DF_MIG_STOCK_IMS",
        "1.0.0",
        None,
        {"updatedAfter": "2000-01-01T00:00:00Z"},
    )
    assert get_data_answer(small_node, query).result().action == "Replace"
    late = parse_data_query_v2(
        "dataflow",
        "IMDX",
        "DF_MIG_STOCK_IMS",
        "1.0.0",
        None,
        {"updatedAfter": "2999-01-01T00:00:00Z"},
    )
    with pytest.raises(NoResults):
        get_data_answer(small_node, late).result()
