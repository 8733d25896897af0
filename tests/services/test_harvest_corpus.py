"""Harvesting real agency structure messages replayed by a local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdmxnode.formats.sdmxml import canonical_xml
from sdmxnode.services.harvest.changes import NEW
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.harvesting import Harvester, StructureSelection, structure_url
from sdmxnode.services.structures.loading import read_structure_records
from tests.http_source import serving

pytestmark = pytest.mark.corpus

#: (corpus file, Content-Type the agency's endpoint answers with, base path, selection).
AGENCY_RESPONSES = {
    "ECB": (
        "ECB-EXR-structure-full.xml",
        "application/vnd.sdmx.structure+xml;version=2.1",
        "/service",
        StructureSelection("dataflow", "ECB", "EXR", "latest"),
    ),
    "ESTAT": (
        "ESTAT-demography-structure.xml",
        "application/xml;charset=UTF-8",
        "/sdmx/2.1",
        StructureSelection("dataflow", "ESTAT", "DEMOGRAPHY"),
    ),
    "ILO": (
        "ILO-CL_ECO-parentsandsiblings.xml",
        "application/vnd.sdmx.structure+xml; version=2.1",
        "/sdmx/rest/v2",
        StructureSelection("codelist", "ILO", "CL_ECO"),
    ),
    "UNICEF": (
        "UNICEF-GLOBAL_DATAFLOW-structure.xml",
        "application/vnd.sdmx.structure+xml; charset=utf-8; version=2.1",
        "/ws/public/sdmxapi/rest",
        StructureSelection("dataflow", "UNICEF", "GLOBAL_DATAFLOW"),
    ),
    "WB": (
        "WB-WDI-structure.xml",
        "application/xml; charset=utf-8",
        "/V2/rest",
        StructureSelection("datastructure", "WB", "WDI"),
    ),
}


class _Replay(http.server.BaseHTTPRequestHandler):
    """Answers every GET under /{agency}/ with that agency's recorded message, with an
    ETag and 304 on If-None-Match; records the paths asked."""

    responses: dict[str, tuple[bytes, str]] = {}
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
        agency = self.path.strip("/").split("/", 1)[0]
        self.asked.append(self.path)
        if agency not in self.responses:
            self.send_error(404)
            return
        body, media_type = self.responses[agency]
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def replay(corpus: Path) -> Iterator[tuple[str, type[_Replay]]]:
    handler = type("Replay", (_Replay,), {"responses": {}, "asked": []})
    for agency, (file_name, media_type, _, _) in AGENCY_RESPONSES.items():
        handler.responses[agency] = ((corpus / file_name).read_bytes(), media_type)
    with serving(handler) as url:
        yield url, handler


@pytest.mark.parametrize("agency", sorted(AGENCY_RESPONSES))
def test_agency_structures_are_harvested_and_served_back_equal(
    agency: str, replay, app, client, corpus: Path
) -> None:
    address, handler = replay
    file_name, _, base_path, selection = AGENCY_RESPONSES[agency]
    base_url = f"{address}/{agency}{base_path}"
    node = app.extensions["sdmxnode"]
    node.store.create_schema()
    harvester = Harvester(node, HttpClient(retries=0))

    result = harvester.harvest(base_url, [selection], [])
    source = read_structure_records((corpus / file_name).read_bytes(), strict=False)
    assert {c.kind for c in result.changes.changes} == {NEW}
    assert result.stored.created == len(source)
    asked = structure_url(base_url, selection).removeprefix(address)
    assert handler.asked[-1] == asked and asked.endswith("?references=all")

    response = client.get(
        "/rest/structure/all/all/all",
        headers={"Accept": "application/vnd.sdmx.structure+xml;version=2.1"},
    )
    assert response.status_code == 200
    assert response.content_type.startswith("application/vnd.sdmx.structure+xml")
    served = read_structure_records(response.get_data(), strict=False)
    assert {str(r.ref): canonical_xml(r.xml) for r in served} == {
        str(r.ref): canonical_xml(r.xml) for r in source
    }

    again = harvester.harvest(base_url, [selection], [])
    assert again.not_modified == [structure_url(base_url, selection)]
    assert not again.changes.changes
