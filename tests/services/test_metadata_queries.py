"""The metadata query service: the metadataflow a set against a metadata structure or a
metadata provision agreement is written against, from the structures the node holds."""

from __future__ import annotations

from datetime import UTC, datetime

from sdmxnode.refs import ArtefactRef
from sdmxnode.services.metadata.queries import structure_usage, stub
from sdmxnode.storage.records import StoredArtefact
from tests.formats.metadata_sets import FLOW, MSD, sdmx30_set

MPA = ArtefactRef("MetadataProvisionAgreement", "IMDX", "MPA_MIG", "1.0.0")
OTHER_FLOW = ArtefactRef("Metadataflow", "IMDX", "MDF_OTHER", "1.0.0")


def _stored(ref: ArtefactRef, pk: int) -> StoredArtefact:
    return StoredArtefact(pk, ref, True, "", "3.0", "d", datetime.now(UTC))


class _Store:
    """The three structure-store reads the usage needs, over fixed references."""

    calls = 0

    def find_artefact(self, ref: ArtefactRef) -> StoredArtefact | None:
        return _stored(MPA, 1) if ref == MPA else None

    def list_references_from(self, pks: list[int]) -> dict[int, set[ArtefactRef]]:
        return {1: {MSD, FLOW}}

    def list_referrers(self, keys: list[tuple[str, str, str]]) -> list:
        self.calls += 1
        older = ArtefactRef("MetadataStructure", "IMDX", "MSD_MIG", "0.9.0")
        return [
            (_stored(OTHER_FLOW, 3), MSD),
            (_stored(FLOW, 2), MSD),
            (_stored(ArtefactRef("Metadataflow", "IMDX", "AAA", "1.0.0"), 4), older),
        ]


def test_usage_finds_the_metadataflow_of_an_agreement_and_of_a_structure() -> None:
    store = _Store()
    usage = structure_usage(store)  # type: ignore[arg-type]

    assert usage(MPA) == FLOW
    # The first metadataflow (by identity) using that version of the structure.
    assert usage(MSD) == FLOW
    assert usage(MSD) == FLOW and store.calls == 1  # asked once per structure
    assert usage(ArtefactRef("MetadataProvisionAgreement", "IMDX", "NONE", "1.0.0")) is None
    assert usage(FLOW) is None


def test_a_stub_keeps_targets_and_attribute_ids_only() -> None:
    full = sdmx30_set()
    cut = stub(full)

    assert cut.reports[0].targets == full.reports[0].targets
    assert [a.id for a in cut.reports[0].attributes] == ["CONTACT", "CRITERION", "SOURCE"]
    assert all(
        a.value is None and not a.texts and not a.attributes for a in cut.reports[0].attributes
    )
