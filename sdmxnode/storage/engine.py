"""Creating the SQLAlchemy engine for SQLite (WAL, foreign keys) or PostgreSQL (psycopg),
and the write transactions both engines run every change in.

A write transaction is one atomic decision: what it checks and what it then writes see
no other writer's commit in between. On SQLite it starts with BEGIN IMMEDIATE, so that
the database's write lock is taken before its first read (a deferred transaction would
read, then fail to upgrade, or act on what another writer has since changed); on
PostgreSQL the transaction takes row locks on what it decides on (`lock_artefact`). A
writer that cannot get its lock within the engine's write wait gets StoreBusy (503 with
Retry-After), never a half write. Reads keep plain (deferred) transactions: in WAL mode
they never wait for writers.

A pooled PostgreSQL connection is pinged before use only when it may be gone
(`_postgresql_checkout`): SQLAlchemy's `pool_pre_ping` costs a round trip on every
checkout, about a tenth of a one-series answer.
"""

from __future__ import annotations

import logging
import os
import select
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError

from sdmxnode.errors import StorageError

log = logging.getLogger(__name__)

#: Seconds a writer waits for the store before StoreBusy, unless the engine says otherwise.
DEFAULT_WRITE_WAIT = 10.0
#: The execution option that marks a connection as a writer's (storage/writing.py).
WRITE_OPTION = "sdmxnode_write"
_WAIT_OPTION = "sdmxnode_write_wait"
#: Seconds a pooled PostgreSQL connection may sit idle before it is pinged on checkout
#: (a firewall or proxy may drop an idle connection without the socket saying so).
IDLE_PING_SECONDS = 60.0
_CHECKED_IN = "sdmxnode_checked_in"


def create_store_engine(
    url: str, *, write_wait: float = DEFAULT_WRITE_WAIT, durable: bool = True
) -> Engine:
    """An engine for `url`; SQLite files get WAL mode, enforced foreign keys, owner-only
    permissions and (with `durable`) commits that survive a power loss."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"not a database URL: {url!r}", where="SDMXNODE_DATABASE_URL") from exc
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {"future": True, "execution_options": {_WAIT_OPTION: write_wait}}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": write_wait}
    engine = create_engine(parsed, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_on_connect(durable))
        event.listen(engine, "begin", _sqlite_begin)
        database = parsed.database
        event.listen(engine, "do_connect", lambda *_: _create_private_file(database))
    else:
        event.listen(engine, "connect", _postgresql_on_connect)
        event.listen(engine, "checkin", _postgresql_checkin)
        event.listen(engine, "checkout", _postgresql_checkout(engine))
    log.debug("engine for %s", parsed.render_as_string(hide_password=True))
    return engine


def _postgresql_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Plan cursors for all their rows: the node reads data answers through server-side
    cursors (`storage.data.reads.stream`) to the end, and PostgreSQL plans a cursor for its
    first tenth by default (`cursor_tuple_fraction` 0.1), which took a walk over every
    series in key order (38 ms) where the index on the fixed key position takes 2."""
    dbapi_connection.execute("SET cursor_tuple_fraction = 1.0")
    dbapi_connection.commit()


def _postgresql_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _postgresql_checkout(engine: Engine) -> Any:
    """A checkout hook that pings a pooled connection only when it may be gone: its
    socket has something to read while no query runs (a backend ended by
    `pg_terminate_backend` or a server restart sends its last message, or end of file,
    there), or it sat idle longer than IDLE_PING_SECONDS. A failed ping raises
    DisconnectionError, on which the pool replaces the connection (up to three tries),
    so the request that meets a dropped connection is still answered."""

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None:
            return  # just connected, never used
        if not _may_be_gone(dbapi_connection, time.monotonic() - checked_in):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection is gone: {exc}") from exc
        if not alive:
            raise DisconnectionError("pooled connection did not answer a ping")

    return on_checkout


def _may_be_gone(dbapi_connection: Any, idle: float) -> bool:
    """Whether a pooled connection idle for `idle` seconds needs a ping before use."""
    if idle > IDLE_PING_SECONDS or getattr(dbapi_connection, "closed", False):
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


@contextmanager
def single_read(engine: Engine) -> Iterator[Connection]:
    """A connection for one read statement. On PostgreSQL it runs outside a transaction
    (autocommit: one statement is its own snapshot, as inside a transaction of its own),
    which spares the BEGIN and ROLLBACK round trips a pooled connection otherwise costs
    around it; the pool sets the connection back to transactions when it is returned.
    A block that runs more than one statement, or writes, takes `engine.connect()`."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def write_wait(engine: Engine) -> float:
    """Seconds a writer of `engine` waits for a lock before the store is called busy."""
    return float(engine.get_execution_options().get(_WAIT_OPTION, DEFAULT_WRITE_WAIT))


def _create_private_file(database: str | None) -> None:
    """Create a SQLite file readable by its owner only (0600), before SQLite creates it
    with the process umask; an existing file is left as it is."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists() or not path.parent.is_dir():
        return
    try:
        descriptor = os.open(
            path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, stat.S_IRUSR | stat.S_IWUSR
        )
    except FileExistsError:
        return
    os.close(descriptor)


def _sqlite_on_connect(durable: bool) -> Any:
    synchronous = "FULL" if durable else "NORMAL"

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The node, not pysqlite, says where transactions begin (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    return on_connect


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def upsert_insert(conn: Connection, table: Table) -> Insert:
    """An INSERT of `table` for the connection's dialect, the kind that takes
    `on_conflict_do_nothing` / `on_conflict_do_update` (PostgreSQL or SQLite)."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table)
