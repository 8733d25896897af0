"""Reading metadata sets: by identity, provider, structure, target and write time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sdmxnode.storage.metadata.reads import MetadataReads, ProviderFilter
from sdmxnode.storage.metadata.sets import MetadataStore
from sdmxnode.storage.structures import StructureStore
from tests.formats.metadata_sets import FRA, put_sets, sdmx21_set, sdmx30_set


def _identities(sets: list) -> list[str]:
    return [f"{s.agency_id}:{s.id}({s.version})" for s in sets]


def test_sets_by_identity_provider_and_structure(store: StructureStore) -> None:
    put_sets(
        store.engine,
        sdmx30_set(),
        sdmx30_set(version="2.0.0"),
        sdmx30_set("MDS_FRA", FRA),
        sdmx21_set(),
    )
    reads = MetadataReads(store.engine)

    assert _identities(reads.find_sets(ids=["MDS_KEN"])) == [
        "IMDX:MDS_KEN(1.0.0)",
        "IMDX:MDS_KEN(2.0.0)",
    ]
    assert _identities(reads.find_sets(ids=["MDS_KEN"], versions=["2.0.0"])) == [
        "IMDX:MDS_KEN(2.0.0)"
    ]
    # The provider by its id (with or without its scheme's agency); a set without provider
    # by its agency.
    assert len(reads.find_sets(providers=[ProviderFilter("UNDESA")])) == 3
    assert len(reads.find_sets(providers=[ProviderFilter("UNDESA", "IMDX")])) == 3
    assert reads.find_sets(providers=[ProviderFilter("UNDESA", "OECD")]) == []
    assert _identities(reads.find_sets(providers=[ProviderFilter("IMDX")])) == [
        "IMDX:MDS_QUALITY(1.0)"
    ]
    # '_' is not a LIKE wildcard here.
    assert reads.find_sets(providers=[ProviderFilter("UNDES_")]) == []
    flows = reads.find_sets(structure_types=["Metadataflow"], structure_ids=["MDF_MIG"])
    assert len(flows) == 3
    body = reads.find_sets(ids=["MDS_QUALITY"])[0].body
    assert '"R_FRA"' in body


def test_sets_by_target_name_the_targeted_version(store: StructureStore) -> None:
    put_sets(store.engine, sdmx30_set(), sdmx30_set("MDS_FRA", FRA), sdmx21_set())
    reads = MetadataReads(store.engine)

    found = reads.find_targeting(["Codelist"], ["IMDX"], ["CL_AREA"])

    assert sorted(t.metadata_set.id for t in found) == ["MDS_FRA", "MDS_KEN", "MDS_QUALITY"]
    assert {t.target.version for t in found} == {"1.0.0"}
    flows = reads.find_targeting(["Dataflow"], None, None)
    assert [t.metadata_set.id for t in flows] == ["MDS_QUALITY"]
    assert reads.find_targeting(["Codelist"], ["OECD"]) == []


def test_updated_after_and_deletions_come_from_history(store: StructureStore) -> None:
    put_sets(store.engine, sdmx30_set())
    reads = MetadataReads(store.engine)
    before = datetime.now(UTC) - timedelta(minutes=1)
    later = datetime.now(UTC) + timedelta(minutes=1)

    assert len(reads.find_sets(updated_after=before)) == 1
    assert reads.find_sets(updated_after=later) == []
    assert reads.last_deletion() is None
    with MetadataStore(store.engine).transaction() as transaction:
        transaction.delete("IMDX", "MDS_KEN", "1.0.0")
    assert reads.find_sets() == []
    assert reads.last_deletion() is not None
