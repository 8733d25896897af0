"""StructureInfo built from stored structures: components, code lists, constraints."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdmxnode.app import create_app
from sdmxnode.errors import NotFound
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.node import Node
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.loading import load_structures
from tests.conftest import resolver_for


def test_migration_stock_dataflow(migration_resolver) -> None:
    info = migration_resolver(ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0"))
    assert info.dsd == "IMDX:DSD_MIG_STOCK(1.0.0)"
    assert [d.id for d in info.dimensions][:2] == ["FREQ", "REF_AREA"]
    assert info.time_dimension is not None and info.time_dimension.id == "TIME_PERIOD"
    assert info.columns[len(info.dimensions)] == "TIME_PERIOD"
    area = info.component("REF_AREA")
    assert area is not None and "FRA" in area.codes and "150" in area.codes
    status = info.component("OBS_STATUS")
    assert status is not None and status.mandatory and status.attachment == "observation"
    unit = info.component("UNIT_MEASURE")
    assert unit is not None and unit.attachment == "series"
    assert info.allowed["CITIZENSHIP"] == frozenset({"_T"})


def test_latest_version_when_none_given(migration_resolver) -> None:
    info = migration_resolver(ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", ""))
    assert info.dataflow == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"


def test_unknown_dataflow(migration_resolver) -> None:
    with pytest.raises(NotFound):
        migration_resolver(ArtefactRef("Dataflow", "IMDX", "DF_NOPE", "1.0.0"))


@pytest.mark.corpus
def test_real_dsd_with_group_attributes(tmp_path: Path, corpus: Path) -> None:
    resolve = resolver_for(tmp_path, corpus / "ECB-EXR-sg-structure-full.xml")
    info = resolve(ArtefactRef("DataStructure", "ECB", "ECB_EXR_SG", "1.0"))
    attachments = {a.id: a.attachment for a in info.attributes}
    assert attachments["TITLE"] == "group"
    assert attachments["OBS_STATUS"] == "observation"


STOCK = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
TYPES = Path(__file__).parents[2] / "codelists" / "IMDX-CL_DATA_TYPE_IMS-1.0.0.xml"


def test_a_change_made_by_another_process_shows_in_the_next_info(
    structures_node: Node, database_url: str
) -> None:
    """StructureInfo is kept across queries (per generation of the store): a code list
    replaced through another process's node (another cache) reaches this one's next query."""
    builder = StructureInfoBuilder(structures_node.store, structures_node.cache)
    before = builder(STOCK).component("DATA_TYPE_IMS")
    assert before is not None and "ZZ" not in before.codes
    assert StructureInfoBuilder(structures_node.store, structures_node.cache)(STOCK) is (
        builder(STOCK)
    )  # kept: a second query builds nothing
    other = create_app({"DATABASE_URL": database_url, "DEMO_DATA": "", "TESTING": True})
    other_node: Node = other.extensions["sdmxnode"]
    changed = TYPES.read_bytes().replace(
        b"</str:Codelist>",
        b'<str:Code id="ZZ"><com:Name xml:lang="en">Test</com:Name></str:Code></str:Codelist>',
    )
    assert load_structures(other_node.store, changed).updated == 1
    after = StructureInfoBuilder(structures_node.store, structures_node.cache)(STOCK)
    component = after.component("DATA_TYPE_IMS")
    assert component is not None and "ZZ" in component.codes
    labels = builder.labels(STOCK)
    assert labels.codes["DATA_TYPE_IMS"]["ZZ"] == "Test"
    other_node.store.engine.dispose()
