"""The registrations store, on SQLite and (with SDMXNODE_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from sdmxnode.errors import Conflict
from sdmxnode.formats.registrations.model import Pull, Registration
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.registrations import RegistrationChange, RegistrationStore
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata
from tests.conftest import fresh_database
from tests.registrations.conftest import PA_DESA, PA_NSO


def _store(tmp_path: Path) -> RegistrationStore:
    engine = create_store_engine(fresh_database(tmp_path))
    metadata.create_all(engine)
    return RegistrationStore(engine)


def _create(registration: Registration) -> RegistrationChange:
    return RegistrationChange("create", registration)


def test_write_find_replace_delete_and_pull(tmp_path: Path) -> None:
    store = _store(tmp_path)
    one = Registration(
        "R1", PA_NSO, "TEST:NSO", "http://b/rest/v2", index_flags=frozenset({"indexDataSet"})
    )
    two = Registration("R2", PA_DESA, "IMDX:UN_DESA_POP", "http://c/d.csv", queryable=False)
    stored = store.apply([_create(one), _create(two)], [])
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
    again = Registration("R1", PA_NSO, "TEST:NSO", "http://b2/rest")
    (replaced,) = store.apply([RegistrationChange("replace", again, "TEST:NSO")], [])
    assert replaced.source_url == "http://b2/rest" and replaced.created == created
    assert replaced.last_pull == Pull(datetime(2026, 12, 5, 1), "ok", 12, 1)

    store.apply([RegistrationChange("delete", two, "IMDX:UN_DESA_POP")], [])
    assert [r.id for r in store.find()] == ["R1"]
    store.engine.dispose()


def test_a_store_created_before_registrations_gets_the_table(tmp_path: Path) -> None:
    engine = create_store_engine(fresh_database(tmp_path))
    older = [t for t in metadata.sorted_tables if t.name != "registrations"]
    metadata.create_all(engine, tables=older)
    assert "registrations" not in inspect(engine).get_table_names()
    StructureStore(engine).create_schema()  # what opening a node does
    store = RegistrationStore(engine)
    store.apply([_create(Registration("R1", PA_NSO, "TEST:NSO", "http://b"))], [])
    assert [r.id for r in store.find()] == ["R1"]
    engine.dispose()


def test_changes_are_decided_on_what_is_stored_then(tmp_path: Path) -> None:
    """A creation of an id taken, a replacement or deletion of a registration that is gone
    or belongs to another provider than the one checked: Conflict, and nothing of the
    submission is written (the valid change beside it neither)."""
    store = _store(tmp_path)
    held = Registration("R1", PA_NSO, "TEST:NSO", "http://b/rest/v2")
    store.apply([_create(held)], [])
    fresh = _create(Registration("R2", PA_DESA, "IMDX:UN_DESA_POP", "http://c"))
    refused = [
        _create(replace(held, provider="IMDX:UN_DESA_POP")),
        RegistrationChange("replace", replace(held, source_url="http://x"), "IMDX:UN_DESA_POP"),
        RegistrationChange("delete", held, "IMDX:UN_DESA_POP"),
        RegistrationChange("replace", replace(held, id="GONE"), "TEST:NSO"),
        RegistrationChange("delete", replace(held, id="GONE"), "TEST:NSO"),
    ]
    for change in refused:
        with pytest.raises(Conflict):
            store.apply([fresh, change], [])
        assert store.find() == [store.get("R1")] and store.get("R1").source_url == held.source_url  # type: ignore[union-attr]
    store.engine.dispose()
