"""What a load overwrites or deletes: copied to `observation_history`, then replaced or
removed, a batch at a time.

The history answers `updatedAfter` (deletions) and `includeHistory` (earlier values); each
row says which load superseded it and whether it was deleted. Every observation a load
writes over goes to the history, whether or not its value or attributes change: the
stored observation then belongs to that load (`updatedAfter`, and the deletions of a
replacement by `PUT`, go by the load that last wrote an observation).

A batch is first staged in a temporary table (`prepare_staging`), so that the history
copy and the write are each one set-based statement, whatever the batch's size.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Join,
    Select,
    String,
    and_,
    delete,
    insert,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.exc import DBAPIError

from sdmxnode.storage.engine import upsert_insert
from sdmxnode.storage.tables import (
    STAGING_DDL,
    STAGING_TABLES,
    metadata,
    observation_history,
    observations,
    staged_keys,
    staged_observations,
)

#: The columns of an observation row, as `overwrite_observations` takes them.
OBSERVATION_COLUMNS = (
    "series_pk",
    "period",
    "period_start",
    "period_end",
    "value",
    "attributes",
    "load_pk",
)
#: The text columns of an observation row the writer makes itself: the period it computed
#: the bounds of, and those bounds (`copy_rows`' `text_known`).
MADE_TEXT = ("period", "period_start", "period_end")
_HISTORY_COLUMNS = ["series_pk", "period", "value", "attributes", "load_pk", "superseded_by"]


def prepare_staging(conn: Connection) -> None:
    """Create the staging tables on this connection (for the transaction on PostgreSQL)
    unless they are there."""
    suffix = " ON COMMIT DROP" if conn.dialect.name == "postgresql" else ""
    for ddl in STAGING_DDL:
        conn.exec_driver_sql(ddl + suffix)


def overwrite_observations(conn: Connection, rows: Sequence[tuple], *, load_pk: int) -> None:
    """Write observation rows (`OBSERVATION_COLUMNS`, at most one per key) whether or not
    they are stored: the stored state of those that are goes to the history as superseded
    by load `load_pk`, then all are inserted or updated."""
    _empty(conn, "staged_observations")
    copy_rows(conn, "staged_observations", OBSERVATION_COLUMNS, rows, text_known=MADE_TEXT)
    stored, staged = observations.c, staged_observations.c
    _keep(
        conn,
        staged_observations.join(
            observations,
            and_(stored.series_pk == staged.series_pk, stored.period == staged.period),
        ),
        load_pk=load_pk,
        deleted=False,
    )
    upsert = upsert_insert(conn, observations).from_select(
        list(OBSERVATION_COLUMNS),
        # WHERE: SQLite would read the ON of ON CONFLICT as a join's without one.
        select(*(staged[c] for c in OBSERVATION_COLUMNS)).where(true()),
    )
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[stored.series_pk, stored.period],
            set_={c: upsert.excluded[c] for c in OBSERVATION_COLUMNS[2:]},
        )
    )


def delete_observations(
    conn: Connection, deletions: Sequence[tuple[int, str | None]] | Select, *, load_pk: int
) -> int:
    """Delete the observations named by (series pk, period) pairs — a pair without a period
    names its whole series — or by a query of such pairs, keeping their last state in the
    history as deleted by load `load_pk`; how many existed."""
    _empty(conn, "staged_keys")
    if isinstance(deletions, Select):
        conn.execute(insert(staged_keys).from_select(["series_pk", "period"], deletions))
    else:
        whole = {pk for pk, period in deletions if not period}
        named = {(pk, p) for pk, p in deletions if p and pk not in whole}
        if not whole and not named:
            return 0
        keys = [(pk, None) for pk in sorted(whole)] + sorted(named)  # type: ignore[arg-type]
        copy_rows(conn, "staged_keys", ("series_pk", "period"), keys)
    stored, staged = observations.c, staged_keys.c
    named_keys = select(staged.series_pk, staged.period).where(staged.period.is_not(None))
    whole_series = select(staged.series_pk).where(staged.period.is_(None))
    existed = 0
    for matching, condition in (
        (stored.period == staged.period, tuple_(stored.series_pk, stored.period).in_(named_keys)),
        (staged.period.is_(None), stored.series_pk.in_(whole_series)),
    ):
        on = and_(stored.series_pk == staged.series_pk, matching)
        kept = _keep(conn, staged_keys.join(observations, on), load_pk=load_pk, deleted=True)
        if kept:
            conn.execute(delete(observations).where(condition))
        existed += kept
    return existed


def _keep(conn: Connection, joined: Join, *, load_pk: int, deleted: bool) -> int:
    """Copy the stored observations of `joined` (a join of staged rows with them) to the
    history as superseded or deleted by `load_pk`; how many."""
    stored = observations.c
    query = select(
        stored.series_pk,
        stored.period,
        stored.value,
        stored.attributes,
        stored.load_pk,
        literal(load_pk),
        literal(deleted),
    ).select_from(joined)
    statement = insert(observation_history).from_select([*_HISTORY_COLUMNS, "deleted"], query)
    # preserve_rowcount: else the PostgreSQL dialect reports -1 for an INSERT.
    result = conn.execute(statement.execution_options(preserve_rowcount=True))
    return int(result.rowcount)


def _empty(conn: Connection, table: str) -> None:
    """Empty a staging table. TRUNCATE on PostgreSQL: a DELETE would leave the dead rows of
    every batch for the next ones to scan; SQLite truncates on a DELETE without WHERE."""
    verb = "TRUNCATE" if conn.dialect.name == "postgresql" else "DELETE FROM"
    conn.exec_driver_sql(f"{verb} {table}")


def copy_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple],
    *,
    text_known: Collection[str] = (),
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`: COPY on PostgreSQL (several
    times faster than an INSERT per row, even pipelined; see `CopyStream`), one
    executemany on SQLite."""
    if conn.dialect.name == "postgresql":
        stream = CopyStream(conn, table, columns, text_known=text_known)
        stream.write(rows)
        stream.close()
        return
    names = ", ".join(columns)
    marks = ", ".join(["?"] * len(columns))
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


class CopyStream:
    """Rows inserted into one table of a PostgreSQL connection through one COPY, which
    stays open across calls of `write` until `close`: each COPY costs the server about a
    millisecond to start and end (0.2 s of a million observations written in batches of
    5,000). While it is open, the connection runs nothing else: its owner closes it first.

    The COPY goes in PostgreSQL's binary format when every text column of the rows holds
    text or None (integer columns hold the node's own keys): psycopg then writes a row in
    half the client time of the text format, which escapes every value (0.33 against 0.62
    us a row of observations). `text_known` names text columns the caller made itself
    (periods and their bounds, joined keys), which are not looked over. Rows with any other
    value (a number in a text column) go in the text format, which writes its text: a
    batch that needs the other format ends the COPY and starts one in that format.
    """

    def __init__(
        self,
        conn: Connection,
        table: str,
        columns: Sequence[str],
        *,
        text_known: Collection[str] = (),
    ) -> None:
        self._conn = conn
        self._table = table
        self._columns = tuple(columns)
        self._text_known = text_known
        self._types = _binary_types(table, self._columns)
        self._binary = False
        self._open: ExitStack | None = None
        self._copy: Any = None

    @property
    def is_open(self) -> bool:
        """Whether a COPY is in progress on the connection."""
        return self._open is not None

    def write(self, rows: Sequence[tuple]) -> None:
        """Send `rows` (an error ends the COPY, which the server then refuses)."""
        if not rows:
            return
        types = self._types
        binary = types is not None and _only_text(rows, self._columns, types, self._text_known)
        if self._open is not None and binary != self._binary:
            self.close()
        with self._driver_errors():
            if self._open is None:
                self._start(binary)
            write_row = self._copy.write_row
            try:
                for row in rows:
                    write_row(row)
            except BaseException:
                opened, self._open, self._copy = self._open, None, None
                assert opened is not None
                opened.__exit__(*sys.exc_info())  # psycopg fails the COPY with the error
                raise

    def close(self) -> None:
        """End the COPY (nothing to do when none is open): the server has every row."""
        opened, self._open, self._copy = self._open, None, None
        if opened is not None:
            with self._driver_errors():
                opened.close()

    @contextmanager
    def _driver_errors(self) -> Iterator[None]:
        """The driver's errors raised as SQLAlchemy's, as a statement's are (the store's
        callers turn those into the node's errors: `storage.failures`)."""
        try:
            yield
        except Exception as exc:
            wrapped = self._wrapped(exc)
            if wrapped is exc:
                raise
            raise wrapped from exc

    def _wrapped(self, exc: BaseException) -> BaseException:
        dialect = self._conn.dialect
        if not isinstance(exc, dialect.loaded_dbapi.Error):
            return exc
        return DBAPIError.instance(
            f"COPY {self._table}", None, exc, dialect.loaded_dbapi.Error, dialect=dialect
        )

    def _start(self, binary: bool) -> None:
        driver = self._conn.connection.driver_connection
        assert driver is not None
        names = ", ".join(self._columns)
        statement = f"COPY {self._table} ({names}) FROM STDIN"
        opened = ExitStack()
        with opened:
            cursor = opened.enter_context(driver.cursor())  # type: ignore[attr-defined]
            copy = opened.enter_context(
                cursor.copy(statement + (" (FORMAT BINARY)" if binary else ""))
            )
            if binary:
                copy.set_types(self._types)
            self._open, self._copy, self._binary = opened.pop_all(), copy, binary


@cache
def _binary_types(table: str, columns: tuple[str, ...]) -> tuple[str, ...] | None:
    """The binary COPY types of `columns` of `table` (int4 or text); None when one is of
    another type."""
    found = metadata.tables[table] if table in metadata.tables else STAGING_TABLES[table]
    types = []
    for name in columns:
        kind = found.c[name].type
        if isinstance(kind, Integer):
            types.append("int4")
        elif isinstance(kind, String):  # Text too
            types.append("text")
        else:
            return None
    return tuple(types)


_TEXT = frozenset({str, type(None)})


def _only_text(
    rows: Sequence[tuple], columns: Sequence[str], types: Sequence[str], known: Collection[str]
) -> bool:
    """Whether the text columns of `rows` not in `known` hold only str or None (a column
    looked over at C speed: the set of its values' types)."""
    return all(
        set(map(type, map(itemgetter(index), rows))) <= _TEXT
        for index, (name, kind) in enumerate(zip(columns, types, strict=True))
        if kind == "text" and name not in known
    )
