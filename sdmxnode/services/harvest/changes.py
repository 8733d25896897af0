"""The change report of a harvest: what incoming artefacts add, change or contradict."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from lxml import etree

from sdmxnode.formats.sdmxml import canonical_xml, safe_parser
from sdmxnode.formats.sdmxml.item_merge import is_partial
from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.rest.versions import version_key
from sdmxnode.services.structures.partial_schemes import (
    decide_in_store,
    decide_scheme,
    needs_decision,
)
from sdmxnode.storage.records import CurrentArtefact, StoredArtefact
from sdmxnode.storage.structure_rows import Decide
from sdmxnode.storage.structures import StructureStore

#: Kinds of change, in the order a report lists them.
NEW = "new"
NEW_VERSION = "new version"
CHANGED = "changed"
CONFLICT = "conflict"
UNCHANGED = "unchanged"
APPLIED_KINDS = frozenset({NEW, NEW_VERSION, CHANGED})
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MAX_LISTED = 10


@dataclass(frozen=True)
class ItemRename:
    """An item whose name changed under the same id in a harvested scheme."""

    id: str
    before: str
    after: str


@dataclass(frozen=True)
class ArtefactChange:
    """How one incoming artefact compares with what the node holds."""

    record: ArtefactRecord
    kind: str
    compared_with: str | None = None  # the stored version the items were compared with
    items_added: tuple[str, ...] = ()
    items_removed: tuple[str, ...] = ()
    items_renamed: tuple[ItemRename, ...] = ()
    merged: bool = False  # a partial scheme (or a whole one over a partial copy): the
    # store decides what to write inside its transaction (partial_schemes.decide_scheme)

    def to_text(self) -> str:
        """One line of the change report: the kind of change and the artefact."""
        ref = self.record.ref
        label = "CONFLICT" if self.kind == CONFLICT else self.kind
        text = f"{label}: {ref}"
        if self.kind == CONFLICT:
            return text + ": final, content changed under the same version; not applied"
        details = []
        if self.compared_with and self.kind == NEW_VERSION:
            details.append(f"after {self.compared_with}")
        if self.items_added:
            details.append(f"{len(self.items_added)} added ({_listed(self.items_added)})")
        if self.items_removed:
            details.append(f"{len(self.items_removed)} removed ({_listed(self.items_removed)})")
        if self.items_renamed:
            renamed = [f"{r.id}: {r.before!r} -> {r.after!r}" for r in self.items_renamed]
            details.append(f"{len(renamed)} renamed ({_listed(renamed)})")
        return text + (f": {'; '.join(details)}" if details else "")


def _listed(values: Sequence[str]) -> str:
    shown = ", ".join(values[:_MAX_LISTED])
    return shown + (f", ... {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else "")


@dataclass
class ChangeReport:
    """Every incoming artefact with its kind of change."""

    changes: list[ArtefactChange] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[ArtefactChange]:
        """The changes of one kind (NEW, NEW_VERSION, CHANGED, CONFLICT, UNCHANGED)."""
        return [c for c in self.changes if c.kind == kind]

    @property
    def to_apply(self) -> list[ArtefactRecord]:
        """The incoming records a harvest writes: new ones and allowed changes."""
        return [c.record for c in self.changes if c.kind in APPLIED_KINDS]

    @property
    def decisions(self) -> dict[ArtefactRef, Decide]:
        """The store's decisions for the applied partial schemes (and whole schemes over a
        partial copy): merged with what is stored when the transaction runs."""
        return {
            c.record.ref: decide_in_store(c.record)
            for c in self.changes
            if c.merged and c.kind in APPLIED_KINDS
        }

    @property
    def conflicts(self) -> list[ArtefactChange]:
        """The changes refused: a final artefact changed under the same version."""
        return self.of_kind(CONFLICT)

    def to_text(self) -> str:
        """The change report as text, one line per change, then the count of unchanged ones."""
        lines = [c.to_text() for c in self.changes if c.kind != UNCHANGED]
        lines.append(f"unchanged: {len(self.of_kind(UNCHANGED))} artefacts")
        return "\n".join(lines)


def compare_records(store: StructureStore, records: Sequence[ArtefactRecord]) -> ChangeReport:
    """Compare incoming artefacts with the stored versions of the same artefacts."""
    stored = store.find_by_identity({(r.ref.type, r.ref.agency_id, r.ref.id) for r in records})
    by_identity: dict[tuple[str, str, str], list[StoredArtefact]] = {}
    for artefact in stored:
        key = (artefact.ref.type, artefact.ref.agency_id, artefact.ref.id)
        by_identity.setdefault(key, []).append(artefact)
    needed = [a.pk for a in stored]
    xml_of = store.read_xml(needed) if needed else {}
    report = ChangeReport()
    for record in records:
        versions = by_identity.get((record.ref.type, record.ref.agency_id, record.ref.id), [])
        report.changes.append(_compare(record, versions, xml_of))
    return report


def _compare(
    record: ArtefactRecord, versions: list[StoredArtefact], xml_of: dict[int, bytes]
) -> ArtefactChange:
    merged = is_partial(record.xml)
    if not versions:
        return ArtefactChange(record, NEW, items_added=tuple(_items(record.xml)), merged=merged)
    same = next((a for a in versions if a.ref.version == record.ref.version), None)
    if same is None:
        previous = max(versions, key=lambda a: version_key(a.ref.version))
        change = _with_items(record, NEW_VERSION, previous, xml_of[previous.pk])
        return replace(change, items_removed=(), merged=True) if merged else change
    stored_xml = xml_of[same.pk]
    if needs_decision(record, stored_xml):
        return _merged(record, same, stored_xml)
    same_bytes = same.digest == hashlib.sha256(record.xml).hexdigest()
    if same_bytes or canonical_xml(stored_xml) == canonical_xml(record.xml):
        return ArtefactChange(record, UNCHANGED, compared_with=same.ref.version)
    if same.is_final:
        return ArtefactChange(record, CONFLICT, compared_with=same.ref.version)
    return _with_items(record, CHANGED, same, stored_xml)


def _merged(record: ArtefactRecord, same: StoredArtefact, stored_xml: bytes) -> ArtefactChange:
    """A partial scheme, or a whole one over a stored partial copy: what merging it does."""
    decision = decide_scheme(record, CurrentArtefact(stored_xml, same.is_final, same.sdmx_ml))
    if decision.result == "refused":
        return ArtefactChange(record, CONFLICT, compared_with=same.ref.version, merged=True)
    if decision.record is None:
        return ArtefactChange(record, UNCHANGED, compared_with=same.ref.version, merged=True)
    change = _with_items(decision.record, CHANGED, same, stored_xml)
    return replace(change, record=record, merged=True)


def _with_items(
    record: ArtefactRecord, kind: str, stored: StoredArtefact, stored_xml: bytes
) -> ArtefactChange:
    before, after = _items(stored_xml), _items(record.xml)
    return ArtefactChange(
        record,
        kind,
        compared_with=stored.ref.version,
        items_added=tuple(i for i in after if i not in before),
        items_removed=tuple(i for i in before if i not in after),
        items_renamed=tuple(
            ItemRename(i, before[i], name)
            for i, name in after.items()
            if i in before and before[i] != name
        ),
    )


def _items(xml: bytes) -> dict[str, str]:
    """The items of an item scheme (codes, concepts, ...): id -> English (or first) name."""
    root = etree.fromstring(xml, safe_parser())
    items: dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str) or child.get("id") is None:
            continue
        names = [n for n in child if isinstance(n.tag, str) and etree.QName(n).localname == "Name"]
        english = [n for n in names if n.get(_XML_LANG) == "en"]
        chosen = (english or names or [None])[0]
        items[child.get("id", "")] = "" if chosen is None else (chosen.text or "").strip()
    return items
