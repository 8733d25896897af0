"""sdmx1's Client, with a Source registered for a live node, reads what the node holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sdmx

pytestmark = pytest.mark.live


@pytest.fixture
def ecb_node(live_node_with, corpus: Path, tmp_path: Path):
    folder = tmp_path / "structures"
    folder.mkdir()
    shutil.copy(corpus / "ECB-EXR-structure-full.xml", folder)
    return live_node_with(folder)


@pytest.mark.corpus
def test_sdmx1_client_reads_dataflows_dsd_and_codelist(ecb_node, corpus: Path) -> None:
    source_id = "SDMXNODE_TEST"
    sdmx.add_source(
        {"id": source_id, "name": "sdmxnode under test", "url": f"{ecb_node.url}/rest"},
        override=True,
    )
    try:
        client = sdmx.Client(source_id)
        original = sdmx.read_sdmx(corpus / "ECB-EXR-structure-full.xml")

        flows = client.dataflow(agency_id="all")
        assert set(flows.dataflow) == {"EXR"}
        assert str(flows.dataflow["EXR"].name) == str(original.dataflow["EXR"].name)

        dsd_message = client.datastructure(
            "ECB_EXR1", agency_id="ECB", params={"references": "all"}
        )
        dsd = dsd_message.structure["ECB_EXR1"]
        original_dsd = original.structure["ECB_EXR1"]
        assert [d.id for d in dsd.dimensions] == [d.id for d in original_dsd.dimensions]
        assert [a.id for a in dsd.attributes] == [a.id for a in original_dsd.attributes]
        assert set(dsd_message.codelist) == set(original.codelist)

        codelist = client.codelist("CL_CURRENCY", agency_id="ECB").codelist["CL_CURRENCY"]
        original_codes = original.codelist["CL_CURRENCY"]
        assert [c.id for c in codelist] == [c.id for c in original_codes]
        assert [str(c.name) for c in codelist] == [str(c.name) for c in original_codes]
    finally:
        sdmx.source.sources.pop(source_id, None)


def test_sdmx1_client_on_the_quick_start_node(live_node_with) -> None:
    """The node as the README starts it: the project's structures and the demo data."""
    node = live_node_with()
    source_id = "SDMXNODE_QUICKSTART"
    sdmx.add_source(
        {"id": source_id, "name": "sdmxnode quick start", "url": f"{node.url}/rest"},
        override=True,
    )
    try:
        client = sdmx.Client(source_id)
        flows = client.dataflow(agency_id="all")
        assert "DF_MIG_STOCK_IMS" in flows.dataflow
        message = client.datastructure(
            "DSD_MIG_STOCK", agency_id="IMDX", params={"references": "all"}
        )
        dsd = message.structure["DSD_MIG_STOCK"]
        assert [d.id for d in dsd.dimensions][:2] == ["FREQ", "REF_AREA"]
        assert "CL_AREA" in message.codelist and len(message.codelist["CL_AREA"]) == 286
        area = client.codelist("CL_AREA", agency_id="IMDX").codelist["CL_AREA"]
        assert str(area["FRA"].name) == "France"
        data = client.data(
            "DF_MIG_STOCK_IMS",
            key="A.1.STOCK.FB._T._T._T._T",
            params={"startPeriod": "1990", "endPeriod": "1990"},
            dsd=dsd,
        )
        series = sdmx.to_pandas(data.data[0])
        assert list(series.values) == [153011473.0]  # world, both sexes, mid-1990
    finally:
        sdmx.source.sources.pop(source_id, None)


def test_sdmx1_client_reads_the_json_draft_layout(live_node_with) -> None:
    """sdmx1's Client asking for the SDMX-JSON 1.0 draft layout (the only SDMX-JSON data it
    reads) picks its JSON reader from the node's Content-Type and gets the same figures."""
    node = live_node_with()
    source_id = "SDMXNODE_DRAFT_JSON"
    sdmx.add_source(
        {"id": source_id, "name": "sdmxnode draft JSON", "url": f"{node.url}/rest"},
        override=True,
    )
    try:
        client = sdmx.Client(source_id)
        params = {"startPeriod": "1990", "endPeriod": "2000"}
        key = "A.1.STOCK.FB._T._T._T._T"
        draft = client.data(
            "DF_MIG_STOCK_IMS",
            key=key,
            params=params,
            headers={"Accept": "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0"},
        )
        dsd = client.datastructure("DSD_MIG_STOCK", agency_id="IMDX").structure["DSD_MIG_STOCK"]
        generic = client.data("DF_MIG_STOCK_IMS", key=key, params=params, dsd=dsd)

        def figures(message) -> dict[str, float]:
            return {
                str(obs.key.values["TIME_PERIOD"].value): float(obs.value)
                for obs in message.data[0].obs
            }

        assert figures(draft) == figures(generic)
        assert figures(draft)["1990"] == 153011473.0
    finally:
        sdmx.source.sources.pop(source_id, None)
