"""The data tables: actions, history, key and period selections, first/last N, deletions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from sdmxnode.errors import StorageError
from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.data import DataStore
from sdmxnode.storage.data import writes as data_writes
from sdmxnode.storage.data.history import OBSERVATION_COLUMNS, CopyStream
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.data.reads import (
    DataSelection,
    select_deletions,
    select_observations,
    select_series,
    stream,
)
from sdmxnode.storage.data.statistics import (
    OBSERVATIONS_STATISTICS_TARGET,
    SERIES_STATISTICS_TARGET,
)
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import (
    loads,
    metadata,
    observation_history,
    observations,
    series,
)
from sdmxnode.storage.times import now_utc
from sdmxnode.storage.upgrades import cascade_by_trigger
from tests.conftest import fresh_database

LAYOUT = Layout(
    dsd="T:DSD(1.0)",
    dimensions=("FREQ", "AREA"),
    time_dimension="TIME_PERIOD",
    measures=("OBS_VALUE",),
    series_attributes=("UNIT",),
    observation_attributes=("OBS_STATUS",),
    dataset_attributes=(),
)
COLUMNS = ("FREQ", "AREA", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "UNIT")


def _bounds(period: str) -> tuple[str, str]:
    return (f"{period}-01-01", f"{period}-12-31")


@pytest.fixture
def dataflow_pk(store: StructureStore) -> int:
    ref = ArtefactRef("Dataflow", "T", "DF", "1.0")
    store.put_artefacts([ArtefactRecord(ref, True, "DF", "2.1", b"<x/>")])
    return store.find_artefacts()[0].pk


def _load(data: DataStore, dataflow_pk: int, rows: list[tuple], action: str = "Information"):
    with data.transaction(_bounds, principal="test", source="test") as tx:
        writer = tx.writer(dataflow_pk, LAYOUT, action)
        writer.write(COLUMNS, [row + (0,) for row in rows], action)
        return tx.finish()[dataflow_pk]


EVERYTHING = DataSelection()


def _current(data: DataStore, dataflow_pk: int, selection: DataSelection = EVERYTHING):
    with data.engine.connect() as conn:
        return [tuple(r[:5]) for r in stream(conn, select_observations(dataflow_pk, selection))]


ROWS = [
    ("A", "FRA", "2019", "10", "E", "PS"),
    ("A", "FRA", "2020", "11", None, "PS"),
    ("A", "DEU", "2019", "20", None, "PS"),
    ("A", "DEU", "2020", "21", "P", "PS"),
    ("A", "DEU", "2021", "22", None, "PS"),
]


def test_insert_then_read_in_order(store: StructureStore, dataflow_pk: int) -> None:
    data = DataStore(store.engine)
    counts = _load(data, dataflow_pk, ROWS)
    assert counts.observations_written == 5 and counts.series_written == 2
    rows = _current(data, dataflow_pk)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("A.DEU", "2019", "20"),
        ("A.DEU", "2020", "21"),
        ("A.DEU", "2021", "22"),
        ("A.FRA", "2019", "10"),
        ("A.FRA", "2020", "11"),
    ]
    assert rows[3][1] == "PS" and rows[3][4] == "E"


def test_key_period_and_first_last_selections(store: StructureStore, dataflow_pk: int) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    only_fra = DataSelection(keys=[(None, frozenset({"FRA"}))])
    assert {r[0] for r in _current(data, dataflow_pk, only_fra)} == {"A.FRA"}
    in_2020 = DataSelection(start="2020-01-01", end="2020-12-31")
    assert [r[2] for r in _current(data, dataflow_pk, in_2020)] == ["2020", "2020"]
    last = DataSelection(last_n=1)
    assert [(r[0], r[2]) for r in _current(data, dataflow_pk, last)] == [
        ("A.DEU", "2021"),
        ("A.FRA", "2020"),
    ]
    first = DataSelection(first_n=1, keys=[(frozenset({"A"}), frozenset({"DEU"}))])
    assert [(r[0], r[2]) for r in _current(data, dataflow_pk, first)] == [("A.DEU", "2019")]
    with data.engine.connect() as conn:
        assert [r[0] for r in stream(conn, select_series(dataflow_pk, in_2020))] == [
            "A.DEU",
            "A.FRA",
        ]


def test_merge_updates_and_keeps_history(store: StructureStore, dataflow_pk: int) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    counts = _load(data, dataflow_pk, [("A", "FRA", "2020", "99", "P", None)], "Merge")
    assert counts.observations_written == 1
    rows = {(r[0], r[2]): r for r in _current(data, dataflow_pk)}
    assert rows[("A.FRA", "2020")][3] == "99"
    assert rows[("A.FRA", "2020")][1] == "PS"  # series attribute kept when not given
    assert len(rows) == 5


def test_replace_removes_the_series_other_observations(
    store: StructureStore, dataflow_pk: int
) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    _load(data, dataflow_pk, [("A", "DEU", "2022", "23", None, "PS")], "Replace")
    periods = [(r[0], r[2]) for r in _current(data, dataflow_pk)]
    assert periods == [("A.DEU", "2022"), ("A.FRA", "2019"), ("A.FRA", "2020")]


def test_delete_and_updated_after(store: StructureStore, dataflow_pk: int) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    before = now_utc(precise=True)
    counts = _load(
        data,
        dataflow_pk,
        [("A", "DEU", "2019", None, None, None), ("A", "FRA", None, None, None, None)],
        "Delete",
    )
    assert counts.observations_deleted == 3
    assert [(r[0], r[2]) for r in _current(data, dataflow_pk)] == [
        ("A.DEU", "2020"),
        ("A.DEU", "2021"),
    ]
    with data.engine.connect() as conn:
        deleted = list(
            stream(conn, select_deletions(dataflow_pk, DataSelection(updated_after=before)))
        )
    assert [tuple(r) for r in deleted] == [("A.DEU", "2019"), ("A.FRA", "2019"), ("A.FRA", "2020")]
    changed = _current(data, dataflow_pk, DataSelection(updated_after=before))
    assert changed == []  # nothing inserted or updated since


def test_failed_load_writes_nothing(store: StructureStore, dataflow_pk: int) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    with pytest.raises(RuntimeError):
        with data.transaction(_bounds) as tx:
            writer = tx.writer(dataflow_pk, LAYOUT, "Merge")
            writer.write(COLUMNS, [("A", "ITA", "2019", "5", None, "PS", 0)], "Merge")
            raise RuntimeError("a finding arrived")
    assert len(_current(data, dataflow_pk)) == 5
    assert "A.ITA" not in {r[0] for r in _current(data, dataflow_pk)}


def test_writers_of_one_transaction_give_their_new_series_distinct_keys(
    store: StructureStore, dataflow_pk: int
) -> None:
    """A writer reserves a block of series keys and gives them out over several data sets;
    another dataflow's writer in the same transaction, and a later load after a rolled-back
    one, must reserve after them, not after the highest key stored so far."""
    ref = ArtefactRef("Dataflow", "T", "DF2", "1.0")
    store.put_artefacts([ArtefactRecord(ref, True, "DF2", "2.1", b"<x/>")])
    other = next(a.pk for a in store.find_artefacts() if a.ref == ref)
    data = DataStore(store.engine)

    def rows(*areas: str) -> list[tuple]:
        return [("A", area, "2019", "1", None, "PS", 0) for area in areas]

    with pytest.raises(RuntimeError):  # keys reserved, then rolled back
        with data.transaction(_bounds) as tx:
            tx.writer(dataflow_pk, LAYOUT, "Merge").write(COLUMNS, rows("XXX"), "Merge")
            raise RuntimeError("a finding arrived")
    with data.transaction(_bounds) as tx:
        first, second = tx.writer(dataflow_pk, LAYOUT, "Merge"), tx.writer(other, LAYOUT, "Merge")
        first.write(COLUMNS, rows("FRA"), "Merge")  # one key of its block given, saved
        second.write(COLUMNS, rows("DEU", "ITA"), "Merge")
        first.write(COLUMNS, rows(*(f"A{i:02}" for i in range(40))), "Merge")  # a new block
        second.write(COLUMNS, rows("ESP"), "Merge")
        tx.finish()
    with store.engine.connect() as conn:
        stored = conn.execute(select(series.c.pk, series.c.dataflow_pk, series.c.d1)).all()
        joined = conn.execute(
            select(series.c.dataflow_pk, series.c.d1).select_from(
                observations.join(series, observations.c.series_pk == series.c.pk)
            )
        ).all()
    assert len({pk for pk, _, _ in stored}) == len(stored) == 44
    assert sorted(joined) == sorted((flow, area) for _, flow, area in stored)
    assert {area for _, flow, area in stored if flow == other} == {"DEU", "ITA", "ESP"}


def test_reserved_series_keys_ascend_and_never_repeat(store: StructureStore) -> None:
    """Each block is in ascending order (series insert in one batch) and a later block of
    the same transaction, or of a later one, starts after it."""
    with store.engine.begin() as conn:
        first = data_writes.reserve_series_pks(conn, 40)
        second = data_writes.reserve_series_pks(conn, 4096)
    with store.engine.begin() as conn:
        third = data_writes.reserve_series_pks(conn, 16)
    for block, count in ((first, 40), (second, 4096), (third, 16)):
        assert block == sorted(set(block)) and len(block) == count
    assert first[-1] < second[0] and second[-1] < third[0]


def test_full_series_keys_select_the_same_as_the_key_filter(
    store: StructureStore, dataflow_pk: int
) -> None:
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    key = (frozenset({"A"}), frozenset({"DEU", "ITA"}))
    by_columns = _current(data, dataflow_pk, DataSelection(keys=[key]))
    by_key = _current(
        data, dataflow_pk, DataSelection(keys=[key], series_keys=frozenset({"A.DEU", "A.ITA"}))
    )
    assert by_key == by_columns
    assert {row[0] for row in by_key} == {"A.DEU"} and len(by_key) == 3
    with data.engine.connect() as conn:
        only = DataSelection(keys=[key], series_keys=frozenset({"A.DEU"}))
        assert [r[0] for r in stream(conn, select_series(dataflow_pk, only))] == ["A.DEU"]


@pytest.mark.parametrize(
    "selection",
    [
        EVERYTHING,
        DataSelection(keys=[(None, frozenset({"FRA", "DEU"}))]),
        DataSelection(keys=[(frozenset({"A"}), frozenset({"ITA"}))]),  # nothing
        DataSelection(start="2020-01-01", end="2021-12-31"),
        DataSelection(providers=frozenset({""}), from_key="A.E"),
        DataSelection(series_keys=frozenset({"A.DEU"})),
        DataSelection(offset=1, limit=3),
        DataSelection(last_n=1, first_n=1),  # not the series-first form: the plain one
    ],
    ids=["all", "areas", "none", "periods", "provider-from-key", "series-key", "window", "n"],
)
def test_the_series_first_form_reads_the_same_rows_in_the_same_order(
    store: StructureStore, dataflow_pk: int, selection: DataSelection
) -> None:
    """The form an answer of unknown size is first tried in on PostgreSQL."""
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS + [("A", "ESP", "2018", "5", None, "PS")])
    with data.engine.connect() as conn:
        plain = list(stream(conn, select_observations(dataflow_pk, selection)))
        first = list(stream(conn, select_observations(dataflow_pk, selection, series_first=True)))
    assert first == plain
    if selection is EVERYTHING:
        assert [row[0] for row in first] == ["A.DEU"] * 3 + ["A.ESP"] + ["A.FRA"] * 2


def _history(data: DataStore) -> list[tuple]:
    """(series key, period, value, attributes, load pk, superseded by, deleted), sorted."""
    query = (
        select(
            series.c.series_key,
            observation_history.c.period,
            observation_history.c.value,
            observation_history.c.attributes,
            observation_history.c.load_pk,
            observation_history.c.superseded_by,
            observation_history.c.deleted,
        )
        .select_from(
            series.join(observation_history, observation_history.c.series_pk == series.c.pk)
        )
        .order_by(series.c.series_key, observation_history.c.period, observation_history.c.load_pk)
    )
    with data.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _writers(data: DataStore) -> dict[tuple[str, str], int]:
    """The load pk of each current observation, by (series key, period)."""
    query = select(series.c.series_key, observations.c.period, observations.c.load_pk).select_from(
        series.join(observations, observations.c.series_pk == series.c.pk)
    )
    with data.engine.connect() as conn:
        return {(key, period): load for key, period, load in conn.execute(query)}


def _load_pks(data: DataStore) -> list[int]:
    with data.engine.connect() as conn:
        return list(conn.execute(select(loads.c.pk).order_by(loads.c.pk)).scalars())


@pytest.mark.parametrize("batch_size", [2, 5000])
def test_overwrites_keep_each_earlier_version_once(
    store: StructureStore, dataflow_pk: int, batch_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every observation a load writes over goes to the history once, as it was (identical
    or not); observations new to the store get none; all now belong to that load."""
    monkeypatch.setattr(data_writes, "BATCH_SIZE", batch_size)
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    rows = [
        ("A", "DEU", "2019", "20", None, "PS"),  # identical
        ("A", "DEU", "2020", "21", None, "PS"),  # attribute removed
        ("A", "DEU", "2023", "24", None, "PS"),  # new period of a stored series
        ("A", "FRA", "2019", "15", "E", "PS"),  # value changed
        ("A", "ITA", "2019", "5", None, "PS"),  # new series
    ]
    counts = _load(data, dataflow_pk, rows, "Merge")
    assert counts.observations_written == 5
    first, second = _load_pks(data)
    assert _history(data) == [
        ("A.DEU", "2019", "20", None, first, second, False),
        ("A.DEU", "2020", "21", "P", first, second, False),
        ("A.FRA", "2019", "10", "E", first, second, False),
    ]
    assert _writers(data) == {
        ("A.DEU", "2019"): second,
        ("A.DEU", "2020"): second,
        ("A.DEU", "2021"): first,
        ("A.DEU", "2023"): second,
        ("A.FRA", "2019"): second,
        ("A.FRA", "2020"): first,
        ("A.ITA", "2019"): second,
    }
    current = {(r[0], r[2]): (r[3], r[4]) for r in _current(data, dataflow_pk)}
    assert current[("A.DEU", "2020")] == ("21", None)
    assert current[("A.FRA", "2019")] == ("15", "E")


@pytest.mark.parametrize("batch_size", [1, 2, 5000])
def test_replace_sent_again_records_the_series_as_deleted_then_written(
    store: StructureStore, dataflow_pk: int, batch_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replace removes every stored observation of the series it names (history: deleted
    by the load), those this load wrote before included, then writes those it sends."""
    monkeypatch.setattr(data_writes, "BATCH_SIZE", batch_size)
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    with data.transaction(_bounds) as tx:
        writer = tx.writer(dataflow_pk, LAYOUT, "Replace")
        rows = [
            ("A", "FRA", "2021", "12", None, "PS", "A"),  # removed by FRA's Replace below
            ("A", "DEU", "2022", "23", None, "PS", "A"),  # removed by the next row's Replace
            ("A", "DEU", "2019", "20", None, "PS", "R"),
            ("A", "FRA", "2019", "10", "E", "PS", "R"),
        ]
        writer.write((*COLUMNS, "ACTION"), rows, "Replace", action_column=6)
        counts = tx.finish()[dataflow_pk]
    first, second = _load_pks(data)
    assert counts.observations_deleted == 7
    deleted = [r for r in _history(data) if r[6]]
    assert [(r[0], r[1], r[4], r[5]) for r in deleted] == [
        ("A.DEU", "2019", first, second),
        ("A.DEU", "2020", first, second),
        ("A.DEU", "2021", first, second),
        ("A.DEU", "2022", second, second),
        ("A.FRA", "2019", first, second),
        ("A.FRA", "2020", first, second),
        ("A.FRA", "2021", second, second),
    ]
    assert _writers(data) == {("A.DEU", "2019"): second, ("A.FRA", "2019"): second}
    assert not [r for r in _history(data) if not r[6]]  # nothing overwritten in place


def test_dataflows_with_state_read_as_data_state_reads_each(
    store: StructureStore, dataflow_pk: int
) -> None:
    """The one statement a dataflow data query starts with gives what `find_artefacts` and
    a `data_state` per dataflow give: every version, with or without data."""
    empty = ArtefactRef("Dataflow", "T", "DF", "2.0")
    store.put_artefacts([ArtefactRecord(empty, True, "DF", "2.1", b"<x/>")])
    data = DataStore(store.engine)
    _load(data, dataflow_pk, ROWS)
    found = data.find_dataflows_with_state({"T"}, {"DF"})
    assert [flow for flow, _ in found] == store.find_artefacts({"Dataflow"}, {"T"}, {"DF"})
    assert [state for _, state in found] == [data.data_state(flow.pk) for flow, _ in found]
    assert [state is not None for _, state in found] == [True, False]
    assert found[0][1] is not None and found[0][1].last_load is not None
    assert data.find_dataflows_with_state({"T"}, {"OTHER"}) == []


def test_dataflows_with_state_are_found_by_no_one_or_several_names(
    store: StructureStore, dataflow_pk: int
) -> None:
    """Each shape of the lookup's statement (no name, one, several: an equality for one)."""
    other = ArtefactRef("Dataflow", "U", "DG", "1.0")
    structure = ArtefactRef("DataStructure", "T", "DF", "1.0")  # not a dataflow
    store.put_artefacts(
        [ArtefactRecord(ref, True, ref.id, "2.1", b"<x/>") for ref in (other, structure)]
    )
    data = DataStore(store.engine)

    def found(agencies: set[str] | None, ids: set[str] | None) -> list[tuple[str, str]]:
        flows = data.find_dataflows_with_state(agencies, ids)
        return [(flow.ref.agency_id, flow.ref.id) for flow, _ in flows]

    both = [("T", "DF"), ("U", "DG")]
    assert found(None, None) == both
    assert found({"T"}, None) == [("T", "DF")]
    assert found({"T", "U"}, None) == both
    assert found(None, {"DG"}) == [("U", "DG")]
    assert found({"T", "U"}, {"DF", "DG"}) == both
    assert found({"U"}, {"DF", "DG"}) == [("U", "DG")]
    assert found({"T", "V"}, {"DG"}) == []


def _count_rows(data: DataStore, table, dataflow_pk: int) -> int:  # type: ignore[no-untyped-def]
    query = (
        select(func.count())
        .select_from(table.join(series, table.c.series_pk == series.c.pk, isouter=True))
        .where((series.c.dataflow_pk == dataflow_pk) | series.c.pk.is_(None))
    )
    with data.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _count_series(data: DataStore, dataflow_pk: int) -> int:
    query = select(func.count()).select_from(series).where(series.c.dataflow_pk == dataflow_pk)
    with data.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_deleting_a_dataflow_deletes_its_observations_and_their_history(
    store: StructureStore, dataflow_pk: int
) -> None:
    """Series go with their dataflow, their observations and history with them (SQLite:
    foreign key cascades; PostgreSQL: the triggers of `cascade_by_trigger`), and another
    dataflow's stay."""
    other_ref = ArtefactRef("Dataflow", "T", "DF2", "1.0")
    store.put_artefacts([ArtefactRecord(other_ref, True, "DF2", "2.1", b"<y/>")])
    other_pk = next(a.pk for a in store.find_artefacts() if a.ref == other_ref)
    data = DataStore(store.engine)
    for pk in (dataflow_pk, other_pk):
        _load(data, pk, ROWS)
        _load(data, pk, [("A", "FRA", "2019", "12", None, "PS")], "Merge")  # one in history
    assert store.delete_artefact(ArtefactRef("Dataflow", "T", "DF", "1.0")) == (True, None)
    assert _count_series(data, dataflow_pk) == 0
    assert _count_series(data, other_pk) == len({row[:2] for row in ROWS})
    # Rows of no series (orphans) are counted with the deleted dataflow's.
    assert _count_rows(data, observations, dataflow_pk) == 0
    assert _count_rows(data, observation_history, dataflow_pk) == 0
    assert _count_rows(data, observations, other_pk) == len(ROWS)
    assert _count_rows(data, observation_history, other_pk) == 1


def test_data_tables_are_checked_row_by_row_only_on_sqlite(tmp_path: Path) -> None:
    """A database created with the foreign keys from the observation tables to `series` and
    from `series` to `artefacts` (as every one was) loses them on PostgreSQL, where each
    costs a lookup and a lock per row written, and gets the triggers that cascade instead;
    SQLite keeps them."""
    engine = create_store_engine(fresh_database(tmp_path))
    try:
        metadata.create_all(engine)
        postgresql = engine.dialect.name == "postgresql"
        assert cascade_by_trigger(engine) is postgresql
        assert cascade_by_trigger(engine) is False  # done once
        inspector = inspect(engine)
        for table, kept in ((observations, "series"), (observation_history, "series")):
            referred = {k["referred_table"] for k in inspector.get_foreign_keys(table.name)}
            assert referred == (set() if postgresql else {kept})
        referred = {k["referred_table"] for k in inspector.get_foreign_keys(series.name)}
        assert referred == (set() if postgresql else {"artefacts"})
    finally:
        engine.dispose()


#: What `cascade_by_trigger` made before the dataflow's trigger (stop 36 to stop 43).
_EARLIER_SERIES_TRIGGER = (
    "CREATE OR REPLACE FUNCTION sdmxnode_series_deleted() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN "
    "DELETE FROM observations WHERE series_pk IN (SELECT pk FROM deleted_series); "
    "DELETE FROM observation_history WHERE series_pk IN (SELECT pk FROM deleted_series); "
    "RETURN NULL; END $$",
    "DROP TRIGGER sdmxnode_series_deleted ON series",
    "CREATE TRIGGER sdmxnode_series_deleted AFTER DELETE ON series "
    "REFERENCING OLD TABLE AS deleted_series FOR EACH STATEMENT "
    "EXECUTE FUNCTION sdmxnode_series_deleted()",
    "DROP TRIGGER sdmxnode_dataflow_deleted ON artefacts",
    "ALTER TABLE series ADD CONSTRAINT series_dataflow_pk_fkey FOREIGN KEY (dataflow_pk) "
    "REFERENCES artefacts (pk) ON DELETE CASCADE",
)


def test_a_store_upgraded_before_the_dataflow_trigger_gets_it(tmp_path: Path) -> None:
    """A PostgreSQL store that `cascade_by_trigger` upgraded when it replaced the observation
    tables' foreign keys alone (the series' trigger of then there, the series' key to
    `artefacts` still checked) loses that key too and gets the dataflow's trigger; deleting
    a dataflow then deletes its series and their observations."""
    engine = create_store_engine(fresh_database(tmp_path))
    try:
        if engine.dialect.name != "postgresql":
            pytest.skip("the foreign keys are replaced by triggers on PostgreSQL only")
        metadata.create_all(engine)
        assert cascade_by_trigger(engine) is True
        with engine.begin() as conn:  # back to the state the earlier upgrade left
            for ddl in _EARLIER_SERIES_TRIGGER:
                conn.exec_driver_sql(ddl)
        assert cascade_by_trigger(engine) is True
        assert cascade_by_trigger(engine) is False
        assert inspect(engine).get_foreign_keys(series.name) == []
        store = StructureStore(engine)
        ref = ArtefactRef("Dataflow", "T", "DF", "1.0")
        store.put_artefacts([ArtefactRecord(ref, True, "DF", "2.1", b"<x/>")])
        dataflow = store.find_artefacts()[0].pk
        data = DataStore(engine)
        _load(data, dataflow, ROWS)
        assert store.delete_artefact(ref) == (True, None)
        assert _count_series(data, dataflow) == 0
        assert _count_rows(data, observations, dataflow) == 0
    finally:
        engine.dispose()


def _many_series_rows(count: int, unit: str = "PS") -> list[tuple]:
    """Three observations of each of `count` series new to the store."""
    return [
        ("A", f"C{i:03}", str(year), str(i), None, unit)
        for i in range(count)
        for year in (2019, 2020, 2021)
    ]


def _stored_series(data: DataStore, dataflow_pk: int) -> dict[str, str | None]:
    with data.engine.connect() as conn:
        found = conn.execute(
            select(series.c.series_key, series.c.attributes).where(
                series.c.dataflow_pk == dataflow_pk
            )
        )
        return {key: attributes for key, attributes in found}


@pytest.mark.parametrize("held", [5, 4096])
def test_a_first_load_in_many_batches_writes_every_series_and_observation(
    store: StructureStore,
    dataflow_pk: int,
    held: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Batches of two observations, series held back (PostgreSQL) five at a time or all
    along: every observation is stored once, every series once with its attributes, and
    a series attribute sent again with another value in a later batch is the one kept.
    On PostgreSQL the observations go through a few COPYs, not one a batch."""
    monkeypatch.setattr(data_writes, "BATCH_SIZE", 2)
    monkeypatch.setattr(data_writes, "SERIES_HELD", held)
    started: list[bool] = []
    start = CopyStream._start
    monkeypatch.setattr(
        CopyStream, "_start", lambda self, binary: started.append(binary) or start(self, binary)
    )
    data = DataStore(store.engine)
    rows = _many_series_rows(60)
    rows.append(("A", "C007", "2022", "7", "E", "XX"))  # its series' unit, later
    counts = _load(data, dataflow_pk, rows)
    assert counts.observations_written == 181 and counts.series_written == 60
    stored = sorted((r[0], r[2], r[3], r[4]) for r in _current(data, dataflow_pk))
    assert stored == sorted((f"A.{r[1]}", r[2], r[3], r[4]) for r in rows)
    units = _stored_series(data, dataflow_pk)
    assert len(units) == 60 and units.pop("A.C007") == "XX"
    assert set(units.values()) == {"PS"}
    if store.engine.dialect.name == "postgresql":
        # 91 batches; a COPY ends when series keys are reserved (blocks of 16, 16, 32) and,
        # with five held, when the held series are written.
        assert 0 < len(started) <= (30 if held == 5 else 4)
        assert all(started)  # binary: every text column held text


def test_a_load_failing_while_its_observations_stream_writes_nothing(
    store: StructureStore, dataflow_pk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data set's rows fail after several batches were sent (on PostgreSQL into an open
    COPY): nothing of the load is stored, and the next load writes as usual."""
    monkeypatch.setattr(data_writes, "BATCH_SIZE", 2)
    data = DataStore(store.engine)

    def failing() -> Iterator[tuple]:
        for row in _many_series_rows(10):
            yield (*row, 0)
        raise RuntimeError("a finding arrived")

    with pytest.raises(RuntimeError):
        with data.transaction(_bounds) as tx:
            tx.writer(dataflow_pk, LAYOUT, "Merge").write(COLUMNS, failing(), "Merge")
    assert _current(data, dataflow_pk) == [] and _stored_series(data, dataflow_pk) == {}
    _load(data, dataflow_pk, ROWS)
    assert len(_current(data, dataflow_pk)) == len(ROWS)


def test_a_load_whose_write_is_refused_midway_writes_nothing(
    store: StructureStore, dataflow_pk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An observation sent twice in a first load breaks the observations' key when the
    rows reach the store (on PostgreSQL, in the middle of a COPY): the load fails, nothing
    of it is stored, and the connection serves the next load."""
    monkeypatch.setattr(data_writes, "BATCH_SIZE", 2)
    data = DataStore(store.engine)
    rows = [*_many_series_rows(4), ("A", "C000", "2019", "9", None, "PS")]
    with pytest.raises(Exception) as refused:  # noqa: PT011
        _load(data, dataflow_pk, rows)
    assert isinstance(refused.value, StorageError)
    assert _current(data, dataflow_pk) == [] and _stored_series(data, dataflow_pk) == {}
    _load(data, dataflow_pk, ROWS)
    assert len(_current(data, dataflow_pk)) == len(ROWS)


@pytest.fixture
def copying_store(store: StructureStore) -> StructureStore:
    """The store, for tests of PostgreSQL's COPY (skipped on SQLite)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    return store


def test_a_copy_stream_switches_format_for_rows_that_are_not_all_text(
    copying_store: StructureStore, dataflow_pk: int
) -> None:
    """PostgreSQL: rows with a number in a text column go in COPY's text format, which
    writes its text; the stream ends the binary COPY for them and starts one after."""
    data = DataStore(copying_store.engine)
    _load(data, dataflow_pk, ROWS[:1])
    with copying_store.engine.connect() as conn:
        pk = conn.execute(select(series.c.pk)).scalar_one()
    batches = [
        [(pk, "2001", "2001-01-01", "2001-12-31", "1", None, 0)],
        [(pk, "2002", "2002-01-01", "2002-12-31", 2, None, 0)],  # a number
        [(pk, "2003", "2003-01-01", "2003-12-31", "3", "E", 0)],
    ]
    with copying_store.engine.begin() as conn:
        stream = CopyStream(conn, observations.name, OBSERVATION_COLUMNS)
        formats = []
        for batch in batches:
            stream.write(batch)
            formats.append(stream._binary)
        assert stream.is_open
        stream.close()
        assert not stream.is_open
        found = conn.execute(
            select(observations.c.period, observations.c.value, observations.c.attributes)
            .where(observations.c.period.in_(["2001", "2002", "2003"]))
            .order_by(observations.c.period)
        ).all()
    assert formats == [True, False, True]
    assert [tuple(r) for r in found] == [
        ("2001", "1", None),
        ("2002", "2", None),
        ("2003", "3", "E"),
    ]


def test_a_copy_stream_failing_on_a_row_ends_its_copy(copying_store: StructureStore) -> None:
    """PostgreSQL: a row the driver cannot send (text where the key is a number) ends the
    COPY with that error: nothing of it is stored and the engine's connections serve on."""
    stream = None
    with pytest.raises(TypeError), copying_store.engine.begin() as conn:
        stream = CopyStream(conn, observations.name, OBSERVATION_COLUMNS)
        stream.write([(1, "2001", "2001-01-01", "2001-12-31", "1", None, 0)])
        stream.write([("x", "2002", "2002-01-01", "2002-12-31", "2", None, 0)])
    assert stream is not None and not stream.is_open
    with copying_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(observations)).scalar_one() == 0


def test_a_copy_stream_refused_at_its_start_raises_sqlalchemy_s_error(
    copying_store: StructureStore,
) -> None:
    """PostgreSQL: a COPY the server refuses as it starts (here its table locked by another
    transaction past the lock timeout) raises SQLAlchemy's error, which the store's callers
    turn into the node's (`storage.failures`), not the driver's own."""
    with copying_store.engine.connect() as holder:
        holder.exec_driver_sql("BEGIN; LOCK TABLE observations IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(DBAPIError, match="lock"), copying_store.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '50ms'")
            stream = CopyStream(conn, observations.name, OBSERVATION_COLUMNS)
            stream.write([(1, "2001", "2001-01-01", "2001-12-31", "1", None, 0)])
        holder.rollback()


def test_a_large_first_load_refreshes_the_statistics_sampling_observations_lightly(
    copying_store: StructureStore, dataflow_pk: int
) -> None:
    """PostgreSQL: a load adding 1,200 series analyses both data tables once committed,
    series at SERIES_STATISTICS_TARGET (their values pick the indexes), observations at
    OBSERVATIONS_STATISTICS_TARGET (each a histogram of as many buckets)."""
    data = DataStore.sharing(copying_store)
    rows = [
        ("A", f"C{i:04}", str(1800 + (i + year) % 400), str(i), None, "PS")
        for i in range(1200)
        for year in range(3)
    ]
    _load(data, dataflow_pk, rows)
    query = text(
        "SELECT tablename, attname, cardinality(histogram_bounds::text::text[]) FROM pg_stats "
        "WHERE schemaname = current_schema() AND (tablename, attname) IN "
        "(('series', 'd1'), ('observations', 'period_start'))"
    )
    with data.engine.connect() as conn:
        buckets = {(table, column): count for table, column, count in conn.execute(query)}
    assert buckets[("observations", "period_start")] == OBSERVATIONS_STATISTICS_TARGET + 1
    assert buckets[("series", "d1")] == SERIES_STATISTICS_TARGET + 1
    # the series per observation pinned from the two counts, not guessed from a sample
    pinned = text(
        "SELECT a.attoptions, s.n_distinct FROM pg_attribute a JOIN pg_stats s "
        "ON s.schemaname = current_schema() AND s.tablename = 'observations' "
        "AND s.attname = a.attname WHERE a.attrelid = 'observations'::regclass "
        "AND a.attname = 'series_pk'"
    )
    with data.engine.connect() as conn:
        options, n_distinct = conn.execute(pinned).one()
    assert options == ["n_distinct=-0.333333"] and n_distinct == pytest.approx(-1 / 3, rel=1e-5)
