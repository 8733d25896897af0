"""Bulk downloads (services/data/bulk.py): a whole dataflow's Parquet and Arrow answers kept
per version of its data give the bytes a built answer gives, follow loads, never fail an
answer, and survive builders racing."""

from __future__ import annotations

import csv
import errno
import gzip
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.services.data import answers, bulk
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from tests.conftest import POSTGRES_URL, PROJECT_ROOT, initialise_from_template
from tests.web.test_rest_data_columnar import arrow_table, parquet_table

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv"
FLOW = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0"
READERS = {"parquet": parquet_table, "arrow": arrow_table}
MEDIA_TYPES = {
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.stream",
}


def _small(path: Path, value: str | None = None) -> Path:
    """The small fixture (21 observations), its first OBS_VALUE replaced by `value`."""
    with SMALL.open(newline="") as source:
        rows = list(csv.DictReader(source))
    if value is not None:
        rows[0]["OBS_VALUE"] = value
    with path.open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _load(node: Node, folder: Path, value: str) -> None:
    load_data(node, _small(folder / f"small-{value}.csv", value), LoadOptions(source=value))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "bulk"


@pytest.fixture
def bulk_app(database_url: str, tmp_path: Path, folder: Path) -> Iterator[Flask]:
    """A node holding the small fixture's data, keeping its bulk downloads in `folder`."""
    app = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "DEMO_DATA": "", "BULK_DIR": str(folder)}
    )
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    load_data(node, _small(tmp_path / "small.csv"), LoadOptions(source="small"))
    yield app
    node.store.engine.dispose()


@pytest.fixture
def plain_client(bulk_app: Flask) -> Iterator[FlaskClient]:
    """A client of a second node on the same database that keeps no files (BULK_DIR=off)."""
    node = bulk_app.extensions["sdmxnode"]
    app = create_app(
        {
            "DATABASE_URL": node.settings.database_url,
            "TESTING": True,
            "DEMO_DATA": "",
            "BULK_DIR": "off",
        }
    )
    yield app.test_client()
    app.extensions["sdmxnode"].store.engine.dispose()


def _get(client: FlaskClient, name: str, labels: str = "id", url: str = FLOW, **kwargs: Any):  # type: ignore[no-untyped-def]
    answer = client.get(url, query_string={"format": name, "labels": labels}, **kwargs)
    body = answer.get_data()  # read to the end: a streamed answer holds its request context
    assert answer.status_code == 200, body
    assert answer.headers["Content-Type"] == MEDIA_TYPES[name]
    return answer


def _kept(folder: Path) -> list[Path]:
    """The kept files (temporary files left behind included)."""
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on an answer that is built fails the test: only a kept file may answer."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the answer was built, not read from its kept file")

    monkeypatch.setattr(answers.DataAnswer, "result", refuse)


@pytest.mark.parametrize("name", ["parquet", "arrow"])
@pytest.mark.parametrize("labels", ["id", "name"])
def test_a_kept_download_gives_the_bytes_of_a_built_one(
    bulk_app: Flask,
    plain_client: FlaskClient,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    labels: str,
) -> None:
    client = bulk_app.test_client()
    built = _get(plain_client, name, labels)
    first = _get(client, name, labels)  # builds and keeps the file
    assert first.get_data() == built.get_data()
    (kept,) = _kept(folder)
    assert kept.read_bytes() == built.get_data()
    assert READERS[name](built.get_data()).num_rows == 21
    _no_build(monkeypatch)
    for url in (
        FLOW,
        f"{FLOW}/all",
        f"{FLOW}/.......",
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*",
    ):
        again = _get(client, name, labels, url)
        assert again.get_data() == built.get_data()
        assert again.headers["Content-Length"] == str(len(built.get_data()))
    hit = _get(client, name, labels)
    assert hit.headers["ETag"] == first.headers["ETag"] == built.headers["ETag"]
    assert hit.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert hit.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    if labels == "name":
        assert hit.headers["Content-Language"] == first.headers["Content-Language"] == "en"
    assert (
        client.get(
            FLOW,
            query_string={"format": name, "labels": labels},
            headers={"If-None-Match": hit.headers["ETag"]},
        ).status_code
        == 304
    )
    gzipped = _get(client, name, labels, headers={"Accept-Encoding": "gzip"})
    if name == "parquet":  # compressed already: the kept file as it is, with its length
        assert "Content-Encoding" not in gzipped.headers
        assert gzipped.headers["Content-Length"] == str(len(built.get_data()))
        assert gzipped.get_data() == built.get_data()
    else:
        assert gzipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gzipped.get_data()) == built.get_data()
    assert _kept(folder) == [kept]


def test_each_format_and_labels_keep_a_file_of_their_own(bulk_app: Flask, folder: Path) -> None:
    client = bulk_app.test_client()
    bodies = {(n, lab): _get(client, n, lab).get_data() for n in READERS for lab in ("id", "name")}
    assert len(set(bodies.values())) == 4
    kept = _kept(folder)
    assert len(kept) == 4
    assert {p.suffix for p in kept} == {".parquet", ".arrows"}
    assert sorted(p.read_bytes() for p in kept) == sorted(bodies.values())


@pytest.mark.parametrize("name", ["parquet", "arrow"])
def test_a_load_makes_the_next_download_show_the_new_data(
    bulk_app: Flask, folder: Path, tmp_path: Path, name: str
) -> None:
    client = bulk_app.test_client()
    before = READERS[name](_get(client, name).get_data()).to_pandas()
    assert 12345.0 not in set(before["OBS_VALUE"])
    (old,) = _kept(folder)
    _load(bulk_app.extensions["sdmxnode"], tmp_path, "12345")
    after = READERS[name](_get(client, name).get_data()).to_pandas()
    assert 12345.0 in set(after["OBS_VALUE"])
    assert len(after) == len(before)
    (new,) = _kept(folder)  # the older version's file is removed
    assert new != old
    assert READERS[name](new.read_bytes()).to_pandas().equals(after)


@pytest.mark.parametrize(
    ("url", "query", "headers"),
    [
        (f"{FLOW}/A.1.STOCK.FB._T.M+F._T._T", {}, {}),
        (FLOW, {"startPeriod": "2000"}, {}),
        (FLOW, {"endPeriod": "2000"}, {}),
        (FLOW, {"updatedAfter": "2000-01-01T00:00:00Z"}, {}),
        (FLOW, {"firstNObservations": "1"}, {}),
        (FLOW, {"lastNObservations": "1"}, {}),
        (FLOW, {"includeHistory": "true"}, {}),
        (FLOW, {"detail": "dataonly"}, {}),
        (FLOW, {"dimensionAtObservation": "AllDimensions"}, {}),
        (FLOW, {}, {"Range": "values=0-4"}),
        ("/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*", {"c[SEX]": "M"}, {}),
        ("/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*", {"attributes": "none"}, {}),
        (
            "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*",
            {"asOf": "2099-01-01T00:00:00Z"},
            {},
        ),
    ],
)
@pytest.mark.parametrize("name", ["parquet", "arrow"])
def test_a_narrowed_query_neither_uses_nor_keeps_a_file(
    bulk_app: Flask,
    plain_client: FlaskClient,
    folder: Path,
    name: str,
    url: str,
    query: dict[str, str],
    headers: dict[str, str],
) -> None:
    client = bulk_app.test_client()
    asked = {"format": name, **query}
    answer = client.get(url, query_string=asked, headers=headers)
    body = answer.get_data()  # read to the end: a streamed answer holds its request context
    assert answer.status_code in (200, 206), body
    assert _kept(folder) == []
    _get(client, name)  # keeps the whole dataflow's file
    (kept,) = _kept(folder)
    kept.write_bytes(b"not the answer")
    again = client.get(url, query_string=asked, headers=headers)
    assert again.status_code == answer.status_code
    assert again.get_data() == plain_client.get(url, query_string=asked, headers=headers).get_data()
    assert again.get_data() != b"not the answer"
    assert _kept(folder) == [kept]


def test_a_file_in_the_folders_place_still_answers(
    database_url: str, tmp_path: Path, plain_client: FlaskClient
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"a file, not a folder")
    app = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "DEMO_DATA": "", "BULK_DIR": str(blocker)}
    )
    client = app.test_client()
    for _ in range(2):
        for name in READERS:
            assert _get(client, name).get_data() == _get(plain_client, name).get_data()
    assert blocker.read_bytes() == b"a file, not a folder"
    app.extensions["sdmxnode"].store.engine.dispose()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anyway")
def test_a_read_only_folder_still_answers(
    bulk_app: Flask, plain_client: FlaskClient, folder: Path
) -> None:
    folder.mkdir()
    folder.chmod(0o500)
    try:
        for name in READERS:
            assert (
                _get(bulk_app.test_client(), name).get_data() == _get(plain_client, name).get_data()
            )
        assert _kept(folder) == []
    finally:
        folder.chmod(0o700)


class _FullDisk:
    """A file whose writes fail once `room` bytes are written (ENOSPC)."""

    def __init__(self, handle: Any, room: int) -> None:
        self.handle, self.room = handle, room

    def write(self, data: bytes) -> int:
        self.room -= len(data)
        if self.room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def _fail(where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the bulk files fail at `where`: writing (disk full), syncing, renaming, reading."""
    real_open = open

    def opened(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if where == "read" and mode == "rb":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        handle = real_open(path, mode, *args, **kwargs)
        return _FullDisk(handle, 100) if where == "write" and mode == "xb" else handle

    def refused(*args: object) -> None:
        raise OSError(errno.EIO if where == "sync" else errno.EACCES, f"{where} refused")

    monkeypatch.setattr(bulk, "open", opened, raising=False)
    if where == "sync":
        monkeypatch.setattr(bulk.os, "fsync", refused)
    if where == "rename":
        monkeypatch.setattr(bulk.os, "replace", refused)
    if where == "state":  # the store cannot tell whether the data changed meanwhile
        monkeypatch.setattr(bulk, "is_current", refused)


@pytest.mark.parametrize("where", ["write", "sync", "state", "rename", "read"])
@pytest.mark.parametrize("name", ["parquet", "arrow"])
def test_a_failing_bulk_folder_still_answers(
    bulk_app: Flask,
    plain_client: FlaskClient,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    name: str,
) -> None:
    expected = _get(plain_client, name).get_data()
    client = bulk_app.test_client()
    if where == "read":
        _get(client, name)  # kept, then unreadable
    _fail(where, monkeypatch)
    for _ in range(2):
        assert _get(client, name).get_data() == expected
    kept = _kept(folder)
    assert len(kept) == (1 if where == "read" else 0), kept
    monkeypatch.undo()
    assert _get(client, name).get_data() == expected
    assert [p.read_bytes() for p in _kept(folder)] == [expected]


@pytest.mark.parametrize("name", ["parquet", "arrow"])
def test_a_load_during_a_build_keeps_no_file(
    bulk_app: Flask, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A load that commits after the answer's records were read and before its file would be
    put in place: the answer sent is the data before it, and no file holds them."""
    node = bulk_app.extensions["sdmxnode"]
    client = bulk_app.test_client()
    real = bulk.is_current

    def load_first(node: Node, plan: Any) -> bool:
        _load(node, tmp_path, "12345")
        return real(node, plan)

    monkeypatch.setattr(bulk, "is_current", load_first)
    sent = READERS[name](_get(client, name).get_data()).to_pandas()
    assert 12345.0 not in set(sent["OBS_VALUE"])
    assert _kept(folder) == []
    monkeypatch.undo()
    now = _get(client, name).get_data()
    assert 12345.0 in set(READERS[name](now).to_pandas()["OBS_VALUE"])
    assert [p.read_bytes() for p in _kept(folder)] == [now]
    assert node.data.count_loads() == 2


@pytest.mark.parametrize("name", ["parquet", "arrow"])
def test_builders_racing_both_answer_and_leave_a_whole_file(
    bulk_app: Flask,
    plain_client: FlaskClient,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """Two threads download at once, many rounds; in every other round the file was removed
    first, so both miss, build and put their file in place; in the others both read it."""
    expected = _get(plain_client, name).get_data()
    both = threading.Barrier(2, timeout=30)
    real = bulk._open

    def together(path: Path) -> Any:
        found = real(path)
        both.wait()  # neither reads or builds before both know whether there is a file
        return found

    monkeypatch.setattr(bulk, "_open", together)
    bodies: list[bytes] = []
    failures: list[BaseException] = []

    def download() -> None:
        try:
            bodies.append(_get(bulk_app.test_client(), name).get_data())
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    rounds = 6 if POSTGRES_URL else 8
    for round_ in range(rounds):
        if round_ % 2 == 0:
            for path in _kept(folder):
                path.unlink()
        threads = [threading.Thread(target=download) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
        (kept,) = _kept(folder)  # no temporary file left
        assert kept.read_bytes() == expected
    assert len(bodies) == 2 * rounds
    assert set(bodies) == {expected}


def test_the_bulk_folder_setting(database_url: str, tmp_path: Path) -> None:
    def folder_of(setting: str) -> Path | None:
        app = create_app({"DATABASE_URL": database_url, "TESTING": True, "BULK_DIR": setting})
        node = app.extensions["sdmxnode"]
        found = bulk.bulk_folder(node)
        node.store.engine.dispose()
        return found

    assert folder_of("off") is None
    assert folder_of("OFF") is None
    assert folder_of(str(tmp_path / "kept")) == tmp_path / "kept"
    expected = Path("sdmxnode-bulk") if POSTGRES_URL else tmp_path / "node.db.bulk"
    assert folder_of("") == expected


def test_readers_get_whole_files_while_builders_replace_them(
    bulk_app: Flask, plain_client: FlaskClient, folder: Path
) -> None:
    """One thread keeps removing the file and downloading (a build and a rename each time),
    another keeps downloading: every answer is whole, whether read from a file being
    replaced or built."""
    expected = _get(plain_client, "parquet").get_data()
    bodies: list[bytes] = []
    failures: list[BaseException] = []

    def download(rebuild: bool) -> None:
        client = bulk_app.test_client()
        try:
            for _ in range(10 if POSTGRES_URL else 15):
                if rebuild:  # the kept file, not the other thread's temporary one
                    for path in _kept(folder):
                        if not path.name.startswith("."):
                            path.unlink(missing_ok=True)
                bodies.append(_get(client, "parquet").get_data())
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=download, args=(rebuild,)) for rebuild in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert set(bodies) == {expected}
    assert [p.read_bytes() for p in _kept(folder)] == [expected]
