"""What a data answer costs the connection pool: checkouts, pings, and a dropped connection
(issue 19: PostgreSQL's fixed cost per answer)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import Engine, event, text

from sdmxnode.services.node import Node
from sdmxnode.storage.engine import create_store_engine
from tests.conftest import POSTGRES_URL

FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
FRANCE = "A.FRA......"
CSV = {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
on_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only")


def _engine(app: Flask) -> Engine:
    node: Node = app.extensions["sdmxnode"]
    return node.store.engine


def _answer(app: Flask, path: str = f"/rest/data/{FLOW}/{FRANCE}") -> bytes:
    response = app.test_client().get(path, headers=CSV)
    body = response.get_data()  # the rows stream while the body is read
    assert response.status_code == 200
    assert response.content_type.startswith("application/vnd.sdmx.data+csv")
    assert body.count(b"\n") > 1
    return body


@pytest.fixture
def checkouts(migration_app: Flask) -> Iterator[list[float]]:
    """The pool checkouts of the migration node while the test runs (their times)."""
    found: list[float] = []

    def count(*_: Any) -> None:
        found.append(time.monotonic())

    pool = _engine(migration_app).pool
    event.listen(pool, "checkout", count)
    yield found
    event.remove(pool, "checkout", count)


def test_a_data_answer_checks_out_few_connections(
    migration_app: Flask, checkouts: list[float]
) -> None:
    _answer(migration_app)  # warm: structures and per-version counts are cached
    checkouts.clear()
    _answer(migration_app)
    # the dataflow with its data state and the structures' generation; the rows
    assert len(checkouts) <= 2


@on_postgres
def test_a_healthy_pooled_connection_is_not_pinged(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect = _engine(migration_app).dialect
    pings: list[object] = []
    real = dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real(dbapi_connection)

    _answer(migration_app)
    monkeypatch.setattr(dialect, "do_ping", ping)
    _answer(migration_app)
    assert pings == []


@on_postgres
def test_a_data_answer_survives_its_pooled_connections_being_ended(migration_app: Flask) -> None:
    """pg_terminate_backend (or a restart of the server) ends every pooled connection: the
    next answer replaces them instead of failing."""
    engine = _engine(migration_app)
    before = _answer(migration_app)
    pooled = [engine.connect() for _ in range(engine.pool.checkedin())]
    pids = {conn.execute(text("SELECT pg_backend_pid()")).scalar_one() for conn in pooled}
    for conn in pooled:
        conn.close()
    assert pids
    admin = create_store_engine(str(POSTGRES_URL))
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(:pids)"
                ),
                {"pids": list(pids)},
            ).all()
    finally:
        admin.dispose()
    assert ended == [(True,)] * len(pids)
    time.sleep(0.2)  # the backend's goodbye reaches the pooled socket
    assert _answer(migration_app) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() not in pids


def _first_series_key(app: Flask) -> str:
    """The key of the first series of the FRANCE answer (dimensions precede TIME_PERIOD)."""
    header, first = list(csv.reader(io.StringIO(_answer(app).decode())))[:2]
    return ".".join(first[1 : header.index("TIME_PERIOD")])


def test_a_one_series_answer_checks_out_few_connections(
    migration_app: Flask, checkouts: list[float]
) -> None:
    path = f"/rest/data/{FLOW}/{_first_series_key(migration_app)}"
    body = _answer(migration_app, path)
    checkouts.clear()
    assert _answer(migration_app, path) == body
    assert len(checkouts) <= 2


@on_postgres
def test_a_one_series_answer_is_one_statement_and_no_server_side_cursor(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked again, the observations with the dataflow's data mark, one statement outside a
    transaction (one round trip; the data state, read first on the first answer, is then
    checked by the mark: test_data_prefetch.py); a server-side cursor would cost five."""
    path = f"/rest/data/{FLOW}/{_first_series_key(migration_app)}"
    _answer(migration_app, path)
    calls: list[str] = []
    for cursor_class in (psycopg.Cursor, psycopg.ServerCursor):
        real = cursor_class.execute

        def execute(self: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            calls.append(type(self).__name__)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(cursor_class, "execute", execute)
    _answer(migration_app, path)
    assert calls == ["Cursor"]
