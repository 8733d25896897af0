"""Paging data answers with `Range: values=...`: every observation once, 206, 416, the limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.validation.schema import validate_ml21
from tests.conftest import fresh_database, initialise_from_template

V1 = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*"
CSV = {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
TOTAL = 5538  # the demo data's observations


def lines(client: FlaskClient, url: str, **headers: str) -> tuple[int, dict[str, str], list[str]]:
    answer = client.get(url, headers={**CSV, **headers})
    body = answer.get_data(as_text=True).splitlines()
    return answer.status_code, dict(answer.headers), body


@pytest.mark.parametrize("url", [V1, V2])
def test_pages_hold_every_observation_once_in_order(
    migration_client: FlaskClient, url: str
) -> None:
    status, headers, whole = lines(migration_client, url)
    assert status == 200 and headers["Accept-Ranges"] == "values"
    header, rows = whole[0], whole[1:]
    assert len(rows) == TOTAL
    paged: list[str] = []
    for first in range(0, TOTAL, 1000):
        last = first + 999
        status, headers, body = lines(migration_client, url, Range=f"values={first}-{last}")
        assert status == 206
        assert headers["Content-Range"] == f"values {first}-{min(last, TOTAL - 1)}/{TOTAL}"
        assert body[0] == header
        paged.extend(body[1:])
    assert paged == rows


def test_open_and_suffix_ranges(migration_client: FlaskClient) -> None:
    _, _, whole = lines(migration_client, V1)
    status, headers, body = lines(migration_client, V1, Range="values=5530-")
    assert (status, headers["Content-Range"]) == (206, f"values 5530-5537/{TOTAL}")
    assert body[1:] == whole[-8:]
    status, headers, body = lines(migration_client, V1, Range="values=-3")
    assert (status, headers["Content-Range"]) == (206, f"values 5535-5537/{TOTAL}")
    assert body[1:] == whole[-3:]


def test_a_range_past_the_end_is_416_with_the_total(migration_client: FlaskClient) -> None:
    status, headers, body = lines(migration_client, V1, Range=f"values={TOTAL}-")
    assert status == 416
    assert headers["Content-Range"] == f"values */{TOTAL}"
    assert "5538 observations" in "\n".join(body)


@pytest.mark.parametrize("header", ["bytes=0-10", "values=10-5", "values=0-1,5-9", "values=x"])
def test_ranges_the_node_does_not_page_are_ignored(
    migration_client: FlaskClient, header: str
) -> None:
    status, headers, body = lines(migration_client, V1, Range=header)
    assert status == 200 and "Content-Range" not in headers
    assert len(body) == TOTAL + 1


def test_a_paged_sdmx_ml_answer_is_valid(migration_client: FlaskClient) -> None:
    answer = migration_client.get(
        V1,
        headers={
            "Accept": "application/vnd.sdmx.genericdata+xml;version=2.1",
            "Range": "values=100-199",
        },
    )
    assert answer.status_code == 206
    body = answer.get_data()
    assert validate_ml21(body) == []
    assert body.count(b"<gen:Obs>") == 100


def test_conditional_requests_tell_ranges_apart(migration_client: FlaskClient) -> None:
    first = migration_client.get(V1, headers={**CSV, "Range": "values=0-9"})
    first.get_data()
    second = migration_client.get(V1, headers={**CSV, "Range": "values=10-19"})
    second.get_data()
    assert first.headers["ETag"] != second.headers["ETag"]
    again = migration_client.get(
        V1, headers={**CSV, "Range": "values=0-9", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {"DATABASE_URL": fresh_database(tmp_path), "TESTING": True,
         "MAX_RESPONSE_OBSERVATIONS": "1000"}
    )  # fmt: skip
    initialise_from_template(app.extensions["sdmxnode"])
    yield app
    app.extensions["sdmxnode"].store.engine.dispose()


def test_the_size_limit_points_to_ranges_and_applies_to_each_page(limited: Flask) -> None:
    client = limited.test_client()
    status, _, body = lines(client, V1)
    assert status == 413 and "Range: values=0-999" in "\n".join(body)
    status, headers, body = lines(client, V1, Range="values=1000-1999")
    assert status == 206 and len(body) == 1001
    status, _, body = lines(client, V1, Range="values=0-1000")
    assert status == 413 and "Range: values=0-999" in "\n".join(body)


def test_a_page_reads_only_its_own_records(
    migration_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database skips the observations before the page: a page deep in the answer
    reads as many stored records as it gives."""
    from sdmxnode.storage.data import reads

    read: list[int] = []
    stream_batches = reads.stream_batches

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        for batch in stream_batches(*args, **kwargs):
            read.append(len(batch))
            yield batch

    read_all = reads.read_all

    def counted_at_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        records = read_all(*args, **kwargs)
        read.append(len(records or ()))
        return records

    monkeypatch.setattr(reads, "stream_batches", counted)
    monkeypatch.setattr(reads, "read_all", counted_at_once)  # a page of few, read at once
    _, _, whole = lines(migration_client, V2)
    read.clear()
    status, _, body = lines(migration_client, V2, Range="values=5000-5009")
    assert status == 206 and body[1:] == whole[5001:5011]
    assert sum(read) == 10
