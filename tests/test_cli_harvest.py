"""`sdmxnode harvest`: dry runs, the change report, conflicts, provenance, lock, loop, retries."""

from __future__ import annotations

import hashlib
import http.server
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.app import create_app
from sdmxnode.cli import main
from sdmxnode.errors import HarvestError
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.schedule import parse_duration, read_sources
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.harvest import HarvestStore
from sdmxnode.storage.structures import StructureStore
from tests.http_source import serving

PROJECT = Path(__file__).resolve().parent.parent
YES_NO = (PROJECT / "codelists" / "IMDX-CL_YES_NO-1.0.0.xml").read_bytes()
MEDIA_TYPE = "application/vnd.sdmx.structure+xml;version=2.1"


class _Source(http.server.BaseHTTPRequestHandler):
    """Answers GETs with `body` (ETag, 304), or first with `failures` 503s; logs statuses."""

    body: bytes = YES_NO
    failures: int = 0
    log: list[tuple[str, int]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
        cls = type(self)
        if cls.failures:
            cls.failures -= 1
            self._answer(503, b"busy")
            return
        etag = f'"{hashlib.sha256(cls.body).hexdigest()[:16]}"'
        if self.headers.get("If-None-Match") == etag:
            self._answer(304, b"", etag)
        else:
            self._answer(200, cls.body, etag)

    def _answer(self, status: int, body: bytes, etag: str | None = None) -> None:
        type(self).log.append((self.path, status))
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        if status != 304:
            self.send_header("Content-Type", MEDIA_TYPE)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def source() -> Iterator[tuple[str, type[_Source]]]:
    handler = type("Source", (_Source,), {"body": YES_NO, "failures": 0, "log": []})
    with serving(handler) as url:
        yield f"{url}/rest", handler


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_HARVEST_RETRIES", "0")
    return CliRunner()


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[StructureStore, HarvestStore]]:
    engine = create_store_engine(database_url)
    yield StructureStore(engine), HarvestStore(engine)
    engine.dispose()


def test_dry_run_reports_and_writes_nothing_then_changes_and_conflicts(
    source, runner: CliRunner, stores, database_url: str
) -> None:
    url, handler = source
    structures, records = stores
    harvest = ["harvest", url, "--resource", "codelist", "--agency", "IMDX"]

    dry = runner.invoke(main, [*harvest, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "new: Codelist=IMDX:CL_YES_NO(1.0.0)" in dry.output
    assert structures.count_artefacts() == 0 and records.list_provenance() == []
    assert handler.log[-1] == ("/rest/codelist/IMDX/all/all?references=all", 200)

    real = runner.invoke(main, harvest)
    assert real.exit_code == 0, real.output
    assert "stored: 1 created, 0 updated" in real.output
    status = runner.invoke(main, ["harvest", "--status", "--json"])
    [entry] = json.loads(status.output)
    assert (entry["kind"], entry["id"], entry["sourceVersion"]) == (
        "structure",
        "CL_YES_NO",
        "1.0.0",
    )
    assert entry["sourceUrl"].startswith(url) and entry["etag"]
    endpoint = create_app({"DATABASE_URL": database_url, "TESTING": True}).test_client()
    response = endpoint.get("/harvest/provenance?type=Codelist&agency=IMDX")
    assert response.status_code == 200 and response.content_type == "application/json"
    assert response.get_json()["provenance"] == [entry]

    # A new version: codes added, removed and renamed, reported before anything is applied.
    handler.body = (
        YES_NO.replace(b"1.0.0", b"1.1.0")
        .replace(b">No<", b">Nope<")
        .replace(b'id="Y"', b'id="YES"')
    )
    dry = runner.invoke(main, [*harvest, "--dry-run"])
    assert "new version: Codelist=IMDX:CL_YES_NO(1.1.0): after 1.0.0" in dry.output
    assert "1 added (YES)" in dry.output and "1 removed (Y)" in dry.output
    assert "1 renamed (N: 'No' -> 'Nope')" in dry.output
    assert structures.count_artefacts() == 1

    # The final 1.0.0 changed under its version: a conflict, not applied, exit status 2.
    handler.body = YES_NO.replace(b">No<", b">Nope<")
    conflict = runner.invoke(main, harvest)
    assert conflict.exit_code == 2, conflict.output
    assert "CONFLICT: Codelist=IMDX:CL_YES_NO(1.0.0)" in conflict.output
    [stored] = structures.find_artefacts({"Codelist"})
    assert b"Nope" not in structures.read_xml([stored.pk])[stored.pk]


def test_a_second_harvest_waits_for_the_lock(source, runner: CliRunner, stores) -> None:
    url, handler = source
    _, records = stores
    assert runner.invoke(main, ["harvest", "--status"]).exit_code == 0
    assert records.acquire_lock("harvest", "someone else", timedelta(hours=1))
    refused = runner.invoke(main, ["harvest", url])
    assert refused.exit_code == 1
    assert "another harvest is running" in refused.output
    assert handler.log == []
    records.release_lock("harvest", "someone else")
    assert runner.invoke(main, ["harvest", url]).exit_code == 0


def test_every_repeats_with_conditional_requests(source, runner: CliRunner) -> None:
    url, handler = source
    result = runner.invoke(main, ["harvest", url, "--every", "1s", "--max-runs", "2"])
    assert result.exit_code == 0, result.output
    assert [status for _, status in handler.log] == [200, 304]
    assert "not modified (304)" in result.output


def test_all_harvests_every_named_source(source, runner, monkeypatch) -> None:
    url, handler = source
    monkeypatch.setenv("SDMXNODE_HARVEST_SOURCES", f"one={url};two={url}/v2")
    result = runner.invoke(main, ["harvest", "--all"])
    assert result.exit_code == 0, result.output
    assert [path for path, _ in handler.log] == [
        "/rest/structure/all/all/all",
        "/rest/v2/structure/*/*/*/*",
    ]


def test_metadata_names_the_metadataflows_and_no_metadata_takes_none(source, runner) -> None:
    url, handler = source
    asked = ["harvest", url, "--no-structures", "--dry-run", "--metadata", "IMDX,MDF_X"]
    result = runner.invoke(main, asked)
    assert result.exit_code == 0, result.output
    assert handler.log == [("/rest/metadata/metadataflow/IMDX/MDF_X/latest", 200)]
    assert "metadata IMDX:MDF_X(latest): would load 0 metadata sets" in result.output
    result = runner.invoke(main, [*asked, "--no-metadata"])
    assert result.exit_code == 0, result.output
    assert len(handler.log) == 1
    # Not a metadata message: refused, reported, exit status 1.
    refused = runner.invoke(main, asked[:-3] + asked[-2:])
    assert refused.exit_code == 1, refused.output
    assert "metadata IMDX:MDF_X(latest): refused, nothing loaded: " in refused.output
    malformed = runner.invoke(main, ["harvest", url, "--metadata", "IMDX"])
    assert malformed.exit_code == 2 and "a metadataflow is AGENCY,ID" in malformed.output


def test_failed_requests_are_retried_with_backoff(source) -> None:
    url, handler = source
    handler.failures = 2
    waits: list[float] = []
    client = HttpClient(retries=3, backoff=0.5, sleep=waits.append)
    fetched = client.get(f"{url}/codelist", MEDIA_TYPE)
    assert fetched.status == 200 and fetched.body == YES_NO
    assert waits == [0.5, 1.0] and client.requests_sent == 3
    handler.failures = 5
    with pytest.raises(HarvestError, match="gave up after 2 attempts"):
        HttpClient(retries=1, backoff=0, sleep=waits.append).get(f"{url}/x", MEDIA_TYPE)


def test_sources_and_durations_are_read() -> None:
    sources = read_sources(
        json.dumps(
            {
                "a": {
                    "url": "https://a.example/rest",
                    "structures": [{"resource": "codelist", "agency": "A"}],
                    "data": ["A,DF,1.0", "A,OTHER"],
                    "metadata": ["A,MDF"],
                },
                "b": "https://b.example/rest/v2",
            }
        )
    )
    assert sources["a"].structures[0].resource == "codelist"
    assert [d.version for d in sources["a"].dataflows] == ["1.0", ""]
    assert sources["a"].metadataflows == (ArtefactRef("Metadataflow", "A", "MDF", ""),)
    assert sources["b"].url.endswith("/v2") and sources["b"].structures[0].resource is None
    assert sources["b"].metadataflows is None  # every metadataflow harvested from it
    assert read_sources("x=http://x/rest; y=http://y/rest")["y"].url == "http://y/rest"
    assert parse_duration("15m") == parse_duration("PT15M") == timedelta(minutes=15)
    assert parse_duration("P1DT1H") == timedelta(days=1, hours=1)
