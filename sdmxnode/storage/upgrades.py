"""Bringing a database created by an earlier version of the node up to the current tables.

`metadata.create_all` creates missing tables but never changes an existing one, and the
node has no migration tool. Columns added to an existing table since are nullable and
listed in ADDED_COLUMNS; `add_missing_columns` adds those a database lacks, idempotently
and safely when several processes start at once (a column another process added meanwhile
is no error).
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, Table, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateColumn

from sdmxnode.storage.tables import (
    audit_log,
    data_layouts,
    observation_history,
    observations,
    series,
    tokens,
)

#: Nullable columns added to existing tables, oldest first.
ADDED_COLUMNS: tuple[tuple[Table, str], ...] = (
    (tokens, "expires"),
    (tokens, "last_used"),
    (audit_log, "process"),
)


#: Columns once VARCHAR(n) that are now unbounded (TEXT): any valid value must fit
#: (issue 14: PostgreSQL refused an OBS_VALUE over 2,000 characters that SQLite stored).
WIDENED_COLUMNS: tuple[tuple[Table, str], ...] = (
    (observations, "value"),
    (observations, "attributes"),
    (observation_history, "value"),
    (observation_history, "attributes"),
    (series, "attributes"),
    (data_layouts, "layout"),
    (data_layouts, "dataset_attributes"),
)


def widen_columns(engine: Engine) -> list[str]:
    """On PostgreSQL, turn the WIDENED_COLUMNS a database still has as VARCHAR into TEXT
    (SQLite does not enforce lengths); the `table.column` names changed."""
    if engine.dialect.name != "postgresql":
        return []
    changed = []
    inspector = inspect(engine)
    for table, name in WIDENED_COLUMNS:
        column = next(c for c in inspector.get_columns(table.name) if c["name"] == name)
        if getattr(column["type"], "length", None) is None:
            continue  # TEXT already
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {table.name} ALTER COLUMN {name} TYPE TEXT"))
        changed.append(f"{table.name}.{name}")
    return changed


def _present(engine: Engine, table: Table) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table.name)}


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every column of ADDED_COLUMNS the database lacks; the `table.column` names added.

    Raises SQLAlchemyError when a column cannot be added (and is still missing)."""
    added = []
    present: dict[str, set[str]] = {}
    for table, name in ADDED_COLUMNS:
        if table.name not in present:
            present[table.name] = _present(engine, table)
        if name in present[table.name]:
            continue
        column: Column = table.c[name]
        ddl = CreateColumn(column).compile(dialect=engine.dialect)
        try:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
        except SQLAlchemyError:
            if name not in _present(engine, table):  # not added by a concurrent process
                raise
            continue
        added.append(f"{table.name}.{name}")
    return added
