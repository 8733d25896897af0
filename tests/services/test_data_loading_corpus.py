"""Every valid real data message of the shared corpus loads into a node holding its
structure files, storing as many observations as MANIFEST.tsv counts.

Structure files are loaded leniently (`read_structure_records(strict=False)`): some stray
from the official XSDs or lack their code lists. Where a corpus message references a
dataflow the corpus does not hold (only its DSD is there), the test adds a minimal
Dataflow for that DSD, as an agency would before sending data for it. Messages that cannot
load are xfailed (strict) with the reason.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from sdmxnode.errors import LoadRejected
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import read_structure_records
from tests.services.store_dumps import dump_tables

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

#: Dataflows the corpus messages need but the corpus lacks: message -> (agency, id,
#: version, DSD agency, DSD id, DSD version).
ADDED_DATAFLOWS = {
    "ECB-EXR-sg-ts.xml": ("ECB", "EXR_SG", "1.0", "ECB", "ECB_EXR_SG", "1.0"),
    "ECB-EXR-sg-xs-ss.xml": ("ECB", "EXR_SG", "1.0", "ECB", "ECB_EXR_SG", "1.0"),
    "ESTAT-demography-xs.xml": ("ESTAT", "DEMOGRAPHY", "1.0", "ESTAT", "DEMOGRAPHY", "1.0"),
    "ISTAT-22_289.xml": ("IT1", "22_289", "1.0", "IT1", "DCIS_POPRES1", "1.0"),
    "ECB-EXR-v30-data.xml": ("ECB", "EXR", "1.0", "ECB", "ECB_EXR", "1.0"),
    "ECB-EXR_CA-v30-data.xml": ("ECB", "EXR", "1.0", "ECB", "ECB_EXR_COMPLEX_ATTRIBUTES", "1.0"),
}

#: Structure files for messages whose manifest row names none.
STRUCTURE_FILES = {"ECB-EXR-ts.json": ["ECB-EXR-structure-full.xml"]}

#: Messages that do not load, and why (each is xfailed strictly: if it loads, say so).
CANNOT_LOAD = {
    "ESTAT-demography-xs.xml": (
        "the official SDMX 2.1 sample omits DECIMALS, an attribute the DSD "
        "ESTAT:DEMOGRAPHY(1.0) declares Mandatory: refused with MISSING_ATTRIBUTE"
    ),
    "ECB-EXR-ts.json": (
        "the SDMX-JSON working group's sample carries none of the series attributes the real "
        "ECB:ECB_EXR1(1.0) declares Mandatory (TIME_FORMAT, COLLECTION, DECIMALS, UNIT, ...): "
        "refused with MISSING_ATTRIBUTE"
    ),
    "OECD-PART2-all-all.json": (
        "the message names no dataflow or DSD (it embeds only labels) and the corpus holds no "
        "OECD structure: there is nothing to validate it against"
    ),
    "NIS-agri-sdmxjson2.json": (
        "its dataflow MA_545:MILLED_RICE(1.0) and DSD MA_545:AGRI_DSD(1.0) are in no corpus "
        "structure file (the message embeds only the components' ids and values)"
    ),
}

#: Not valid messages: refused at the schema stage (tested below, not loaded here).
NOT_VALID = {"ESTAT-footer-413.xml"}


def _data_entries() -> list[dict[str, str]]:
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        row
        for row in rows
        if row["format"].startswith(("SDMX-ML", "SDMX-JSON"))
        and "Data" in row["message_kind"]
        and row["file"] not in NOT_VALID
    ]


def _params() -> list:
    return [
        pytest.param(
            entry,
            id=entry["file"],
            marks=[
                pytest.mark.xfail(
                    strict=True, raises=LoadRejected, reason=CANNOT_LOAD[entry["file"]]
                )
            ]
            if entry["file"] in CANNOT_LOAD
            else [],
        )
        for entry in _data_entries()
    ]


def dataflow_message(
    agency: str, id_: str, version: str, dsd_agency: str, dsd_id: str, dsd_version: str
) -> bytes:
    """An SDMX-ML 2.1 structure message holding one Dataflow for the given DSD."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
  xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
  xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
 <mes:Header><mes:ID>DATAFLOW</mes:ID><mes:Test>true</mes:Test>
  <mes:Prepared>2026-01-01T00:00:00</mes:Prepared><mes:Sender id="TEST"/></mes:Header>
 <mes:Structures><str:Dataflows>
  <str:Dataflow id="{id_}" agencyID="{agency}" version="{version}" isFinal="true">
   <com:Name xml:lang="en">{id_}</com:Name>
   <str:Structure><Ref agencyID="{dsd_agency}" id="{dsd_id}" version="{dsd_version}"
     package="datastructure" class="DataStructure"/></str:Structure>
  </str:Dataflow>
 </str:Dataflows></mes:Structures>
</mes:Structure>""".encode()


def structure_files(entry: dict[str, str]) -> list[str]:
    named = re.findall(r"[\w.-]+\.xml", entry["needs_structure_file"])
    return STRUCTURE_FILES.get(entry["file"], named[:1])


@pytest.mark.corpus
@pytest.mark.parametrize("entry", _params())
def test_corpus_data_message_loads_the_manifest_count(
    entry: dict[str, str], corpus: Path, empty_node: Node
) -> None:
    for name in structure_files(entry):
        records = read_structure_records((corpus / name).read_bytes(), source=name, strict=False)
        empty_node.store.put_artefacts(records)
    if entry["file"] in ADDED_DATAFLOWS:
        flow = dataflow_message(*ADDED_DATAFLOWS[entry["file"]])
        empty_node.store.put_artefacts(read_structure_records(flow, source="dataflow"))
    expected = int(entry["observations_or_items"].split()[0])
    result = load_data(empty_node, corpus / entry["file"], LoadOptions(source=entry["file"]))
    assert result.report.errors == 0
    assert result.observations_written == expected
    assert empty_node.data.count_all_observations() == expected


@pytest.mark.corpus
def test_every_corpus_data_message_is_accounted_for(corpus: Path) -> None:
    loaded = {e["file"] for e in _data_entries()}
    assert len(loaded) >= 13
    assert set(CANNOT_LOAD) <= loaded
    assert set(ADDED_DATAFLOWS) <= loaded


@pytest.mark.corpus
def test_footer_only_message_is_refused_at_the_schema_stage(corpus: Path, empty_node: Node) -> None:
    """ESTAT's deferred-answer message puts DataSetAction where the 2.1 header has Structure."""
    with pytest.raises(LoadRejected) as caught:
        load_data(empty_node, corpus / "ESTAT-footer-413.xml")
    findings = caught.value.report.findings
    assert {f.code for f in findings} == {"SCHEMA"}
    assert "DataSetAction" in findings[0].message


@pytest.mark.corpus
def test_bis_gh_180_is_refused_at_the_schema_stage_naming_the_element(
    corpus: Path, empty_node: Node
) -> None:
    before = dump_tables(empty_node.store.engine)
    with pytest.raises(LoadRejected) as caught:
        load_data(empty_node, corpus / "BIS-gh-180.xml", LoadOptions(source="BIS-gh-180.xml"))
    findings = caught.value.report.findings
    assert findings and {f.code for f in findings} == {"SCHEMA"}
    assert all(f.line for f in findings)
    assert any("Element 'Ref'" in f.message for f in findings)
    assert any("publicationtable" in f.message for f in findings)
    assert dump_tables(empty_node.store.engine) == before
