"""Two live nodes on loopback: B harvests A's structures, data and reference metadata, then
only A's changes."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdmxnode.config import load_settings
from sdmxnode.formats.sdmxml import canonical_xml
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.harvest.changes import CONFLICT, NEW, NEW_VERSION, UNCHANGED
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.harvesting import Harvester, StructureSelection, structure_url
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures, read_structure_records
from sdmxnode.storage.harvest import HarvestStore
from tests.conftest import PROJECT_ROOT, fresh_database
from tests.live.conftest import LiveNode, start_node

pytestmark = pytest.mark.live

DATAFLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
YES_NO = PROJECT_ROOT / "codelists" / "IMDX-CL_YES_NO-1.0.0.xml"
DEMO_METADATA = PROJECT_ROOT / "fixtures" / "metadata" / "demo" / "IMDX-MDF_MIG_STOCK-IMS2019.xml"
EVERY = "every metadataflow"
CSV = "application/vnd.sdmx.data+csv;version=1.0.0"
METADATA_JSON = "application/vnd.sdmx.metadata+json;version=2.0.0"
STRUCTURE_XML = "application/vnd.sdmx.structure+xml;version=2.1"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[LiveNode, LiveNode]]:
    """A as the quick start runs it (structures and demo data), B with no structures."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    empty = tmp_path / "no-structures"
    empty.mkdir()
    a = start_node(fresh_database(tmp_path / "a"), None, tmp_path / "a.log")
    b = start_node(fresh_database(tmp_path / "b"), [empty], tmp_path / "b.log")
    try:
        yield next(a), next(b)
    finally:
        a.close()
        b.close()


def _node(live: LiveNode) -> Node:
    return Node.from_settings(load_settings({"DATABASE_URL": live.database_url}))


def _get(url: str, accept: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith(accept.split(";")[0])
        return response.read()


def _structures(node: LiveNode) -> dict[str, bytes]:
    body = _get(f"{node.url}/rest/structure/all/all/all", STRUCTURE_XML)
    return {str(r.ref): canonical_xml(r.xml) for r in read_structure_records(body)}


def _data(node: LiveNode) -> list[str]:
    body = _get(f"{node.url}/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all", CSV)
    header, *rows = body.decode("utf-8").splitlines()
    return [header, *sorted(rows)]


def _metadata(node: LiveNode) -> list:
    """The node's metadata sets of the demo metadataflow, as SDMX-JSON 2.0 writes them."""
    url = f"{node.url}/rest/v2/metadata/metadataflow/IMDX/MDF_MIG_STOCK/1.0.0"
    return json.loads(_get(url, METADATA_JSON))["data"]["metadataSets"]


def _content(sets: list, identity: bool) -> list:
    """Metadata sets as SDMX-JSON 2.0 writes them, without the agency and version of each
    set unless `identity` (a set harvested over SDMX-REST 1.5 has the ones B gives it)."""
    if identity:
        return sets
    dropped = ("agencyID", "version", "links")
    return sorted(
        ({k: v for k, v in s.items() if k not in dropped} for s in sets), key=lambda s: s["id"]
    )


def _changed_metadata_set() -> bytes:
    """The demo's first set (Burundi) with its methodology text changed."""
    text = DEMO_METADATA.read_text(encoding="utf-8")
    head, rest = text.split("<mes:MetadataSet", 1)
    first = "<mes:MetadataSet" + rest.split("</mes:MetadataSet>", 1)[0] + "</mes:MetadataSet>"
    assert 'id="MS_MIG_STOCK_IMS_BDI"' in first
    changed = first.replace("Documentation (", "Documentation, revised (", 1)
    assert changed != first
    return (head + changed + "</mes:GenericMetadata>").encode("utf-8")


def _harvest(b: Node, a: LiveNode, api: str, *, dry_run: bool = False) -> tuple:
    client = HttpClient(retries=0)
    result = Harvester(b, client).harvest(
        f"{a.url}/{api}", [StructureSelection()], [DATAFLOW], dry_run=dry_run
    )
    return result, client.requests_sent


def _data_messages() -> tuple[bytes, bytes]:
    """An Append changing the first observation of the first series, a Delete of its
    second observation."""
    text = DEMO.read_text(encoding="utf-8")
    head = text.split("<mes:DataSet", 1)[0]
    dataset = re.search(r"<mes:DataSet[^>]*>", text).group(0)  # type: ignore[union-attr]
    series_open = re.search(r"<Series [^>]*>", text).group(0)  # type: ignore[union-attr]
    periods = re.findall(r'<Obs TIME_PERIOD="(\d+)"', text)[:2]

    def message(action: str, obs: str) -> bytes:
        opening = dataset.replace("<mes:DataSet", f'<mes:DataSet action="{action}"', 1)
        body = f"{opening}{series_open}{obs}</Series></mes:DataSet></mes:StructureSpecificData>"
        return (head + body).encode("utf-8")

    update = message("Append", f'<Obs TIME_PERIOD="{periods[0]}" OBS_VALUE="7" OBS_STATUS="E"/>')
    delete = message("Delete", f'<Obs TIME_PERIOD="{periods[1]}"/>')
    return update, delete


@pytest.mark.parametrize("api", ["rest", "rest/v2"], ids=["api-1.5", "api-2.x"])
def test_node_b_harvests_node_a_then_only_changes(nodes, tmp_path: Path, api: str) -> None:
    """Over either API line: SDMX-ML 2.1 structures and data from 1.5, SDMX-ML 3.0 data
    (and 2.1 structures, which 2.x also serves) from 2.x."""
    a, b = nodes
    node_a, node_b = _node(a), _node(b)

    first, _ = _harvest(node_b, a, api)
    assert first.changes.changes and {c.kind for c in first.changes.changes} == {NEW}
    # SDMX 3.0's structure and representation maps and hierarchy associations have no
    # SDMX-ML 2.1 form, in which the harvest takes structures over both lines: B holds all
    # of A's artefacts but those.
    maps = node_a.store.find_artefacts(
        {"StructureMap", "RepresentationMap", "HierarchyAssociation"}
    )
    assert {m.ref.type for m in maps} == {"RepresentationMap", "HierarchyAssociation"}
    assert first.stored.created == node_a.store.count_artefacts() - len(maps)
    assert _structures(b) == _structures(a)
    first_data = _data(b)
    assert first_data == _data(a)
    # Every set of A is asked for in one query (A's other metadataflows have none). Over 1.5
    # the sets travel as SDMX-ML 2.1, which has no set agency or version: B names them as
    # it names every 2.1 set (the sender, version 1.0), and their content is A's.
    metadata = api == "rest/v2"
    assert list(first.metadata) == [EVERY]
    assert first.metadata[EVERY] == "metadata sets: 232 created" and not first.refused
    first_metadata = _metadata(b)
    assert len(first_metadata) == 232
    assert _content(first_metadata, metadata) == _content(_metadata(a), metadata)
    provenance = HarvestStore(node_b.store.engine).list_provenance()
    assert {p.kind for p in provenance} == {"structure", "data", "metadata"}
    assert all(p.source_url.startswith(a.url) for p in provenance)

    # Nothing changed on A: one 304 per request, nothing written.
    before = node_b.data.count_loads()
    second, requests = _harvest(node_b, a, api)
    assert requests == 3 and len(second.not_modified) == 3
    assert not second.changes.changes
    assert second.metadata[EVERY] == "not modified"
    assert node_b.data.count_loads() == before

    # A gets a new code list version, an updated observation and a deleted one.
    new_version = YES_NO.read_bytes().replace(b'version="1.0.0"', b'version="1.1.0"')
    new_version = new_version.replace(b"(1.0.0)", b"(1.1.0)")
    new_version = new_version.replace(b">No<", b">Not at all<")
    load_structures(node_a.store, new_version)
    update, delete = _data_messages()
    load_data(node_a, update, LoadOptions(source="update"))
    load_data(node_a, delete, LoadOptions(source="delete"))
    load_metadata(node_a, _changed_metadata_set(), MetadataLoadOptions(action="Replace"))

    third, requests = _harvest(node_b, a, api)
    assert requests == 3
    moved = [c for c in third.changes.changes if c.kind != UNCHANGED]
    assert [(c.kind, c.record.ref.id, c.record.ref.version) for c in moved] == [
        (NEW_VERSION, "CL_YES_NO", "1.1.0")
    ]
    assert moved[0].items_renamed[0].id == "N" and not moved[0].items_added
    assert third.data[f"{DATAFLOW.agency_id}:{DATAFLOW.id}(1.0.0)"] == (
        "1 observations written, 1 deleted"
    )
    assert _structures(b) == _structures(a)
    served = _data(b)
    assert served == _data(a)
    assert len(served) == len(first_data) - 1  # the deleted observation is gone from B
    assert third.metadata[EVERY] == "metadata sets: 1 replaced, 231 unchanged"
    assert "metadata every metadataflow: metadata sets: 1 replaced" in third.to_text()
    changed_metadata = _metadata(b)
    assert _content(changed_metadata, metadata) == _content(_metadata(a), metadata)
    assert changed_metadata != first_metadata

    # A final artefact changed under its version: a dry run reports the conflict, writes
    # nothing; the real run does not apply it either.
    conflicting = new_version.replace(b">Yes<", b">Yes indeed<")
    node_a.store.put_artefacts(read_structure_records(conflicting))
    held = _structures(b)
    requests_state = HarvestStore(node_b.store.engine).find_request(
        structure_url(f"{a.url}/{api}", StructureSelection())
    )
    dry, _ = _harvest(node_b, a, api, dry_run=True)
    assert [c.record.ref.id for c in dry.changes.conflicts] == ["CL_YES_NO"]
    assert "CONFLICT: Codelist=IMDX:CL_YES_NO(1.1.0)" in dry.to_text()
    assert _structures(b) == held
    assert (
        HarvestStore(node_b.store.engine).find_request(
            structure_url(f"{a.url}/{api}", StructureSelection())
        )
        == requests_state
    )
    real, _ = _harvest(node_b, a, api)
    assert {c.kind for c in real.changes.changes} == {CONFLICT, UNCHANGED}
    assert _structures(b) == held
