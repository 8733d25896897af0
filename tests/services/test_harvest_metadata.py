"""Harvesting reference-metadata sets from a stand-in source: loaded as Replace, asked for
conditionally, the metadataflows chosen from what was harvested from the source."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask

from sdmxnode.app import create_app
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.harvesting import Harvester, HarvestResult
from sdmxnode.services.metadata.loading import count_metadata_sets
from sdmxnode.services.node import Node
from sdmxnode.storage.harvest import Provenance, now_utc
from sdmxnode.storage.metadata.sets import MetadataStore
from tests.conftest import PROJECT_ROOT, initialise_from_template
from tests.http_source import serving

DEMO = PROJECT_ROOT / "fixtures" / "metadata" / "demo" / "IMDX-MDF_MIG_STOCK-IMS2019.xml"
FLOW = ArtefactRef("Metadataflow", "IMDX", "MDF_MIG_STOCK", "1.0.0")
NAME = "IMDX:MDF_MIG_STOCK(1.0.0)"
PATH = "/rest/v2/metadata/metadataflow/IMDX/MDF_MIG_STOCK/1.0.0"


class _Source(http.server.BaseHTTPRequestHandler):
    """Answers the metadataflow query with `body`, and 304 when If-None-Match is its ETag."""

    body = b""
    etag = ""
    seen: list[tuple[str, str | None, str]] = []  # path, If-None-Match, Accept

    def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
        self.seen.append((self.path, self.headers["If-None-Match"], self.headers["Accept"]))
        if self.path != PATH:
            self.send_error(404)
            return
        if self.headers["If-None-Match"] == self.etag:
            self.send_response(304)
            self.send_header("ETag", self.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.sdmx.metadata+xml;version=3.0.0")
        self.send_header("ETag", self.etag)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def source() -> Iterator[tuple[str, type[_Source]]]:
    handler = type("Source", (_Source,), {"body": DEMO.read_bytes(), "etag": '"v1"', "seen": []})
    with serving(handler) as url:
        yield f"{url}/rest/v2", handler


@pytest.fixture
def node(database_url: str) -> Iterator[Node]:
    """The project's structures (the demo MSD and metadataflow among them), no metadata."""
    application: Flask = create_app(
        {"DATABASE_URL": database_url, "DEMO_DATA": "", "DEMO_METADATA": "", "TESTING": True}
    )
    node: Node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    yield node
    node.store.engine.dispose()


def _harvest(node: Node, url: str, *, dry_run: bool = False) -> HarvestResult:
    return Harvester(node, HttpClient(retries=0)).harvest(
        url, [], [], dry_run=dry_run, metadataflows=[FLOW]
    )


def _burundi(node: Node) -> str:
    """The stored JSON of the demo's first set."""
    with MetadataStore.sharing(node.store).transaction(principal="test") as tx:
        stored = tx.find_body("IMDX", "MS_MIG_STOCK_IMS_BDI", "1.0.0")
    assert stored is not None
    return stored


def test_sets_are_loaded_then_asked_for_conditionally_then_replaced(node: Node, source) -> None:
    url, handler = source
    assert count_metadata_sets(node) == 0

    dry = _harvest(node, url, dry_run=True)
    assert dry.metadata == {NAME: "would load 232 metadata sets"}
    assert count_metadata_sets(node) == 0

    first = _harvest(node, url)
    assert first.metadata == {NAME: "metadata sets: 232 created"}
    assert count_metadata_sets(node) == 232
    assert handler.seen[-1] == (PATH, None, "application/vnd.sdmx.metadata+xml;version=3.0.0")
    (entry,) = node.harvest_records().list_provenance(kind="metadata")
    assert (entry.ref, entry.source_url, entry.etag) == (FLOW, url + PATH[8:], '"v1"')
    assert entry.outcome == "232 created"

    second = _harvest(node, url)
    assert handler.seen[-1][1] == '"v1"'
    assert second.metadata == {NAME: "not modified"} and second.not_modified == [url + PATH[8:]]

    before = _burundi(node)
    handler.body = handler.body.replace(b"Documentation (", b"Documentation, revised (", 1)
    handler.etag = '"v2"'
    third = _harvest(node, url)
    assert third.metadata == {NAME: "metadata sets: 1 replaced, 231 unchanged"}
    assert "metadata IMDX:MDF_MIG_STOCK(1.0.0): metadata sets: 1 replaced" in third.to_text()
    after = _burundi(node)
    assert "Documentation, revised (" in after and "Documentation, revised (" not in before


def test_the_metadataflows_harvested_from_the_source_are_asked_for(node: Node, source) -> None:
    url, handler = source
    records = node.harvest_records()
    records.add_provenance(
        [
            Provenance(
                "structure", FLOW, f"{url}/structure/*/*/*/*", now_utc(), None, None, "", ""
            ),
            Provenance(
                "structure",
                replace(FLOW, id="MDF_ELSEWHERE"),
                "http://elsewhere.example/rest/v2/structure/*/*/*/*",
                now_utc(),
                None,
                None,
                "",
                "",
            ),
        ]
    )
    result = Harvester(node, HttpClient(retries=0)).harvest(url, [], [])
    assert result.metadata == {NAME: "metadata sets: 232 created"}
    assert [path for path, _, _ in handler.seen] == [PATH]
