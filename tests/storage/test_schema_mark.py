"""The schema's mark: a database brought up to the node's tables is marked with their
digest, and a process of the same digest skips the catalogue checks at its start; one of
another digest (an older node's database, or none) runs them and marks it again."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.storage import structures, upgrades
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import schema_state
from sdmxnode.storage.upgrades import mark_schema, schema_digest, schema_is_marked
from tests.races import race

pytestmark = pytest.mark.postgres


def _checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The catalogue checks create_schema runs from now on, by name."""
    ran: list[str] = []
    original = structures.add_missing_indexes

    def recorded(engine):  # type: ignore[no-untyped-def]
        ran.append("add_missing_indexes")
        return original(engine)

    monkeypatch.setattr(structures, "add_missing_indexes", recorded)
    return ran


def _marks(store: StructureStore) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(schema_state.c.digest)).scalars())


def test_a_database_brought_up_to_the_tables_is_marked(store: StructureStore) -> None:
    digest = schema_digest()
    assert digest is not None and len(digest) == 64
    assert _marks(store) == [digest]
    assert schema_is_marked(store.engine, digest)
    assert not schema_is_marked(store.engine, "0" * 64)


def test_a_marked_database_is_not_checked_again(
    store: StructureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = _checks(monkeypatch)
    store.create_schema()
    assert ran == []


def test_a_database_of_another_mark_is_checked_and_marked_again(
    store: StructureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.engine.begin() as conn:  # as a node of other table definitions left it
        conn.execute(text("DROP INDEX ix_series_d1"))
        conn.execute(text("UPDATE schema_state SET digest = 'older'"))
    ran = _checks(monkeypatch)
    store.create_schema()
    assert ran == ["add_missing_indexes"]
    indexes = inspect(store.engine).get_indexes("series")
    assert "ix_series_d1" in {index["name"] for index in indexes}
    assert _marks(store) == [schema_digest()]


def test_a_database_without_a_mark_is_checked_and_marked(
    store: StructureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.engine.begin() as conn:  # made by a node before the mark
        conn.execute(text("DROP TABLE schema_state"))
    ran = _checks(monkeypatch)
    store.create_schema()
    assert ran == ["add_missing_indexes"]
    assert _marks(store) == [schema_digest()]


def test_a_database_without_a_mark_table_is_asked_without_a_failing_read(
    store: StructureStore,
) -> None:
    """On PostgreSQL a failing statement is an error in the server's log: a new database's
    first start must not read the mark's table before knowing it exists."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("only a server logs the statements that fail")
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE schema_state"))
    failed: list[str] = []

    def note(context: ExceptionContext) -> None:
        failed.append(str(context.statement))

    event.listen(store.engine, "handle_error", note)
    try:
        assert not schema_is_marked(store.engine, schema_digest() or "")
        store.create_schema()
    finally:
        event.remove(store.engine, "handle_error", note)
    assert failed == []
    assert schema_is_marked(store.engine, schema_digest() or "")


def test_unreadable_table_definitions_check_at_every_start(
    store: StructureStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(upgrades.table_definitions, "__file__", str(tmp_path / "absent.py"))
    assert schema_digest() is None
    ran = _checks(monkeypatch)
    store.create_schema()
    store.create_schema()
    assert ran == ["add_missing_indexes", "add_missing_indexes"]


def test_processes_marking_a_database_at_once_leave_one_mark(store: StructureStore) -> None:
    """Two processes starting together both find no mark, check, and mark: neither fails,
    and one row is left, whichever came last."""
    for round_ in range(30):
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM schema_state"))
        digests = [f"{round_}-{i}" for i in range(2)]
        first, second = (partial(_marked, store, digest) for digest in digests)
        assert race(first, second) == (None, None)
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(schema_state)).scalar() == 1
        assert _marks(store)[0] in digests


def _marked(store: StructureStore, digest: str) -> SQLAlchemyError | None:
    """Mark the store with `digest`; the error that refused it, if one did."""
    try:
        mark_schema(store.engine, digest)
    except SQLAlchemyError as exc:
        return exc
    return None
