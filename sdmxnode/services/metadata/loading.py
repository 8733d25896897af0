"""Loading reference-metadata messages: all or nothing, each set by its action, with history.

A message is checked whole first (`checking`): one error and nothing is stored
(LoadRejected with the report). Then one transaction (`MetadataStore.transaction`) decides
each set on the stored one, read under lock (`find_body`), and writes it (`put`/`delete`),
so two loads of the same set never interleave.

Actions (SDMX 2.1 `ActionType`, SDMX 3.0 adds Merge), applied per set:
- Replace: the set sent takes the place of the stored one whole (a metadata set is a
  maintainable artefact in SDMX 3.0, and maintenance replaces an artefact whole).
- Merge: reports are matched by (report structure, metadata target, target values); within a
  matched report each top-level attribute sent replaces the stored one of its id, the others
  stay; unmatched reports are added.
- Append: as Merge, but attributes already present are kept ("if any of the supplied ...
  metadata is already present, it will not replace that metadata", SDMX 2.1 ActionType).
- Delete: the set is removed (its content is not read); deleting a set the node does not
  hold is refused (nothing of the message is stored).
- Information (the default when a message names none): taken as Merge, the way SDMX-CSV 2.1
  reads its deprecated I and A actions and the node reads Information for data: an
  incremental update that never removes what is held.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from sdmxnode.errors import LoadRejected, NotFound
from sdmxnode.formats.input import DEFAULT_MAX_BYTES, OpenedMessage, open_message
from sdmxnode.formats.metadata import MetadataReport, MetadataSet, from_json, to_json
from sdmxnode.formats.subscriptions.model import Event, metadata_event
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.metadata.checking import check_metadata_message
from sdmxnode.services.node import Node
from sdmxnode.storage.metadata.reads import MetadataReads
from sdmxnode.storage.metadata.sets import MetadataSetRow, MetadataStore, MetadataTransaction
from sdmxnode.validation.report import Report


@dataclass(frozen=True)
class MetadataLoadOptions:
    """How a metadata message is loaded: its name in findings, who writes, and the
    metadataflow or MSD to check against instead of the one it names."""

    source: str = "message"
    principal: str = ""
    structure: ArtefactRef | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    #: The metadataflow the message was sent to (HTTP submission): every set must be for it
    #: (a set naming another metadataflow is WRONG_DATAFLOW) and is checked against it.
    metadataflow: ArtefactRef | None = None
    #: The action every set takes whatever the message says (PUT: Replace; DELETE: Delete).
    action: str | None = None


@dataclass
class MetadataLoadResult:
    """What a load did: per set identity, the action taken ('created', 'replaced',
    'merged', 'appended', 'deleted', 'unchanged'), and the report (warnings only)."""

    report: Report
    outcomes: dict[str, str] = field(default_factory=dict)
    structures: set[ArtefactRef] = field(default_factory=set)


def load_metadata(
    node: Node, data: bytes | Path | OpenedMessage, options: MetadataLoadOptions
) -> MetadataLoadResult:
    """Validate a metadata message and store its sets in one transaction.

    Raises LoadRejected (with the report) when any finding is an error, and NotFound
    when a Delete names a set the node does not hold; nothing is stored then.
    """
    message = (
        data if isinstance(data, OpenedMessage) else open_message(data, max_bytes=options.max_bytes)
    )
    report = Report()
    structure = options.metadataflow or options.structure
    sets = check_metadata_message(
        node.store, message, report, source=options.source, structure=structure
    )
    if options.metadataflow is not None:
        _check_sent_to(options.metadataflow, sets, report)
    if report.errors:
        raise LoadRejected(report, options.source)
    if structure is not None:
        sets = [replace(s, structure=structure) for s in sets]
    if options.action is not None:
        sets = [replace(s, action=options.action) for s in sets]
    result = MetadataLoadResult(report, structures={s.structure for s in sets})
    with MetadataStore.sharing(node.store).transaction(principal=options.principal) as tx:
        tx.lock_sets((s.agency_id, s.id, s.version) for s in sets)
        events = []
        for metadata_set in sets:
            outcome = apply_action(tx, metadata_set)
            result.outcomes[metadata_set.identity] = outcome
            if outcome != "unchanged":
                events.append(_event(metadata_set, outcome))
        tx.notify(events)
    return result


_EVENT_ACTIONS = {"created": "Append", "deleted": "Delete"}


def _event(metadata_set: MetadataSet, outcome: str) -> Event:
    """The notification event of a set written or deleted (`formats.subscriptions`)."""
    s = metadata_set
    ref = ArtefactRef("MetadataSet", s.agency_id, s.id, s.version)
    return metadata_event(ref, s.structure, s.provider, _EVENT_ACTIONS.get(outcome, "Replace"))


def _check_sent_to(flow: ArtefactRef, sets: list[MetadataSet], report: Report) -> None:
    """A set naming another metadataflow than the one the message was sent to is refused."""
    for metadata_set in sets:
        named = metadata_set.structure
        if named.type == "Metadataflow" and (named.agency_id, named.id, named.version) != (
            flow.agency_id,
            flow.id,
            flow.version,
        ):
            report.error(
                "WRONG_DATAFLOW",
                f"the metadata set {metadata_set.id!r} is for {named}, not for {flow}, to"
                " which it was sent",
                line=metadata_set.line,
            )


def apply_action(tx: MetadataTransaction, metadata_set: MetadataSet) -> str:
    """Store one set by its action, deciding on the stored set read under lock."""
    s = metadata_set
    stored_body = tx.find_body(s.agency_id, s.id, s.version)
    if s.action == "Delete":
        if stored_body is None or not tx.delete(s.agency_id, s.id, s.version):
            raise NotFound(f"metadata set {s.identity} is not held by the node: nothing to delete")
        return "deleted"
    if stored_body is None:
        tx.put(set_row(s), s.action)
        return "created"
    if s.action == "Replace":
        merged, outcome = s, "replaced"
    else:
        merged = merge_sets(from_json(stored_body), s, keep_present=s.action == "Append")
        outcome = "appended" if s.action == "Append" else "merged"
    row = set_row(merged)
    if row.body == stored_body:
        return "unchanged"
    tx.put(row, s.action)
    return outcome


def _report_key(report: MetadataReport) -> tuple:
    return (report.id, report.target_id, tuple(sorted(report.targets, key=repr)))


def merge_sets(stored: MetadataSet, sent: MetadataSet, *, keep_present: bool) -> MetadataSet:
    """The stored set updated by `sent` (see the module's Merge and Append)."""
    sent_reports = {_report_key(r): r for r in sent.reports}
    reports: list[MetadataReport] = []
    for old in stored.reports:
        new = sent_reports.pop(_report_key(old), None)
        if new is None:
            reports.append(old)
            continue
        sent_ids = {a.id for a in new.attributes}
        if keep_present:
            held = {a.id for a in old.attributes}
            attributes = (*old.attributes, *(a for a in new.attributes if a.id not in held))
        else:
            attributes = (
                *(a for a in old.attributes if a.id not in sent_ids),
                *new.attributes,
            )
        reports.append(replace(old, attributes=tuple(attributes)))
    reports.extend(sent_reports.values())
    return replace(
        sent,
        names=sent.names or stored.names,
        provider=sent.provider or stored.provider,
        reporting_begin=sent.reporting_begin or stored.reporting_begin,
        reporting_end=sent.reporting_end or stored.reporting_end,
        valid_from=sent.valid_from or stored.valid_from,
        valid_to=sent.valid_to or stored.valid_to,
        reports=tuple(reports),
    )


def set_row(metadata_set: MetadataSet) -> MetadataSetRow:
    """The stored row of a set: canonical JSON (its action not kept: an action is what a
    message does, not what the set is), digest, name and targeted URNs."""
    body = to_json(replace(metadata_set, action="Information"))
    names = dict(metadata_set.names)
    return MetadataSetRow(
        agency_id=metadata_set.agency_id,
        id=metadata_set.id,
        version=metadata_set.version,
        structure=metadata_set.structure,
        provider=metadata_set.provider,
        name=names.get("en") or next(iter(names.values()), ""),
        body=body,
        digest=hashlib.sha256(body.encode()).hexdigest(),
        targets=tuple(
            (report.id, target.value)
            for report in metadata_set.reports
            for target in report.targets
            if target.kind in ("object", "constraint")
        ),
    )


def count_metadata_sets(node: Node) -> int:
    """How many reference-metadata sets the node holds."""
    return MetadataReads.sharing(node.store).count_sets()
