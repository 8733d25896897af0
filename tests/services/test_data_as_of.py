"""2.x `asOf`: data queries answered as the data stood at a past moment, from the history."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from sdmxnode.errors import NoResults
from sdmxnode.rest.data import parse_data_query_v2
from sdmxnode.services.data.answers import get_data_answer
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import loads
from tests.formats.small_data import SMALL, read_demo_observations
from tests.services.test_data_loading_actions import (
    BOTH,
    MALE,
    csv_message,
    key_only,
    observation,
)

FRA = "A.FRA.STOCK.FB._T._T._T._T"


@pytest.fixture
def revised_node(structures_node: Node) -> Node:
    """The small data set (load 1), then one load that revises BOTH 1990, deletes the MALE
    series and adds a FRA series (load 2)."""
    load_data(structures_node, SMALL / "small-structurespecific-21.xml", LoadOptions(source="1"))
    rows = [
        ("M", {**observation(BOTH, "1990"), "OBS_VALUE": "1"}),
        ("D", key_only(MALE)),
        ("M", {**observation(BOTH, "1990"), "REF_AREA": "FRA", "OBS_VALUE": "5907"}),
    ]
    result = load_data(structures_node, csv_message(rows), LoadOptions(source="2"))
    assert result.report.errors == 0, result.report.findings
    return structures_node


def finished(node: Node) -> list[datetime]:
    """When each load finished (naive UTC), oldest first."""
    with node.store.engine.connect() as conn:
        return list(conn.execute(select(loads.c.finished).order_by(loads.c.pk)).scalars())


def moment(when: datetime) -> str:
    return when.isoformat() + "Z"


def rows_of(node: Node, key: str | None = None, **args: str) -> dict[tuple[str, str], str]:
    """(series key, period) -> value of the 2.x answer to the dataflow's data `key`."""
    query = parse_data_query_v2("dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0", key, args)
    result = get_data_answer(node, query).result()
    columns = list(result.columns)
    time, value = columns.index("TIME_PERIOD"), columns.index("OBS_VALUE")
    width = len(result.structure.dimensions)
    return {(".".join(row[:width]), row[time]): row[value] for row in result.rows}


def small_values() -> dict[tuple[str, str], str]:
    return {
        (
            ".".join(
                obs[d]
                for d in (
                    "FREQ",
                    "REF_AREA",
                    "MEASURE",
                    "COUNTRY_BIRTH",
                    "CITIZENSHIP",
                    "SEX",
                    "AGE",
                    "EDUCATION_LEV",
                )
            ),
            obs["TIME_PERIOD"],
        ): obs["OBS_VALUE"]
        for obs in read_demo_observations()
    }


def test_as_of_answers_the_data_as_they_stood(revised_node: Node) -> None:
    first, second = finished(revised_node)
    assert rows_of(revised_node, asOf=moment(first)) == small_values()
    now = rows_of(revised_node, asOf=moment(second))
    assert now == rows_of(revised_node)
    assert now[(BOTH, "1990")] == "1" and now[(FRA, "1990")] == "5907"
    assert not any(key == MALE for key, _ in now)


def test_as_of_before_any_data_finds_nothing(revised_node: Node) -> None:
    first, _ = finished(revised_node)
    with pytest.raises(NoResults):
        rows_of(revised_node, asOf="2000-01-01T00:00:00Z")
    with pytest.raises(NoResults):  # the series was not there yet
        rows_of(revised_node, FRA, asOf=moment(first))


def test_as_of_combines_with_key_filters_and_observation_counts(revised_node: Node) -> None:
    first, _ = finished(revised_node)
    then = moment(first)
    small = small_values()
    assert rows_of(revised_node, MALE, asOf=then) == {
        k: v for k, v in small.items() if k[0] == MALE
    }
    late = rows_of(revised_node, **{"c[TIME_PERIOD]": "ge:2010", "asOf": then})
    assert late == {k: v for k, v in small.items() if k[1] >= "2010"}
    last = rows_of(revised_node, lastNObservations="2", asOf=then)
    assert late.keys() > last.keys() and {p for _, p in last} == {"2015", "2019"}
    first_two = rows_of(revised_node, firstNObservations="1", asOf=then)
    assert {p for _, p in first_two} == {"1990"} and len(first_two) == 3
    assert first_two[(BOTH, "1990")] == small[(BOTH, "1990")]


def test_as_of_with_series_only_answers(revised_node: Node) -> None:
    first, _ = finished(revised_node)
    query = parse_data_query_v2(
        "dataflow",
        "IMDX",
        "DF_MIG_STOCK_IMS",
        "1.0.0",
        None,
        {"attributes": "none", "measures": "none", "asOf": moment(first)},
    )
    rows = list(get_data_answer(revised_node, query).result().rows)
    keys = {".".join(row[:8]) for row in rows}
    assert len(rows) == 3 and MALE in keys and FRA not in keys


def test_as_of_limits_the_history_to_the_loads_finished_by_then(revised_node: Node) -> None:
    first, _ = finished(revised_node)
    query = parse_data_query_v2(
        "dataflow",
        "IMDX",
        "DF_MIG_STOCK_IMS",
        "1.0.0",
        None,
        {"includeHistory": "true", "asOf": moment(first)},
    )
    result = get_data_answer(revised_node, query).result()
    assert result.following == [] and result.action == "Replace"
    assert len(list(result.rows)) == 21


def test_an_as_of_answer_larger_than_the_limit_is_refused(revised_node: Node) -> None:
    """The answer's size is bounded by what the dataflow holds now, except for asOf: the
    MALE series deleted since makes the past answer larger than everything held today."""
    import dataclasses

    from sdmxnode.errors import TooLarge

    flow = revised_node.store.find_artefacts({"Dataflow"}, {"IMDX"}, {"DF_MIG_STOCK_IMS"})[0]
    held = revised_node.data.count_observations(flow.pk)
    then = moment(finished(revised_node)[0])
    assert len(small_values()) > held  # the check below can fail
    revised_node.settings = dataclasses.replace(
        revised_node.settings, max_response_observations=held
    )
    assert len(rows_of(revised_node)) == held  # today's answer fits
    query = parse_data_query_v2(
        "dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0", None, {"asOf": then}
    )
    with pytest.raises(TooLarge):
        get_data_answer(revised_node, query).result()
