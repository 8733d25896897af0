"""The registrations store, on SQLite and (with SDMXNODE_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect

from sdmxnode.formats.registrations.model import Pull, Registration
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.registrations import RegistrationStore
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata
from tests.conftest import fresh_database
from tests.registrations.conftest import PA_DESA, PA_NSO


def _store(tmp_path: Path) -> RegistrationStore:
    engine = create_store_engine(fresh_database(tmp_path))
    metadata.create_all(engine)
    return RegistrationStore(engine)


def test_write_find_replace_delete_and_pull(tmp_path: Path) -> None:
    store = _store(tmp_path)
    one = Registration(
        "R1", PA_NSO, "TEST:NSO", "http://b/rest/v2", index_flags=frozenset({"indexDataSet"})
    )
    two = Registration("R2", PA_DESA, "IMDX:UN_DESA_POP", "http://c/d.csv", queryable=False)
    stored = store.apply([one, two], [])
    assert [r.id for r in stored] == ["R1", "R2"]
    assert stored[0].created is not None and stored[0].index_flags == {"indexDataSet"}
    assert [r.id for r in store.find(providers=["TEST:NSO"])] == ["R1"]
    assert [r.id for r in store.find(agreement_urns=[PA_DESA])] == ["R2"]
    assert store.get("R2") is not None and not store.get("R2").queryable  # type: ignore[union-attr]

    created = stored[0].created
    assert created is not None
    assert [r.id for r in store.find(updated_after=created - timedelta(seconds=1))] == ["R1", "R2"]
    assert store.find(updated_after=created + timedelta(seconds=5)) == []
    assert store.find(updated_before=created) == []

    store.record_pull("R1", Pull(datetime(2026, 12, 5, 1), "ok", 12, 1))
    (replaced,) = store.apply([Registration("R1", PA_NSO, "TEST:NSO", "http://b2/rest")], [])
    assert replaced.source_url == "http://b2/rest" and replaced.created == created
    assert replaced.last_pull == Pull(datetime(2026, 12, 5, 1), "ok", 12, 1)

    store.apply([], ["R2"])
    assert [r.id for r in store.find()] == ["R1"]
    store.engine.dispose()


def test_a_store_created_before_registrations_gets_the_table(tmp_path: Path) -> None:
    engine = create_store_engine(fresh_database(tmp_path))
    older = [t for t in metadata.sorted_tables if t.name != "registrations"]
    metadata.create_all(engine, tables=older)
    assert "registrations" not in inspect(engine).get_table_names()
    StructureStore(engine).create_schema()  # what opening a node does
    store = RegistrationStore(engine)
    store.apply([Registration("R1", PA_NSO, "TEST:NSO", "http://b")], [])
    assert [r.id for r in store.find()] == ["R1"]
    engine.dispose()
