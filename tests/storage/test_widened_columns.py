"""An older PostgreSQL database, whose value columns were VARCHAR(2000/20000), is widened to
TEXT when the node starts: the length limits are the validation engine's, not the store's."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.upgrades import WIDENED_COLUMNS, widen_columns

pytestmark = pytest.mark.postgres


def test_varchar_value_columns_become_text(store: StructureStore) -> None:
    if store.dialect_name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths: nothing to widen")
    with store.engine.begin() as conn:  # as an earlier version of the node created them
        conn.execute(text("ALTER TABLE observations ALTER COLUMN value TYPE VARCHAR(2000)"))
        conn.execute(text("ALTER TABLE series ALTER COLUMN attributes TYPE VARCHAR(20000)"))
        conn.execute(text("DELETE FROM schema_state"))  # and kept no mark of its schema
    store.create_schema()
    inspector = inspect(store.engine)
    for table, name in WIDENED_COLUMNS:
        column = next(c for c in inspector.get_columns(table.name) if c["name"] == name)
        assert getattr(column["type"], "length", None) is None, (table.name, name)
    assert widen_columns(store.engine) == []  # idempotent
