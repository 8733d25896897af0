"""Two loads of one dataflow that commit out of the order of their numbers (PostgreSQL lets
writers of different series of one dataflow run at once; each waits for the other's data
row only at its end). The last load's number and the whole-second time of change then stay
as the first commit left them: the answer's version (its ETag, the caches keyed by it, the
kept bulk files) also holds the data mark, whose row version the later commit changes.
SQLite's writers take turns (one write lock), so the commits follow the numbers there."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.storage import data as data_storage
from tests.conftest import POSTGRES_URL
from tests.web.conftest import STOCK_CSV_HEADER, stock_csv_row
from tests.web.test_data_prefetch import CSV, FLOW
from tests.web.test_rest_data_columnar import parquet_table

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL only: SQLite's writers take turns"
)

ROUNDS = 5
SERIES = f"/rest/data/{FLOW}/A.FRA+DEU.STOCK.FB._T._T._T._T"
#: The module, not the table that `sdmxnode.storage.data` also calls `loads`.
data_loads = importlib.import_module("sdmxnode.storage.data.loads")
MOMENT = datetime(2026, 12, 6, 12, 0, 0, 123456)  # both loads finish "at once"


def _load(app: Flask, folder: Path, area: str, value: str) -> None:
    message = folder / f"{area}-{value}.csv"
    message.write_text(STOCK_CSV_HEADER + stock_csv_row("I", area, "1901", value))
    load_data(app.extensions["sdmxnode"], message, LoadOptions(source=message.name))


def _answer(app: Flask, **headers: str) -> tuple[str, str]:
    response = app.test_client().get(SERIES, headers={**CSV, **headers})
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    return response.headers["ETag"], body


def _parquet_value(client: FlaskClient, area: str) -> float:
    """The 1901 value of `area` in the whole dataflow's Parquet download (a kept file)."""
    response = client.get(f"/rest/data/{FLOW}", query_string={"format": "parquet"})
    body = response.get_data()
    assert response.status_code == 200, body
    frame = parquet_table(body).to_pandas()
    rows = frame[(frame["REF_AREA"] == area) & (frame["TIME_PERIOD"] == "1901")]
    assert len(rows) == 1, rows
    return float(rows["OBS_VALUE"].iloc[0])


@pytest.fixture
def bulk_client(own_app: Flask, tmp_path: Path) -> Iterator[FlaskClient]:
    """A client of a second node on the same database that keeps bulk files."""
    app = create_app(
        {
            "DATABASE_URL": own_app.extensions["sdmxnode"].settings.database_url,
            "TESTING": True,
            "BULK_DIR": str(tmp_path / "bulk"),
        }
    )
    yield app.test_client()
    app.extensions["sdmxnode"].store.engine.dispose()


def test_loads_committed_out_of_order_change_the_version(
    own_app: Flask, bulk_client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Load A (the lower number) waits at its end until load B has committed; the answer
    after each commit has a new ETag and holds what was loaded, a client holding the
    answer of B's commit is not told that nothing changed after A's, and the kept Parquet
    download of B's state is not served for A's."""
    monkeypatch.setattr(data_loads, "now_utc", lambda precise=False: MOMENT)
    started, finished = threading.Event(), threading.Event()
    real_start, real_finish = data_storage.start_load, data_storage.finish_load
    first: dict[str, int] = {}

    def start(*args: Any, **kwargs: Any) -> int:
        pk = real_start(*args, **kwargs)
        if threading.current_thread().name == "load-A":
            first["pk"] = pk
            started.set()
        return pk

    def finish(conn: Any, load_pk: int, *args: Any) -> None:
        if load_pk == first.get("pk"):
            assert finished.wait(60), "load B did not commit"
        real_finish(conn, load_pk, *args)

    monkeypatch.setattr(data_storage, "start_load", start)
    monkeypatch.setattr(data_storage, "finish_load", finish)
    _load(own_app, tmp_path, "FRA", "100")
    tags = {_answer(own_app)[0]}
    for round_ in range(ROUNDS):
        a_value, b_value = str(200 + round_), str(300 + round_)
        started.clear()
        finished.clear()
        first.clear()
        load_a = threading.Thread(
            target=_load, args=(own_app, tmp_path, "DEU", a_value), name="load-A"
        )
        load_a.start()
        assert started.wait(60), "load A did not start"
        _load(own_app, tmp_path, "FRA", b_value)  # B: a higher number, committed first
        after_b, body = _answer(own_app)
        assert f",{b_value}," in body and after_b not in tags, round_
        assert _parquet_value(bulk_client, "FRA") == float(b_value)  # keeps a file of this state
        finished.set()
        load_a.join(60)
        assert not load_a.is_alive()
        after_a, body = _answer(own_app)
        assert f",{a_value}," in body and f",{b_value}," in body, round_
        assert after_a != after_b, round_  # was equal: same last load, same second
        assert _parquet_value(bulk_client, "DEU") == float(a_value), round_
        tags |= {after_a, after_b}
        # A client holding B's answer gets A's data, not 304 Not Modified.
        response = own_app.test_client().get(SERIES, headers={**CSV, "If-None-Match": after_b})
        assert response.status_code == 200, round_
        response.close()
