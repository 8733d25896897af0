"""Harvesting an agency that sends partial code lists (one excerpt per dataset structure):
the node's copy grows with each excerpt instead of being replaced by the last one."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.services.harvest.changes import CHANGED, CONFLICT, NEW, UNCHANGED
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.harvesting import Harvester, StructureSelection
from sdmxnode.services.node import Node
from tests.http_source import serving
from tests.partial_schemes import codelist, message

SELECTION = StructureSelection("dataflow", "ESTAT", "GOV_10Q_GGNFA")


class _Source(http.server.BaseHTTPRequestHandler):
    """Answers GET /{name}/... with the structure message recorded under that name."""

    bodies: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
        body = self.bodies.get(self.path.strip("/").split("/", 1)[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.sdmx.structure+xml;version=2.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def source() -> Iterator[tuple[str, dict[str, bytes]]]:
    handler = type("Source", (_Source,), {"bodies": {}})
    with serving(handler) as url:
        yield url, handler.bodies


def harvest(node: Node, url: str, name: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Harvest the message recorded under `name`: per artefact, (kind, items added)."""
    result = Harvester(node, HttpClient(retries=0)).harvest(f"{url}/{name}/rest", [SELECTION], [])
    return {str(c.record.ref): (c.kind, c.items_added) for c in result.changes.changes}


def codes(node: Node, id_: str, version: str) -> tuple[list[str], bool]:
    """The codes of a stored code list, in order, and whether it says it is partial."""
    (stored,) = node.store.find_artefacts({"Codelist"}, {"ESTAT"}, {id_})
    assert stored.ref.version == version
    element = etree.fromstring(node.store.read_xml([stored.pk])[stored.pk])
    ids = [c.get("id") for c in element if etree.QName(c).localname == "Code"]
    return ids, element.get("isPartial") == "true"


def test_excerpts_of_a_final_code_list_build_up_the_copy(empty_node: Node, source) -> None:
    url, bodies = source
    geo = "Codelist=ESTAT:GEO(13.1)"
    bodies["a"] = message(codelist({"BE": "Belgium", "DE": "Germany"}))
    bodies["b"] = message(codelist({"DE": "Germany", "FR": "France"}))
    bodies["c"] = message(codelist({"DE": "Deutschland"}))
    assert harvest(empty_node, url, "a")[geo] == (NEW, ("BE", "DE"))
    assert harvest(empty_node, url, "b")[geo] == (CHANGED, ("FR",))
    assert codes(empty_node, "GEO", "13.1") == (["BE", "DE", "FR"], True)
    assert harvest(empty_node, url, "b")[geo] == (UNCHANGED, ())
    assert harvest(empty_node, url, "c")[geo][0] == CONFLICT  # a final code changed
    assert codes(empty_node, "GEO", "13.1") == (["BE", "DE", "FR"], True)
    whole = {"BE": "Belgium", "DE": "Germany", "FR": "France", "IT": "Italy"}
    bodies["d"] = message(codelist(whole, partial=False))
    assert harvest(empty_node, url, "d")[geo] == (CHANGED, ("IT",))
    assert codes(empty_node, "GEO", "13.1") == (list(whole), False)


@pytest.mark.corpus
def test_eurostat_excerpts_of_cl_country_are_merged(empty_node: Node, source, corpus: Path) -> None:
    """The demography structure holds CL_COUNTRY's BE, EL, LU, UK; the ESMS one BE, LU:
    harvested after it, the ESMS excerpt changes nothing instead of removing EL and UK."""
    url, bodies = source
    bodies["demography"] = (corpus / "ESTAT-demography-structure.xml").read_bytes()
    bodies["esms"] = (corpus / "ESTAT-esms-structure.xml").read_bytes()
    country = "Codelist=ESTAT:CL_COUNTRY(1.0)"
    assert harvest(empty_node, url, "demography")[country][0] == NEW
    assert harvest(empty_node, url, "esms")[country] == (UNCHANGED, ())
    assert codes(empty_node, "CL_COUNTRY", "1.0") == (["BE", "EL", "LU", "UK"], True)
