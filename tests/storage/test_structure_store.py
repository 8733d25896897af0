"""The artefact store: insert, replace, unchanged, references, finding, deleting."""

from __future__ import annotations

import threading
import time

from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.records import CurrentArtefact
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


def test_a_decision_sees_the_artefact_as_the_writer_before_it_left_it(
    store: StructureStore,
) -> None:
    """put_artefacts(decide=...) reads the row inside the write transaction (PostgreSQL:
    FOR UPDATE): a second read-modify-write of the same artefact waits for the first and
    decides on its result, so that neither change is lost."""
    store.put_artefacts([_record(CL, b"<a/>")])
    inside, seen = threading.Event(), []

    def add(attribute: bytes, pause: bool):
        def decide(current: CurrentArtefact | None) -> ArtefactRecord:
            assert current is not None and current.is_final and current.sdmx_ml == "2.1"
            seen.append(current.xml)
            if pause:
                inside.set()
                time.sleep(0.5)  # the other writer starts meanwhile and must wait
            return _record(CL, current.xml.replace(b"/>", b" " + attribute + b"/>"))

        return decide

    first = threading.Thread(
        target=lambda: store.put_artefacts([_record(CL, b"")], decide={CL: add(b"x='1'", True)})
    )
    first.start()
    assert inside.wait(10)
    second = store.put_artefacts([_record(CL, b"")], decide={CL: add(b"y='2'", False)})
    first.join()
    assert second.updated == 1
    assert seen == [b"<a/>", b"<a x='1'/>"]
    (stored,) = store.find_artefacts()
    assert store.read_xml([stored.pk])[stored.pk] == b"<a x='1' y='2'/>"


def test_a_decision_may_store_nothing(store: StructureStore) -> None:
    result = store.put_artefacts([_record(CL, b"<a/>")], decide={CL: lambda current: None})
    assert (result.created, result.unchanged) == (0, 1)
    assert store.count_artefacts() == 0


def test_every_change_of_an_artefact_raises_the_generation(store: StructureStore) -> None:
    """What processes keep per generation (StructureInfo) is rebuilt after any change: a
    store, a replacement, a deletion; an unchanged submission keeps it."""
    start = store.generation()
    store.put_artefacts([_record(CL, b"<a/>")])
    stored = store.generation()
    assert stored > start
    store.put_artefacts([_record(CL, b"<a/>")])
    assert store.generation() == stored
    store.put_artefacts([_record(CL, b"<a changed='1'/>")])
    replaced = store.generation()
    assert replaced > stored
    assert store.delete_artefact(CL) == (True, None)
    assert store.generation() > replaced
    assert store.delete_artefact(CL) == (False, None)  # nothing there: nothing changed
    assert store.generation() == replaced + 1


def test_a_refused_write_leaves_the_generation(store: StructureStore) -> None:
    store.put_artefacts([_record(CL, b"<a/>")])
    before = store.generation()
    refused = store.delete_artefact(CL, refuse=lambda artefact: "kept")
    assert refused == (False, "kept")
    assert store.generation() == before
