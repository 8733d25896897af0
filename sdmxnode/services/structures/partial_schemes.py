"""Partial item schemes (`isPartial="true"`) as agencies send them: store, merge or refuse.

Real structure messages carry excerpts of code lists (Eurostat's ESMS and dataset
structures, each with the codes of one dataset). The rules (SDMX-REST 2.x
`maintenance.md`, "Partially update Item Schemes"; the merge is `formats/sdmxml/item_merge`):

- nothing stored under the identity: the partial scheme is stored as sent, marked partial;
- a stored scheme that is not final: the partial one is merged into it; a merge into a
  partial copy stays partial, a merge into the whole scheme stays whole;
- a final scheme: a partial one that only repeats items unchanged is unchanged; one that
  changes it is refused (409), as any change of a final artefact. A stored *partial copy*
  of a final scheme may still learn items it does not hold yet (another dataset's
  excerpt of the same final code list), provided nothing it holds changes;
- the whole scheme replaces a stored partial copy; for a final one, only a final whole
  scheme that holds every item of the copy unchanged;
- a partial scheme is merged only into one stored in the same SDMX-ML version (409).

`decide_scheme` is a pure function of the submitted record and the stored artefact: the
store calls it inside its write transaction (`StructureStore.put_artefacts(decide=...)`),
so that the read-modify-write of a merge is one atomic decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from sdmxnode.formats.reports.registry_interface import SubmissionResult
from sdmxnode.formats.sdmxml import canonical_xml, safe_parser
from sdmxnode.formats.sdmxml.elements import artefact_record
from sdmxnode.formats.sdmxml.item_merge import (
    changed_items,
    is_partial,
    item_ids,
    merge_item_scheme,
    only_held_items,
)
from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.records import CurrentArtefact
from sdmxnode.storage.structure_rows import Decide

_MAX_LISTED = 5


@dataclass(frozen=True)
class SchemeDecision:
    """What to do with one submitted item scheme: the outcome and the record to store."""

    result: str  # "created" | "updated" | "unchanged" | "refused"
    status: int
    message: str
    record: ArtefactRecord | None = None  # what to store (None: nothing)


def needs_decision(record: ArtefactRecord, stored_xml: bytes | None) -> bool:
    """Whether `record` is stored by `decide_scheme`: it is partial, or the artefact
    stored under its identity (`stored_xml`) is."""
    return is_partial(record.xml) or (stored_xml is not None and is_partial(stored_xml))


def decide_in_store(record: ArtefactRecord) -> Decide:
    """The decision the store takes for `record` inside its transaction."""
    return lambda current: decide_scheme(record, current).record


def recording_decision(
    record: ArtefactRecord, decided: dict[ArtefactRef, SchemeDecision]
) -> Decide:
    """The store's decision for `record`, also kept in `decided` (for the answer)."""

    def decide(current: CurrentArtefact | None) -> ArtefactRecord | None:
        decided[record.ref] = decide_scheme(record, current)
        return decided[record.ref].record

    return decide


def submission_result(ref: ArtefactRef, decision: SchemeDecision) -> SubmissionResult:
    """The SubmitStructureResponse entry of a decision (Append when it created the scheme)."""
    action = "Append" if decision.result == "created" else "Replace"
    return SubmissionResult(ref, action, decision.result, decision.status, decision.message)


def decide_scheme(record: ArtefactRecord, current: CurrentArtefact | None) -> SchemeDecision:
    """The outcome of submitting `record` (partial, or whole over a partial copy) while
    `current` is stored under its identity (None: nothing is)."""
    ref = record.ref
    if current is None:
        kind = "a partial item scheme" if is_partial(record.xml) else "the whole item scheme"
        return SchemeDecision("created", 201, f"{ref} created as {kind}", record)
    if not is_partial(record.xml):
        return _whole_over_copy(record, current)
    if current.sdmx_ml != record.sdmx_ml:
        return _refused(
            f"{ref} is stored in SDMX-ML {current.sdmx_ml}: send the partial scheme in "
            f"SDMX-ML {current.sdmx_ml}, or the whole scheme"
        )
    copy = is_partial(current.xml)
    merged = merge_item_scheme(current.xml, record.xml, keep_partial=copy)
    if canonical_xml(merged) == canonical_xml(current.xml):
        return SchemeDecision("unchanged", 200, f"{ref} is unchanged")
    held = set(item_ids(current.xml))
    added = [i for i in item_ids(merged) if i not in held]
    if current.is_final:
        held_only = merge_item_scheme(
            current.xml, only_held_items(record.xml, current.xml), keep_partial=copy
        )
        if not copy or canonical_xml(held_only) != canonical_xml(current.xml):
            changed = changed_items(current.xml, merged)
            what = f" (items {_listed(changed)})" if changed else ""
            return _refused(
                f"{ref} is final and the partial scheme changes it{what}: final artefacts "
                "are immutable, publish a new version"
            )
    stored = artefact_record(etree.fromstring(merged, safe_parser()), current.sdmx_ml)
    replaced = len(item_ids(record.xml)) - len(added)
    return SchemeDecision(
        "updated",
        200,
        f"{ref} updated from a partial scheme: {len(added)} items added, {replaced} replaced",
        stored,
    )


def _whole_over_copy(record: ArtefactRecord, current: CurrentArtefact) -> SchemeDecision:
    """The whole scheme submitted while a (partial) copy of it is stored."""
    ref = record.ref
    if canonical_xml(record.xml) == canonical_xml(current.xml):
        return SchemeDecision("unchanged", 200, f"{ref} is unchanged")
    if current.is_final:
        changed = changed_items(current.xml, record.xml)
        if not is_partial(current.xml) or not record.is_final or changed:
            what = f" (items {_listed(changed)})" if changed else ""
            return _refused(
                f"{ref} is final and the scheme sent changes what the node holds of it"
                f"{what}: final artefacts are immutable, publish a new version"
            )
    return SchemeDecision(
        "updated", 200, f"{ref} updated: the whole scheme replaces the copy", record
    )


def _refused(message: str) -> SchemeDecision:
    return SchemeDecision("refused", 409, message)


def _listed(ids: list[str]) -> str:
    more = f" and {len(ids) - _MAX_LISTED} more" if len(ids) > _MAX_LISTED else ""
    return ", ".join(ids[:_MAX_LISTED]) + more
