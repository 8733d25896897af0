"""Bringing a database created by an earlier version of the node up to the current tables.

`metadata.create_all` creates missing tables but never changes an existing one, and the
node has no migration tool. Columns added to an existing table since are nullable and
listed in ADDED_COLUMNS; `add_missing_columns` adds those a database lacks, idempotently
and safely when several processes start at once (a column another process added meanwhile
is no error); `add_missing_indexes` does the same for indexes. `key_series_by_provider`
makes the data provider part of a series' identity (issue 17) in a database whose series
were keyed by dataflow and key alone: their data become unattributed (provider '').
`cascade_by_trigger` replaces, on PostgreSQL, the row-by-row foreign key checks of the
observation tables and of `series` by triggers that delete a deleted series' rows and a
deleted dataflow's series (new and old databases alike).

All of these read the catalogue (about 40 ms of round trips on PostgreSQL, at each start
of the node and each command): `schema_digest` names the files that define the tables and
these upgrades, and a database marked with the same digest (`mark_schema`) is up to date.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sqlalchemy import Column, Connection, Engine, Table, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateColumn, CreateTable

from sdmxnode.storage import tables as table_definitions
from sdmxnode.storage.engine import WRITE_OPTION, upsert_insert
from sdmxnode.storage.tables import (
    artefacts,
    audit_log,
    data_layouts,
    loads,
    metadata,
    observation_history,
    observations,
    schema_state,
    series,
    tokens,
)


def schema_digest() -> str | None:
    """A digest of the files that define the node's tables (`storage.tables`) and their
    upgrades (this module), or None when they cannot be read: any change to either, a
    comment included, makes the next start check the database again."""
    digest = hashlib.sha256()
    try:
        for module in (table_definitions, sys.modules[__name__]):
            digest.update(Path(str(module.__file__)).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def schema_is_marked(engine: Engine, digest: str) -> bool:
    """Whether the database was brought up to the tables of `digest` (False when it has
    no mark, or not even the table of the mark).

    PostgreSQL is first asked whether the table exists (`to_regclass`, through the search
    path as the read would go): a read of a missing table, on a new database or one of a
    node before the mark, would be logged by the server as an error."""
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                exists = conn.execute(select(func.to_regclass(schema_state.name))).scalar()
                if exists is None:
                    return False
            found = conn.execute(select(schema_state.c.digest)).scalar()
    except SQLAlchemyError:
        return False
    return found == digest


def mark_schema(engine: Engine, digest: str) -> None:
    """Mark the database as brought up to the tables of `digest`, in one statement (a
    process marking it at the same time is no error: the last one's mark stays)."""
    with engine.begin() as conn:
        statement = upsert_insert(conn, schema_state).values(pk=1, digest=digest)
        conn.execute(
            statement.on_conflict_do_update(index_elements=["pk"], set_={"digest": digest})
        )


#: Nullable columns added to existing tables, oldest first.
ADDED_COLUMNS: tuple[tuple[Table, str], ...] = (
    (tokens, "expires"),
    (tokens, "last_used"),
    (audit_log, "process"),
    (tokens, "provider"),
    (loads, "provider"),
    (loads, "conversion"),
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


def add_missing_indexes(engine: Engine) -> list[str]:
    """Create every index of the node's tables the database lacks (an index added since it
    was created); the names created. Safe when several processes start at once (an index
    another process created meanwhile is no error). One catalogue read when none lacks."""
    present = _index_names(engine)
    created = []
    for table in metadata.sorted_tables:
        for index in sorted(table.indexes, key=lambda index: str(index.name)):
            if index.name in present:
                continue
            try:
                with engine.begin() as conn:
                    index.create(conn)
            except SQLAlchemyError:
                if index.name not in _index_names(engine):  # not made by another process
                    raise
                continue
            created.append(str(index.name))
    return created


def _index_names(engine: Engine) -> set[str]:
    """The names of the indexes the database holds (of any table)."""
    if engine.dialect.name == "postgresql":
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    with engine.connect() as conn:
        return {str(name) for (name,) in conn.exec_driver_sql(query)}


_SERIES_IDENTITY = "uq_series_provider_key UNIQUE (dataflow_pk, provider, series_key)"


def key_series_by_provider(engine: Engine) -> bool:
    """Add `series.provider` (existing series: '', unattributed) and make the series'
    unique key (dataflow, provider, series key), where the database lacks it; whether it
    changed the database. PostgreSQL changes the constraint in place; SQLite, which cannot
    change a table's constraints, copies the table into one of the current definition (in
    one transaction, foreign keys off so that no observation cascades away)."""
    if "provider" in _present(engine, series):
        return False
    if engine.dialect.name == "postgresql":
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("ALTER TABLE series ADD COLUMN provider VARCHAR(400) DEFAULT '' NOT NULL")
                )
                conn.execute(text("ALTER TABLE series DROP CONSTRAINT uq_series_key"))
                conn.execute(text(f"ALTER TABLE series ADD CONSTRAINT {_SERIES_IDENTITY}"))
        except SQLAlchemyError:
            if "provider" not in _present(engine, series):  # not done by another process
                raise
            return False
        return True
    with engine.connect() as conn:
        # On the driver's connection, outside any transaction (where SQLite ignores it).
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                return _copy_series(conn)
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _copy_series(conn: Connection) -> bool:
    """SQLite: rebuild `series` with the provider column, under the write lock."""
    before = [c["name"] for c in inspect(conn).get_columns(series.name)]
    if "provider" in before:  # another process did it while this one waited
        return False
    create = str(CreateTable(series).compile(dialect=conn.dialect))
    conn.exec_driver_sql(create.replace("CREATE TABLE series ", "CREATE TABLE series_new ", 1))
    names = ", ".join(before)
    conn.exec_driver_sql(f"INSERT INTO series_new ({names}) SELECT {names} FROM series")
    conn.exec_driver_sql("DROP TABLE series")
    conn.exec_driver_sql("ALTER TABLE series_new RENAME TO series")
    for index in series.indexes:
        index.create(conn)
    return True


#: The foreign keys PostgreSQL checks row by row that triggers stand for
#: (`cascade_by_trigger`): from the observation tables to `series`, and from `series` to
#: its dataflow's row in `artefacts`.
_CASCADED_FOREIGN_KEYS = {
    observations.name: "observations_series_pk_fkey",
    observation_history.name: "observation_history_series_pk_fkey",
    series.name: "series_dataflow_pk_fkey",
}
#: Each trigger's table, and what it deletes with the rows deleted from it (its transition
#: table, `deleted_rows`): one set-based statement per statement.
_CASCADE_TRIGGERS = {
    "sdmxnode_series_deleted": (
        series.name,
        "DELETE FROM observations WHERE series_pk IN (SELECT pk FROM deleted_rows); "
        "DELETE FROM observation_history WHERE series_pk IN (SELECT pk FROM deleted_rows);",
    ),
    "sdmxnode_dataflow_deleted": (
        artefacts.name,
        "DELETE FROM series WHERE dataflow_pk IN (SELECT pk FROM deleted_rows);",
    ),
}


def _cascade_ddl(name: str, table: str, deletes: str) -> tuple[str, ...]:
    """The trigger `name` on `table` and its function, made again if there."""
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {deletes} RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {name}()",
    )


def cascade_by_trigger(engine: Engine) -> bool:
    """On PostgreSQL, drop the foreign keys from `observations` and `observation_history`
    to `series` and from `series` to `artefacts`, and delete the rows that referred to a
    deleted row by statement triggers instead; whether it changed the database.

    PostgreSQL checks a foreign key row by row (a lookup and a key-share lock of the
    referred row per row inserted): measured on a first load of 500,000 observations, the
    observations' check took 5.2 of the server's 7.9 CPU seconds, which made its load
    slower than SQLite's; the history copy of an overwrite paid the same. The series' check
    of their dataflow cost 5 to 6 us a series (1.0 to 1.3 of the 4.8 to 4.9 s a COPY of
    200,000 series took in `psql`), a real share of a load whose series hold few
    observations. Every series pk a
    load writes is one it read or inserted in its transaction, and every series it inserts
    is of the dataflow whose row it share-locked first (`DataTransaction.writer`), which a
    deletion of the dataflow (the only way series are deleted) waits for: the checks found
    nothing. The ON DELETE CASCADE they carried is the triggers' (one set-based DELETE per
    statement, not one per row). SQLite keeps the foreign keys: its checks cost little.
    """
    if engine.dialect.name != "postgresql" or _has_cascade_triggers(engine):
        return False
    try:
        with engine.begin() as conn:
            for table, name in _CASCADED_FOREIGN_KEYS.items():
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
            for name, (table, deletes) in _CASCADE_TRIGGERS.items():
                for ddl in _cascade_ddl(name, table, deletes):
                    conn.exec_driver_sql(ddl)
    except SQLAlchemyError:
        if not _has_cascade_triggers(engine):  # not made by another process meanwhile
            raise
        return False
    return True


def _has_cascade_triggers(engine: Engine) -> bool:
    """Whether every trigger of `_CASCADE_TRIGGERS` is on its table (a database made before
    the dataflow's trigger has the series' alone)."""
    query = text(
        "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(:names) AND tgrelid IN "
        "(to_regclass(quote_ident(current_schema()) || '.series'), "
        "to_regclass(quote_ident(current_schema()) || '.artefacts'))"
    )
    with engine.connect() as conn:
        found = conn.execute(query, {"names": list(_CASCADE_TRIGGERS)}).scalar_one()
    return int(found) == len(_CASCADE_TRIGGERS)
