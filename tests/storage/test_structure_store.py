"""The artefact store: insert, replace, unchanged, references, finding, deleting."""

from __future__ import annotations

from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.structures import StructureStore

CL = ArtefactRef("Codelist", "IMDX", "CL_SEX", "1.0.0")
DSD = ArtefactRef("DataStructure", "IMDX", "DSD_X", "1.0.0")


def _record(ref: ArtefactRef, xml: bytes, refs: frozenset[ArtefactRef] = frozenset()):
    return ArtefactRecord(
        ref=ref, is_final=True, name=ref.id, sdmx_ml="2.1", xml=xml, references=refs
    )


def test_put_is_idempotent_and_detects_changes(store: StructureStore) -> None:
    first = store.put_artefacts([_record(CL, b"<a/>"), _record(DSD, b"<d/>", frozenset({CL}))])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = store.put_artefacts([_record(CL, b"<a/>"), _record(DSD, b"<d/>", frozenset({CL}))])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    before = {a.ref: a for a in store.find_artefacts()}
    changed = store.put_artefacts([_record(CL, b"<a changed='1'/>")])
    assert changed.updated == 1
    after = {a.ref: a for a in store.find_artefacts()}
    assert after[CL].digest != before[CL].digest
    assert after[DSD].digest == before[DSD].digest
    assert store.read_xml([after[CL].pk])[after[CL].pk] == b"<a changed='1'/>"


def test_find_filters_by_type_agency_id(store: StructureStore) -> None:
    store.put_artefacts([_record(CL, b"<a/>"), _record(DSD, b"<d/>")])
    assert [a.ref for a in store.find_artefacts(types={"Codelist"})] == [CL]
    assert [a.ref for a in store.find_artefacts(agencies={"IMDX"}, ids={"DSD_X"})] == [DSD]
    assert store.find_artefacts(agencies={"ECB"}) == []
    assert [a.ref for a in store.find_by_identity({("Codelist", "IMDX", "CL_SEX")})] == [CL]


def test_references_both_directions(store: StructureStore) -> None:
    store.put_artefacts([_record(CL, b"<a/>"), _record(DSD, b"<d/>", frozenset({CL}))])
    stored = {a.ref: a for a in store.find_artefacts()}
    assert store.list_references_from([stored[DSD].pk]) == {stored[DSD].pk: {CL}}
    referrers = store.list_referrers({("Codelist", "IMDX", "CL_SEX")})
    assert [(a.ref, target) for a, target in referrers] == [(DSD, CL)]


def test_replacing_an_artefact_replaces_its_references(store: StructureStore) -> None:
    store.put_artefacts([_record(DSD, b"<d/>", frozenset({CL}))])
    store.put_artefacts([_record(DSD, b"<d2/>")])
    pk = store.find_artefacts()[0].pk
    assert store.list_references_from([pk]) == {pk: set()}


def test_delete(store: StructureStore) -> None:
    store.put_artefacts([_record(DSD, b"<d/>", frozenset({CL}))])
    assert store.delete_artefact(DSD) == (True, None)
    assert store.delete_artefact(DSD) == (False, None)
    assert store.count_artefacts() == 0
    assert store.list_referrers({("Codelist", "IMDX", "CL_SEX")}) == []
