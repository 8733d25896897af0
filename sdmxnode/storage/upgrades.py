"""Bringing a database created by an earlier version of the node up to the current tables.

`metadata.create_all` creates missing tables but never changes an existing one, and the
node has no migration tool. Columns added to an existing table since are nullable and
listed in ADDED_COLUMNS; `add_missing_columns` adds those a database lacks, idempotently
and safely when several processes start at once (a column another process added meanwhile
is no error); `add_missing_indexes` does the same for indexes. `key_series_by_provider`
makes the data provider part of a series' identity (issue 17) in a database whose series
were keyed by dataflow and key alone: their data become unattributed (provider '').
`cascade_by_trigger` replaces, on PostgreSQL, the row-by-row foreign key checks of the
observation tables by a trigger that deletes a deleted series' rows (new and old
databases alike).
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Engine, Table, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateColumn, CreateTable

from sdmxnode.storage.engine import WRITE_OPTION
from sdmxnode.storage.tables import (
    audit_log,
    data_layouts,
    loads,
    metadata,
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


#: The foreign keys from the observation tables to `series` that PostgreSQL checks row by
#: row, and the trigger that does their ON DELETE CASCADE instead (`cascade_by_trigger`).
_OBSERVATION_FOREIGN_KEYS = {
    observations.name: "observations_series_pk_fkey",
    observation_history.name: "observation_history_series_pk_fkey",
}
_CASCADE_TRIGGER = "sdmxnode_series_deleted"
_CASCADE_DDL = (
    f"CREATE OR REPLACE FUNCTION {_CASCADE_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "DELETE FROM observations WHERE series_pk IN (SELECT pk FROM deleted_series); "
    "DELETE FROM observation_history WHERE series_pk IN (SELECT pk FROM deleted_series); "
    "RETURN NULL; END $$",
    f"CREATE TRIGGER {_CASCADE_TRIGGER} AFTER DELETE ON series "
    "REFERENCING OLD TABLE AS deleted_series FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {_CASCADE_TRIGGER}()",
)


def cascade_by_trigger(engine: Engine) -> bool:
    """On PostgreSQL, drop the foreign keys from `observations` and `observation_history`
    to `series` and delete a deleted series' rows of both by a statement trigger on
    `series` instead; whether it changed the database.

    PostgreSQL checks a foreign key row by row (a lookup and a key-share lock of the series
    row per observation): measured on a first load of 500,000 observations, 5.2 of the
    server's 7.9 CPU seconds, which made its load slower than SQLite's; the history copy of
    an overwrite paid the same. Every series pk a load writes is one it read or inserted in
    its transaction, under the share lock of the dataflow's row that a deletion of the
    dataflow (the only way series are deleted) waits for, so the check found nothing; the
    ON DELETE CASCADE it carried is the trigger's (one set-based DELETE per statement, not
    one per series). SQLite keeps the foreign keys: its checks cost little.
    """
    if engine.dialect.name != "postgresql" or _has_cascade_trigger(engine):
        return False
    try:
        with engine.begin() as conn:
            for table, name in _OBSERVATION_FOREIGN_KEYS.items():
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
            for ddl in _CASCADE_DDL:
                conn.exec_driver_sql(ddl)
    except SQLAlchemyError:
        if not _has_cascade_trigger(engine):  # not made by another process meanwhile
            raise
        return False
    return True


def _has_cascade_trigger(engine: Engine) -> bool:
    query = text(
        "SELECT 1 FROM pg_trigger WHERE tgname = :name "
        "AND tgrelid = to_regclass(quote_ident(current_schema()) || '.series')"
    )
    with engine.connect() as conn:
        return conn.execute(query, {"name": _CASCADE_TRIGGER}).first() is not None
