"""Actions through `load_data`: Append and Merge update, Replace, Delete (SDMX-CSV 2.0
messages with an ACTION column, and SDMX-ML 2.1 / 3.0 data sets, made here from the small
dataset), each with the meaning of the message's SDMX version; what an update of a stored
series may leave out."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree
from sqlalchemy import func, select

from sdmxnode.errors import LoadRejected
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import loads, observation_history
from tests.formats.small_data import FLOW, SMALL, dsd_components, read_demo_observations
from tests.services.store_dumps import Observation, dump_observations

BOTH = "A.1.STOCK.FB._T._T._T._T"
MALE = "A.1.STOCK.FB._T.M._T._T"
FEMALE = "A.1.STOCK.FB._T.F._T._T"
ATTRIBUTES = ("UNIT_MEASURE", "UNIT_MULT", "REF_PERIOD_DETAIL", "REVISION", "OBS_STATUS")


def csv_message(rows: list[tuple[str, dict[str, str]]]) -> bytes:
    """SDMX-CSV 2.0 for the dataflow: one line per (ACTION code, component values)."""
    dimensions, _, _ = dsd_components()
    columns = [*dimensions, "OBS_VALUE", *ATTRIBUTES]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *columns])
    for action, values in rows:
        writer.writerow(["dataflow", FLOW, action, *(values.get(c, "") for c in columns)])
    return buffer.getvalue().encode()


def observation(key: str, period: str) -> dict[str, str]:
    """The small dataset's observation of series `key` at `period` (all its components)."""
    dimensions, _, _ = dsd_components()
    for obs in read_demo_observations():
        if ".".join(obs[d] for d in dimensions[:-1]) == key and obs["TIME_PERIOD"] == period:
            return dict(obs)
    raise KeyError((key, period))


def key_only(key: str) -> dict[str, str]:
    """The dimension values of series `key`, nothing else (a row naming a whole series)."""
    dimensions, _, _ = dsd_components()
    return dict(zip(dimensions[:-1], key.split("."), strict=True))


@pytest.fixture
def small_node(structures_node: Node) -> Node:
    load_data(
        structures_node, SMALL / "small-structurespecific-21.xml", LoadOptions(source="small")
    )
    return structures_node


def stored(node: Node) -> dict[tuple[str, str], Observation]:
    return {(row[0], row[2]): row for row in dump_observations(node)[FLOW]}


def history_count(node: Node) -> int:
    with node.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(observation_history)).scalar_one()


def test_append_and_merge_update_the_named_observations(small_node: Node) -> None:
    before = stored(small_node)
    revised = {**observation(BOTH, "1990"), "OBS_VALUE": "153011474", "OBS_STATUS": "A"}
    merged = {**observation(MALE, "2019"), "OBS_VALUE": "141000000"}
    result = load_data(
        small_node, csv_message([("A", revised), ("M", merged)]), LoadOptions(source="upd")
    )
    assert result.report.errors == 0
    assert result.observations_written == 2 and result.observations_deleted == 0
    after = stored(small_node)
    assert set(after) == set(before)
    assert after[(BOTH, "1990")][3] == "153011474"
    assert dict(after[(BOTH, "1990")][4]) == {"OBS_STATUS": "A"}
    assert after[(MALE, "2019")][3] == "141000000"
    assert after[(MALE, "2019")][4] == before[(MALE, "2019")][4]
    unchanged = set(before) - {(BOTH, "1990"), (MALE, "2019")}
    assert all(after[k] == before[k] for k in unchanged)
    assert history_count(small_node) == 2  # what the two updates overwrote


def test_append_adds_a_series_and_leaves_the_others(small_node: Node) -> None:
    before = stored(small_node)
    new = {**observation(BOTH, "1990"), "REF_AREA": "FRA", "OBS_VALUE": "5907"}
    load_data(small_node, csv_message([("A", new)]), LoadOptions(source="new series"))
    after = stored(small_node)
    assert set(after) == set(before) | {("A.FRA.STOCK.FB._T._T._T._T", "1990")}
    assert after[("A.FRA.STOCK.FB._T._T._T._T", "1990")][3] == "5907"
    assert history_count(small_node) == 0


def test_replace_keeps_only_the_observations_sent_for_a_series(small_node: Node) -> None:
    before = stored(small_node)
    kept = [observation(FEMALE, "2000"), {**observation(FEMALE, "2019"), "OBS_VALUE": "1"}]
    result = load_data(
        small_node, csv_message([("R", v) for v in kept]), LoadOptions(source="replace")
    )
    assert result.report.errors == 0
    after = stored(small_node)
    assert sorted(p for k, p in after if k == FEMALE) == ["2000", "2019"]
    assert after[(FEMALE, "2019")][3] == "1"
    assert after[(FEMALE, "2000")] == before[(FEMALE, "2000")]
    assert {k: v for k, v in after.items() if k[0] != FEMALE} == {
        k: v for k, v in before.items() if k[0] != FEMALE
    }
    assert result.observations_deleted == 7


def test_delete_removes_observations_and_whole_series(small_node: Node) -> None:
    before = stored(small_node)
    rows = [("D", key_only(MALE)), ("D", {**key_only(BOTH), "TIME_PERIOD": "1995"})]
    result = load_data(small_node, csv_message(rows), LoadOptions(source="delete"))
    assert result.report.errors == 0
    assert result.observations_deleted == 8
    after = stored(small_node)
    gone = {k for k in before if k[0] == MALE} | {(BOTH, "1995")}
    assert set(after) == set(before) - gone
    assert all(after[k] == before[k] for k in after)
    assert history_count(small_node) == 8
    with small_node.store.engine.connect() as conn:
        actions = list(conn.execute(select(loads.c.action).order_by(loads.c.pk)).scalars())
    assert len(actions) == 2


def test_deleting_what_is_not_there_deletes_nothing(small_node: Node) -> None:
    before = stored(small_node)
    absent_series = {**key_only(BOTH), "REF_AREA": "FRA"}
    rows = [("D", {**key_only(BOTH), "TIME_PERIOD": "2021"}), ("D", absent_series)]
    result = load_data(small_node, csv_message(rows), LoadOptions(source="delete nothing"))
    assert result.observations_deleted == 0
    assert stored(small_node) == before


def sdmxml_replace(fixture: str, keep: dict[str, set[str]], revised: dict[str, str]) -> bytes:
    """The small SDMX-ML fixture as a Replace data set holding only the series of `keep`
    (SEX -> the periods kept), with `revised` (period -> value) written over its values."""
    root = etree.parse(str(SMALL / fixture)).getroot()
    for dataset in root.iter("{*}DataSet"):
        dataset.set("action", "Replace")
        for element in list(dataset.iter("Series")):
            periods = keep.get(element.get("SEX", ""))
            if periods is None:
                dataset.remove(element)
                continue
            for obs in list(element):
                if obs.get("TIME_PERIOD") not in periods:
                    element.remove(obs)
                elif obs.get("TIME_PERIOD") in revised:
                    obs.set("OBS_VALUE", revised[obs.get("TIME_PERIOD", "")])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_sdmx21_replace_replaces_observations_and_keeps_the_rest_of_the_series(
    small_node: Node,
) -> None:
    """SDMX 2.1 (SDMXCommon.xsd ActionType): the replacement occurs at the level of the
    observation; the series' other observations stay."""
    before = stored(small_node)
    message = sdmxml_replace(
        "small-structurespecific-21.xml", {"F": {"2000", "2019"}}, {"2019": "1"}
    )
    result = load_data(small_node, message, LoadOptions(source="replace 2.1"))
    assert result.report.errors == 0, result.report.findings
    assert result.actions == ["Replace"]
    after = stored(small_node)
    assert set(after) == set(before)
    assert after[(FEMALE, "2019")][3] == "1"
    assert {k: v for k, v in after.items() if k != (FEMALE, "2019")} == {
        k: v for k, v in before.items() if k != (FEMALE, "2019")
    }
    assert result.observations_deleted == 0


def test_sdmx30_replace_replaces_the_series_sent(small_node: Node) -> None:
    """SDMX-ML 3.0 Replace (as SDMX-CSV 2.0 `R`): each series sent holds what it sent."""
    before = stored(small_node)
    message = sdmxml_replace(
        "small-structurespecific-30.xml", {"F": {"2000", "2019"}}, {"2019": "1"}
    )
    result = load_data(small_node, message, LoadOptions(source="replace 3.0"))
    assert result.report.errors == 0, result.report.findings
    after = stored(small_node)
    assert sorted(p for k, p in after if k == FEMALE) == ["2000", "2019"]
    assert after[(FEMALE, "2019")][3] == "1"
    assert result.observations_deleted == 7  # the series cleared, then written
    assert {k: v for k, v in after.items() if k[0] != FEMALE} == {
        k: v for k, v in before.items() if k[0] != FEMALE
    }


SERIES_ATTRIBUTES = ("UNIT_MEASURE", "UNIT_MULT", "REF_PERIOD_DETAIL", "REVISION")


def without_series_attributes(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k not in SERIES_ATTRIBUTES}


def missing_attributes(result_or_error: object) -> list[str]:
    report = getattr(result_or_error, "report", None)
    assert report is not None
    return [f.series_key or "" for f in report.findings if f.code == "MISSING_ATTRIBUTE"]


def test_an_update_of_a_stored_series_need_not_repeat_its_series_attributes(
    small_node: Node,
) -> None:
    before = stored(small_node)
    rows = [
        ("A", without_series_attributes({**observation(BOTH, "2019"), "TIME_PERIOD": "2020"})),
        ("M", without_series_attributes({**observation(MALE, "1990"), "OBS_VALUE": "2"})),
    ]
    result = load_data(small_node, csv_message(rows), LoadOptions(source="no attributes"))
    assert result.report.errors == 0, result.report.findings
    after = stored(small_node)
    assert after[(BOTH, "2020")][1] == before[(BOTH, "2019")][1]  # series attributes kept
    assert after[(MALE, "1990")][3] == "2" and after[(MALE, "1990")][1] == before[(MALE, "1990")][1]


def test_a_new_series_still_needs_its_mandatory_series_attributes(small_node: Node) -> None:
    new = without_series_attributes({**observation(BOTH, "1990"), "REF_AREA": "FRA"})
    stored_series = without_series_attributes(observation(BOTH, "1995"))
    with pytest.raises(LoadRejected) as caught:
        load_data(small_node, csv_message([("A", new), ("A", stored_series)]), LoadOptions())
    assert set(missing_attributes(caught.value)) == {"A.FRA.STOCK.FB._T._T._T._T"}


def test_a_sdmx30_replace_repeats_series_attributes_a_sdmx21_one_need_not(
    small_node: Node,
) -> None:
    def stripped(fixture: str) -> bytes:
        message = sdmxml_replace(fixture, {"F": {"2019"}}, {"2019": "7"})
        root = etree.fromstring(message)
        for element in root.iter("Series"):
            for name in SERIES_ATTRIBUTES:
                element.attrib.pop(name, None)
        return etree.tostring(root)

    result = load_data(small_node, stripped("small-structurespecific-21.xml"), LoadOptions())
    assert result.report.errors == 0, result.report.findings
    assert stored(small_node)[(FEMALE, "2019")][3] == "7"
    with pytest.raises(LoadRejected) as caught:
        load_data(small_node, stripped("small-structurespecific-30.xml"), LoadOptions())
    assert set(missing_attributes(caught.value)) == {FEMALE}


def test_a_delete_needs_no_attributes(small_node: Node) -> None:
    root = etree.parse(str(SMALL / "small-structurespecific-21.xml")).getroot()
    for dataset in root.iter("{*}DataSet"):
        dataset.set("action", "Delete")
        for element in dataset.iter("Series"):
            for name in SERIES_ATTRIBUTES:
                element.attrib.pop(name, None)
            for obs in element:
                obs.attrib.pop("OBS_STATUS", None)
                obs.attrib.pop("OBS_VALUE", None)
    result = load_data(small_node, etree.tostring(root), LoadOptions(source="delete"))
    assert result.report.errors == 0, result.report.findings
    assert result.observations_deleted == 21
