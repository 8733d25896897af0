"""A database whose series were keyed by (dataflow, key) gets the provider in the key."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Index, MetaData, Table, UniqueConstraint, insert, inspect, select

from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.tables import artefacts, metadata, observations, series
from sdmxnode.storage.upgrades import key_series_by_provider
from tests.conftest import fresh_database


def _old_series(md: MetaData) -> Table:
    columns = [
        Column(c.name, c.type, nullable=c.nullable, primary_key=c.primary_key)
        for c in series.columns
        if c.name != "provider"
    ]
    table = Table(
        "series", md, *columns, UniqueConstraint("dataflow_pk", "series_key", name="uq_series_key")
    )
    Index("ix_series_d0", table.c.dataflow_pk, table.c.d0)
    Index("ix_series_d1", table.c.dataflow_pk, table.c.d1)
    return table


def test_old_series_become_unattributed_and_providers_then_coexist(tmp_path: Path) -> None:
    engine = create_store_engine(fresh_database(tmp_path))
    old = MetaData()
    Table("artefacts", old, *[c.copy() for c in artefacts.columns])
    _old_series(old)
    old.create_all(engine)
    metadata.create_all(engine)  # every other table; series and artefacts exist already
    with engine.begin() as conn:
        conn.execute(
            insert(artefacts).values(
                pk=1,
                type="Dataflow",
                agency_id="A",
                id="F",
                version="1.0",
                is_final=True,
                name="",
                sdmx_ml="2.1",
                xml=b"<x/>",
                digest="d",
                updated=__import__("datetime").datetime(2026, 1, 1),
            )
        )
        conn.exec_driver_sql("INSERT INTO series (pk, dataflow_pk, series_key) VALUES (7, 1, 'K')")
        conn.execute(
            insert(observations).values(
                series_pk=7,
                period="2020",
                period_start="2020-01-01",
                period_end="2020-12-31",
                value="1",
                load_pk=1,
            )
        )
    assert "provider" not in {c["name"] for c in inspect(engine).get_columns("series")}

    assert key_series_by_provider(engine) is True
    assert key_series_by_provider(engine) is False  # idempotent

    with engine.begin() as conn:
        assert conn.execute(select(series.c.pk, series.c.provider)).all() == [(7, "")]
        assert conn.execute(select(observations.c.value)).scalars().all() == ["1"]
        conn.execute(insert(series).values(pk=8, dataflow_pk=1, series_key="K", provider="X:P"))
        conn.execute(
            insert(observations).values(
                series_pk=8,
                period="2020",
                period_start="2020-01-01",
                period_end="2020-12-31",
                value="2",
                load_pk=1,
            )
        )
    with engine.begin() as conn:
        assert sorted(conn.execute(select(observations.c.value)).scalars()) == ["1", "2"]
    indexes = {i["name"] for i in inspect(engine).get_indexes("series")}
    assert {"ix_series_d0", "ix_series_d1"} <= indexes  # SQLite's rebuilt table has them too
    engine.dispose()


def test_a_database_without_the_key_position_indexes_gets_them(tmp_path: Path) -> None:
    """Issue 23: an older database (series indexed on the first two positions only, no
    structure generation) is brought up to the current tables when a node opens it."""
    from sdmxnode.storage.structures import StructureStore

    engine = create_store_engine(fresh_database(tmp_path))
    old = MetaData()
    Table("artefacts", old, *[c.copy() for c in artefacts.columns])
    table = Table("series", old, *[c.copy() for c in series.columns])
    Index("ix_series_d0", table.c.dataflow_pk, table.c.d0)
    Index("ix_series_d1", table.c.dataflow_pk, table.c.d1)
    old.create_all(engine)
    before = {index["name"] for index in inspect(engine).get_indexes("series")}
    assert "ix_series_d3" not in before and "ix_series_key" not in before
    store = StructureStore(engine)
    store.create_schema()
    after = {index["name"] for index in inspect(engine).get_indexes("series")}
    assert {"ix_series_key", "ix_series_d3", "ix_series_d23"} <= after
    assert store.generation() == 0
    store.create_schema()  # again, as every process does when it starts: nothing to do
    assert store.generation() == 0
    engine.dispose()
