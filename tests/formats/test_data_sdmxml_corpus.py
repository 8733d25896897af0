"""The SDMX-ML data reader on every data message of the shared corpus (see its MANIFEST)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.errors import NotFound
from sdmxnode.formats.rows import StructureInfo, StructureResolver
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.loading import read_structure_records
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.structures import StructureStore
from tests.conftest import fresh_database, resolver_for
from tests.formats.test_data_sdmxml import read_all, rows_of, without_location

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def _manifest() -> list[dict[str, str]]:
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        return [
            row
            for row in csv.DictReader(f, delimiter="\t")
            if row["format"].startswith("SDMX-ML") and "Data" in row["message_kind"]
        ]


#: Structure references the corpus messages make that their paired files answer under
#: another name (the manifest notes: the dataflow is absent, only its DSD is there).
_ALIASES = {
    "ISTAT-22_289.xml": {
        ArtefactRef("Dataflow", "IT1", "22_289", "1.0"): ArtefactRef(
            "DataStructure", "IT1", "DCIS_POPRES1", "1.0"
        )
    },
    "ECB-EXR-v30-data.xml": {
        ArtefactRef("Dataflow", "ECB", "EXR", "1.0"): ArtefactRef(
            "DataStructure", "ECB", "ECB_EXR", "1.0"
        )
    },
    "ECB-EXR_CA-v30-data.xml": {
        ArtefactRef("Dataflow", "ECB", "EXR", "1.0"): ArtefactRef(
            "DataStructure", "ECB", "ECB_EXR_COMPLEX_ATTRIBUTES", "1.0"
        )
    },
}


def _lenient_resolver(folder: Path, structure_file: Path) -> StructureInfoBuilder:
    """For structure files the strict path cannot take: load without the schema check and
    without `isExternalReference` stubs (ESTAT-demography points at a common.xml that is
    not in the corpus; StructureInfoBuilder cannot parse the stubs)."""
    tree = etree.fromstring(structure_file.read_bytes())
    for stub in tree.xpath("//*[@isExternalReference='true']"):
        stub.getparent().remove(stub)
    store = StructureStore(create_store_engine(fresh_database(folder)))
    store.create_schema()
    store.put_artefacts(
        read_structure_records(etree.tostring(tree), source=structure_file.name, strict=False)
    )
    return StructureInfoBuilder(store, ModelCache())


def _corpus_resolver(tmp_path: Path, entry: dict[str, str], corpus: Path) -> StructureResolver:
    pair = re.match(r"[\w.-]+\.xml", entry["needs_structure_file"])
    if pair is None:
        return _unused_resolver
    structure_file = corpus / pair[0]
    if any(b'isExternalReference="true"' in line for line in structure_file.open("rb")):
        builder = _lenient_resolver(tmp_path, structure_file)
    else:
        builder = resolver_for(tmp_path, structure_file)
    aliases = _ALIASES.get(entry["file"], {})
    return lambda ref: builder(aliases.get(ref, ref))


def _unused_resolver(ref: ArtefactRef) -> StructureInfo:
    raise NotFound(f"no structure expected, asked for {ref}")


@pytest.mark.corpus
@pytest.mark.parametrize("entry", _manifest(), ids=lambda e: e["file"])
def test_corpus_data_messages_yield_the_manifest_count(
    entry: dict[str, str], corpus: Path, tmp_path: Path
):
    expected = int(entry["observations_or_items"].split()[0])
    resolve = _corpus_resolver(tmp_path, entry, corpus)
    datasets = read_all(corpus / entry["file"], resolve)
    rows = [row for dataset in datasets for row in dataset.rows]
    assert len(rows) == expected
    for dataset in datasets:  # every row is an observation: its whole key is there
        key = [c.id for c in dataset.structure.dimensions] + ["TIME_PERIOD"]
        positions = [dataset.columns.index(c) for c in key if c in dataset.columns]
        assert all(row[i] is not None for row in rows for i in positions)


@pytest.mark.corpus
def test_manifest_lists_the_corpus_data_messages(corpus: Path):
    assert len(_manifest()) >= 11


@pytest.mark.corpus
def test_time_series_and_cross_sectional_samples_hold_the_same_observations(
    corpus: Path, tmp_path: Path
):
    """ECB sg-ts (generic, groups) and sg-xs-ss (structure-specific, CURRENCY at observation)
    carry the same 12 observations with the same attributes, group TITLE included."""
    resolve = resolver_for(tmp_path, corpus / "ECB-EXR-sg-structure-full.xml")
    series = without_location(rows_of(corpus / "ECB-EXR-sg-ts.xml", resolve))
    cross = without_location(rows_of(corpus / "ECB-EXR-sg-xs-ss.xml", resolve))
    assert len(series) == 12
    assert sorted(series, key=repr) == sorted(cross, key=repr)
    columns = resolve(ArtefactRef("DataStructure", "ECB", "ECB_EXR_SG", "1.0")).columns
    titles = {row[columns.index("TITLE")] for row in series}
    assert None not in titles and len(titles) == 4


@pytest.mark.corpus
def test_explicit_measures_take_the_measure_from_xsi_type(corpus: Path, tmp_path: Path):
    resolve = _lenient_resolver(tmp_path, corpus / "ESTAT-demography-structure.xml")
    data = corpus / "ESTAT-demography-xs.xml"
    rows = rows_of(data, resolve)
    columns = resolve(ArtefactRef("DataStructure", "ESTAT", "DEMOGRAPHY", "1.0")).columns
    expected = [
        obs.get("{http://www.w3.org/2001/XMLSchema-instance}type").split(":")[1]
        for obs in etree.parse(str(data)).getroot().iter("Obs")
    ]
    assert [row[columns.index("DEMO")] for row in rows] == expected
