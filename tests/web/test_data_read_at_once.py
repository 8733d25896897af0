"""Answers of unknown size are first read at once, then streamed only when larger (issue 19:
PostgreSQL's one-area answers). On PostgreSQL an answer of at most `FEW_ROWS` records is one
prepared statement outside a transaction; a larger one is streamed from its start through
a server-side cursor. Either way every record comes once, in order, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask

from sdmxnode.services.data import queries
from tests.conftest import POSTGRES_URL

FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
FRANCE = f"/rest/data/{FLOW}/A.FRA......"  # 21 records, of no size known before
WHOLE = f"/rest/data/{FLOW}/all"
CSV = {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
on_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only")


def _body(app: Flask, path: str, **headers: str) -> tuple[int, bytes]:
    response = app.test_client().get(path, headers={**CSV, **headers})
    return response.status_code, response.get_data()


def _watch(monkeypatch: pytest.MonkeyPatch, marker: str) -> list[tuple[str, bool]]:
    """From now on, the psycopg cursors' statements whose SQL holds `marker`: (cursor
    class, prepared)."""
    found: list[tuple[str, bool]] = []
    for cursor_class in (psycopg.Cursor, psycopg.ServerCursor):
        real = cursor_class.execute

        def execute(self: Any, query: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            prepared = kwargs.get("prepare") or self.connection.prepare_threshold == 0
            if marker in str(query):
                found.append((type(self).__name__, bool(prepared)))
            return _real(self, query, *args, **kwargs)

        monkeypatch.setattr(cursor_class, "execute", execute)
    return found


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """The psycopg cursors' statements of records while the test runs: (cursor class,
    prepared)."""
    yield _watch(monkeypatch, "JOIN observations")


@on_postgres
def test_an_answer_of_unknown_size_is_one_prepared_statement(
    migration_app: Flask, statements: list[tuple[str, bool]]
) -> None:
    status, body = _body(migration_app, FRANCE)
    assert status == 200 and body.count(b"\n") > 10
    statements.clear()
    assert _body(migration_app, FRANCE) == (200, body)
    # the records in one statement, prepared, with no server-side cursor
    assert statements == [("Cursor", True)]


def test_the_try_reads_the_series_first_and_only_the_form_read_is_built(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the try is the form planned for a small answer (the series picked in
    key order first: PostgreSQL then sorts each series' observations, not the whole
    answer), and it alone is built; on SQLite, with no try, the plain form alone."""
    expected = _body(migration_app, FRANCE)
    built: list[bool] = []
    real = queries.select_observations

    def select_observations(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs.get("series_first", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "select_observations", select_observations)
    assert _body(migration_app, FRANCE) == expected
    postgresql = migration_app.extensions["sdmxnode"].store.engine.dialect.name == "postgresql"
    assert built == ([True] if postgresql else [False])


@on_postgres
def test_the_dataflow_lookup_is_prepared_on_its_first_use_on_a_connection(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg prepares a statement after five executions on a connection; the lookup
    every data answer starts with is prepared at once (each connection of the pool would
    otherwise parse and plan it five times)."""
    _body(migration_app, FRANCE)
    migration_app.extensions["sdmxnode"].store.engine.dispose()  # new connections
    lookups = _watch(monkeypatch, "FROM artefacts LEFT OUTER JOIN data_layouts")
    assert _body(migration_app, FRANCE)[0] == 200
    assert lookups == [("Cursor", True)]


@on_postgres
def test_an_answer_larger_than_the_try_is_streamed_from_its_start(
    migration_app: Flask, statements: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _body(migration_app, FRANCE)
    monkeypatch.setattr(queries, "FEW_ROWS", 7)
    statements.clear()
    assert _body(migration_app, FRANCE) == expected
    assert ("ServerCursor", False) in statements  # the try found more, the stream read them


@pytest.mark.parametrize("few", [1, 7, 250, 100_000])
def test_every_record_comes_once_whatever_the_try_finds(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    expected = {path: _body(migration_app, path) for path in (FRANCE, WHOLE)}
    monkeypatch.setattr(queries, "FEW_ROWS", few)
    for path, answer in expected.items():
        assert _body(migration_app, path) == answer


@pytest.mark.parametrize(
    "page",
    [
        "values=0-19",  # a window larger than the try, more records beyond it
        "values=5530-5549",  # larger than the try, fewer records left than it holds
        "values=100-102",  # a window no larger than the try: read at once
    ],
)
def test_pages_are_the_same_whatever_the_try_finds(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    expected = _body(migration_app, WHOLE, Range=page)
    assert expected[0] == 206
    monkeypatch.setattr(queries, "FEW_ROWS", 5)
    assert _body(migration_app, WHOLE, Range=page) == expected


@on_postgres
def test_a_page_larger_than_the_try_is_streamed_without_one(
    migration_app: Flask, statements: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A try would make the database step over a deep page's offset twice."""
    monkeypatch.setattr(queries, "FEW_ROWS", 5)
    _body(migration_app, WHOLE, Range="values=3000-3019")
    statements.clear()
    assert _body(migration_app, WHOLE, Range="values=3000-3019")[0] == 206
    assert ("ServerCursor", False) in statements
    assert ("Cursor", True) not in statements
