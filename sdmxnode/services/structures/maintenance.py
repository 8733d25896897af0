"""Structure maintenance (SDMX-REST 2.x `maintenance.md`): create, replace and delete artefacts.

Each artefact is all-or-nothing: it is created, updated, left unchanged or refused with its
own status; every accepted artefact of one request is stored in ONE transaction. The rules:

- a final artefact is immutable: new content under its version is refused with 409 ("final
  artefacts are immutable, publish a new version"); the same content again is "unchanged".
  Content is compared as canonical XML (C14N 2.0, prefixes rewritten, whitespace-only text
  ignored), so a reformatted resubmission is not a change;
- references that must resolve (`MUST_RESOLVE`) must name an artefact stored in the node or
  accepted from the same message (3.0 wildcards such as `1.0+.0` match as in queries);
  otherwise 409. Others (agency schemes, categorisation targets, ...) may stay dangling, as
  real agency messages routinely reference artefacts they do not carry;
- a delete is refused with 409 for a final artefact (the matrix of `maintenance.md`), for one
  another stored artefact references, and for a dataflow that holds data;
- stored data keep the shape of their structure: a replacement that changes the components
  of a DSD whose dataflows hold data, or the DSD of a dataflow holding data, is 409;
- partial item schemes (`isPartial="true"`), and whole schemes sent over a stored partial
  copy, are decided by `partial_schemes.decide_scheme` inside the store's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from sdmxnode.errors import BadRequest, Invalid, SemanticError, UnsupportedMediaType
from sdmxnode.formats.reports.registry_interface import SubmissionResult
from sdmxnode.formats.sdmxml import canonical_xml, safe_parser
from sdmxnode.formats.sdmxml.registry.registrations import agreement_urn
from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import read_structure_records
from sdmxnode.services.structures.partial_schemes import (
    SchemeDecision,
    needs_decision,
    recording_decision,
    submission_result,
)
from sdmxnode.services.structures.queries import matching_versions
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.registrations import RegistrationStore

log = logging.getLogger(__name__)

#: Referencing type -> the referenced types that must resolve for it to be accepted.
MUST_RESOLVE: dict[str, frozenset[str]] = {
    "DataStructure": frozenset({"Codelist", "ConceptScheme"}),
    "MetadataStructure": frozenset({"Codelist", "ConceptScheme"}),
    "Dataflow": frozenset({"DataStructure"}),
    "Metadataflow": frozenset({"MetadataStructure"}),
    "ProvisionAgreement": frozenset({"Dataflow"}),
    "ContentConstraint": frozenset({"Dataflow", "DataStructure", "ProvisionAgreement"}),
    # A map is applied to data: what it converts from and to, and the rules it goes through.
    "StructureMap": frozenset({"DataStructure", "Dataflow", "RepresentationMap"}),
    "RepresentationMap": frozenset({"Codelist", "ValueList"}),
    # An association is applied by the aggregate check: the hierarchy it links.
    "HierarchyAssociation": frozenset({"HierarchicalCodelist"}),
}
#: How the refusal of an artefact with references resolved nowhere ends.
UNRESOLVED = "which is neither in the node nor accepted from this message"
#: Media types of the bodies read: SDMX-ML 2.1 and 3.0 structure messages.
_XML_MEDIA_TYPES = {"application/xml", "text/xml", "application/octet-stream"}
_WILDCARDS = ("*", "~", "+", ",")
_MAX_LISTED = 5


@dataclass(frozen=True)
class MaintenanceResult:
    """The outcome of one maintenance request: one SubmissionResult per artefact."""

    results: tuple[SubmissionResult, ...]

    @property
    def status(self) -> int:
        """201 if anything was created, else 200; 207 when some artefacts were refused and
        others accepted; when all were refused, their common status, else 409."""
        refused = [r for r in self.results if not r.succeeded]
        if refused and len(refused) < len(self.results):
            return 207
        if refused:
            codes = {r.status for r in refused}
            return codes.pop() if len(codes) == 1 else 409
        return 201 if any(r.result == "created" for r in self.results) else 200

    @property
    def counts(self) -> dict[str, int]:
        """How many artefacts each outcome had: created, updated, unchanged, deleted, refused."""
        counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "refused": 0}
        for result in self.results:
            counts[result.result] += 1
        return counts


def read_submission(data: bytes, content_type: str | None) -> list[ArtefactRecord]:
    """The artefacts of an SDMX-ML 2.1, 3.0 or 3.1 structure message sent as a request body.

    415 for SDMX-JSON and other media types, 400 for a body that is empty, not XML, or not
    valid against the official schema (the XSD findings are in the message).
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if "json" in media_type:
        raise UnsupportedMediaType(
            "SDMX-JSON structure submissions are not read by this node: send an SDMX-ML 2.1, "
            "3.0 or 3.1 structure message (Content-Type: "
            "application/vnd.sdmx.structure+xml;version=2.1, ;version=3.0.0 or ;version=3.1.0)",
            where="Content-Type",
        )
    if media_type and media_type not in _XML_MEDIA_TYPES and not media_type.endswith("+xml"):
        raise UnsupportedMediaType(
            f"cannot read a {media_type} body: send an SDMX-ML 2.1, 3.0 or 3.1 structure message",
            where="Content-Type",
        )
    if not data.strip():
        raise BadRequest("the request body is empty: send an SDMX-ML structure message")
    try:
        return read_structure_records(data, source="the request body", strict=True)
    except Invalid as exc:
        raise BadRequest(exc.message, where=exc.where) from exc


def check_identified(type_: str, agency_id: str, id_: str, version: str) -> None:
    """PUT and DELETE name exactly one artefact: no wildcards, no version keywords."""
    for name, value in (("agencyID", agency_id), ("resourceID", id_), ("version", version)):
        if any(mark in value for mark in _WILDCARDS) or value in ("latest", "all"):
            raise SemanticError(
                f"{type_} {name} {value!r} is not one artefact: PUT and DELETE name exactly one "
                "maintainable artefact (agency, id and version, no wildcards)",
                where=name,
            )


def submit_structures(
    node: Node,
    records: Sequence[ArtefactRecord],
    *,
    allowed_types: Collection[str] | None = None,
    replace: ArtefactRef | None = None,
    dry_run: bool = False,
) -> MaintenanceResult:
    """Create or replace the submitted artefacts (POST), or the one artefact `replace` (PUT).

    Request-level problems raise SemanticError (422): a type outside `allowed_types` (the
    type in the URL), an artefact given twice, a PUT body that is not exactly the artefact
    of the URL. Each artefact then gets its own outcome; the accepted ones are stored in
    one transaction, unless `dry_run` (the outcomes a submission would have, nothing stored).
    """
    _check_request(records, allowed_types, replace)
    stored = _stored_versions(node, records)
    if replace is not None and not any(s.ref == replace for s in stored.get(_key(replace), [])):
        return MaintenanceResult(
            (SubmissionResult(replace, "Replace", "refused", 404, f"{replace} is not in the node"),)
        )
    stored_xml = node.store.read_xml(
        [s.pk for r in records for s in stored.get(_key(r.ref), []) if s.ref == r.ref]
    )
    outcomes: dict[ArtefactRef, SubmissionResult] = {}
    pending: dict[ArtefactRef, ArtefactRecord] = {}
    decided: dict[ArtefactRef, SchemeDecision] = {}
    for record in records:
        existing = next((s for s in stored.get(_key(record.ref), []) if s.ref == record.ref), None)
        action = "Append" if existing is None else "Replace"
        if needs_decision(record, _stored_xml(record.ref, stored, stored_xml)):
            pending[record.ref] = record  # decided by the store, on the row it holds then
        elif existing is None:
            pending[record.ref] = record
        elif canonical_xml(stored_xml[existing.pk]) == canonical_xml(record.xml):
            outcomes[record.ref] = SubmissionResult(
                record.ref, action, "unchanged", 200, f"{record.ref} is unchanged"
            )
        elif existing.is_final:
            outcomes[record.ref] = _refused(
                record.ref,
                action,
                409,
                f"{record.ref} is final and its content differs from the stored one: final "
                "artefacts are immutable, publish a new version",
            )
        else:
            pending[record.ref] = record
    _refuse_unresolved(pending, outcomes, stored, records)
    reshaped = _refuse_reshaping_data(node, pending, outcomes, stored, stored_xml)
    accepted = [r for r in records if r.ref in pending]
    if accepted and not dry_run:
        node.store.put_artefacts(
            accepted,
            keep_final=True,
            must_stay_empty={ref: pks for ref, pks in reshaped.items() if ref in pending},
            depends=_resolved_in_store(accepted, stored),
            decide={
                r.ref: recording_decision(r, decided)
                for r in accepted
                if needs_decision(r, _stored_xml(r.ref, stored, stored_xml))
            },
        )
    for ref in pending:
        if ref in decided:
            outcomes[ref] = submission_result(ref, decided[ref])
            continue
        is_new = not any(s.ref == ref for s in stored.get(_key(ref), []))
        outcomes[ref] = (
            SubmissionResult(ref, "Append", "created", 201, f"{ref} created")
            if is_new
            else SubmissionResult(ref, "Replace", "updated", 200, f"{ref} updated")
        )
    result = MaintenanceResult(tuple(outcomes[r.ref] for r in records))
    log.info("structure submission%s: %s", " (dry run)" if dry_run else "", result.counts)
    return result


def find_unresolved(node: Node, records: Sequence[ArtefactRecord]) -> list[SubmissionResult]:
    """The artefacts whose must-resolve references resolve neither in the node nor among
    `records` (every one of them, whatever the other rules say of it)."""
    outcomes: dict[ArtefactRef, SubmissionResult] = {}
    pending = {r.ref: r for r in records}
    _refuse_unresolved(pending, outcomes, _stored_versions(node, records), records)
    return [outcomes[r.ref] for r in records if r.ref in outcomes]


def delete_structure(node: Node, ref: ArtefactRef) -> MaintenanceResult:
    """Delete one artefact: 200, 404 if absent, 409 if final, referenced or holding data.

    The checks run inside the store's deleting transaction, with the artefact's row locked:
    a data load or a referencing write that commits first makes the deletion a 409, one
    that comes later finds the artefact gone.
    """
    deleted, refusal = node.store.delete_artefact(ref, lambda found: _deletion_refused(node, found))
    if refusal is not None:
        return _single(refusal)
    if not deleted:
        return _single(_refused(ref, "Delete", 404, f"{ref} is not in the node"))
    return _single(SubmissionResult(ref, "Delete", "deleted", 200, f"{ref} deleted"))


def _deletion_refused(node: Node, artefact: StoredArtefact) -> SubmissionResult | None:
    """Why `artefact` may not be deleted (409), or None."""
    ref = artefact.ref
    if artefact.is_final:
        return _refused(
            ref,
            "Delete",
            409,
            f"{ref} is final (stable) and cannot be deleted: stable artefacts stay "
            "available to those who use them",
        )
    referrers = _referrers(node, artefact)
    if referrers:
        listed = ", ".join(str(r) for r in referrers[:_MAX_LISTED])
        more = f" and {len(referrers) - _MAX_LISTED} more" if len(referrers) > _MAX_LISTED else ""
        return _refused(ref, "Delete", 409, f"{ref} is still referenced by {listed}{more}")
    if ref.type == "Dataflow" and node.data.has_data(artefact.pk):
        return _refused(ref, "Delete", 409, f"{ref} still holds data: delete its data first")
    if ref.type == "ProvisionAgreement":
        urn = agreement_urn(ref.agency_id, ref.id, ref.version)
        registered = RegistrationStore.sharing(node.store).count_for_agreement(urn)
        if registered:
            return _refused(
                ref,
                "Delete",
                409,
                f"{ref} still has {registered} registration(s) of data sources: delete them"
                " first (a registration needs its agreement to be pulled)",
            )
    return None


def _check_request(
    records: Sequence[ArtefactRecord],
    allowed_types: Collection[str] | None,
    replace: ArtefactRef | None,
) -> None:
    if allowed_types is not None:
        wrong = sorted({str(r.ref) for r in records if r.ref.type not in allowed_types})
        if wrong:
            raise SemanticError(
                f"the URL names {' or '.join(sorted(allowed_types))}, but the body holds "
                f"{', '.join(wrong[:_MAX_LISTED])}",
                where="structureType",
            )
    seen: set[ArtefactRef] = set()
    for record in records:
        if record.ref in seen:
            raise SemanticError(f"{record.ref} is given twice in the message")
        seen.add(record.ref)
    if replace is not None and [r.ref for r in records] != [replace]:
        got = ", ".join(str(r.ref) for r in records[:_MAX_LISTED])
        raise SemanticError(
            f"PUT replaces exactly the artefact of the URL, {replace}; the body holds {got}",
            where="body",
        )


def _key(ref: ArtefactRef) -> tuple[str, str, str]:
    return (ref.type, ref.agency_id, ref.id)


def _stored_versions(
    node: Node, records: Iterable[ArtefactRecord]
) -> dict[tuple[str, str, str], list[StoredArtefact]]:
    """Every stored version of the submitted artefacts and of what they reference."""
    keys = {_key(r.ref) for r in records}
    keys.update(_key(t) for r in records for t in r.references)
    found: dict[tuple[str, str, str], list[StoredArtefact]] = {}
    for artefact in node.store.find_by_identity(keys):
        found.setdefault(_key(artefact.ref), []).append(artefact)
    return found


def _refuse_unresolved(
    pending: dict[ArtefactRef, ArtefactRecord],
    outcomes: dict[ArtefactRef, SubmissionResult],
    stored: dict[tuple[str, str, str], list[StoredArtefact]],
    records: Sequence[ArtefactRecord],
) -> None:
    """Move pending artefacts with references resolved nowhere to `outcomes` (409).

    Repeated until nothing changes: an artefact whose reference was satisfied only by an
    artefact of the message that is itself refused is refused in turn.
    """
    unchanged = {r.ref for r in records if r.ref in outcomes and outcomes[r.ref].succeeded}
    changed = True
    while changed:
        changed = False
        offered: dict[tuple[str, str, str], list[tuple[str, bool]]] = {}
        for record in records:
            if record.ref in pending or record.ref in unchanged:
                offered.setdefault(_key(record.ref), []).append(
                    (record.ref.version, record.is_final)
                )
        for ref, record in list(pending.items()):
            missing = [
                target
                for target in sorted(record.references)
                if target.type in MUST_RESOLVE.get(ref.type, ())
                and not matching_versions(
                    target.version,
                    [(s.ref.version, s.is_final) for s in stored.get(_key(target), [])]
                    + offered.get(_key(target), []),
                )
            ]
            if missing:
                listed = ", ".join(str(m) for m in missing[:_MAX_LISTED])
                action = (
                    "Replace"
                    if any(s.ref == ref for s in stored.get(_key(ref), []))
                    else ("Append")
                )
                outcomes[ref] = _refused(
                    ref,
                    action,
                    409,
                    f"{ref} references {listed}, {UNRESOLVED}",
                )
                del pending[ref]
                changed = True


def _resolved_in_store(
    accepted: Sequence[ArtefactRecord], stored: dict[tuple[str, str, str], list[StoredArtefact]]
) -> list[tuple[int, str]]:
    """The stored artefacts (pk, digest) that the accepted artefacts' must-resolve references
    name by exact version and that the message does not replace itself: the store checks,
    under a lock, that each is still there as read (a DELETE of one cannot slip between
    this check and the commit)."""
    replaced = {r.ref for r in accepted}
    found = set()
    for record in accepted:
        for target in record.references:
            if target.type not in MUST_RESOLVE.get(record.ref.type, ()):
                continue
            for artefact in stored.get(_key(target), []):
                if artefact.ref == target and artefact.ref not in replaced:
                    found.add((artefact.pk, artefact.digest))
    return sorted(found)


def _refuse_reshaping_data(
    node: Node,
    pending: dict[ArtefactRef, ArtefactRecord],
    outcomes: dict[ArtefactRef, SubmissionResult],
    stored: dict[tuple[str, str, str], list[StoredArtefact]],
    stored_xml: dict[int, bytes],
) -> dict[ArtefactRef, list[int]]:
    """Move to `outcomes` (409) the replacements that would change the shape of stored
    data: a DSD whose components change while dataflows using it hold data, a dataflow
    holding data that would point to another DSD. Names, descriptions and annotations may
    change; the data would otherwise no longer match its structure.

    Returns, for each pending replacement that reshapes, the dataflows (pks) that hold no
    data now and must still hold none when the store commits it (a load racing the
    replacement): the store decides that inside its transaction.
    """
    reshaped: dict[ArtefactRef, list[int]] = {}
    for ref, record in list(pending.items()):
        existing = next((a for a in stored.get(_key(ref), []) if a.ref == ref), None)
        if existing is None:
            continue
        flows = _reshaped_flows(node, record, existing, stored_xml)
        holding = [flow.ref for flow in flows if node.data.has_data(flow.pk)]
        if holding:
            listed = ", ".join(str(flow) for flow in holding[:_MAX_LISTED])
            outcomes[ref] = _refused(
                ref,
                "Replace",
                409,
                f"{ref} would change the structure of data already stored ({listed}): "
                "delete that data first, or publish a new version",
            )
            del pending[ref]
        elif flows:
            reshaped[ref] = [flow.pk for flow in flows]
    return reshaped


def _reshaped_flows(
    node: Node, record: ArtefactRecord, existing: StoredArtefact, stored_xml: dict[int, bytes]
) -> list[StoredArtefact]:
    """The stored dataflows whose data the replacement `record` of `existing` reshapes."""
    if record.ref.type == "DataStructure":
        if _components(record.xml) == _components(stored_xml[existing.pk]):
            return []
        referrers = [flow for flow in _referrers(node, existing) if flow.type == "Dataflow"]
        return [a for a in (node.store.find_artefact(flow) for flow in referrers) if a]
    if record.ref.type == "Dataflow":
        before = {
            t
            for t in node.store.list_references_from([existing.pk]).get(existing.pk, set())
            if t.type == "DataStructure"
        }
        after = {t for t in record.references if t.type == "DataStructure"}
        return [existing] if before != after else []
    return []


def _components(xml: bytes) -> str:
    """The canonical DataStructureComponents of a DSD element (what shapes its data)."""
    element = etree.fromstring(xml, safe_parser())
    parts = [c for c in element if etree.QName(c).localname == "DataStructureComponents"]
    return etree.canonicalize(parts[0], strip_text=True, rewrite_prefixes=True) if parts else ""


def _referrers(node: Node, artefact: StoredArtefact) -> list[ArtefactRef]:
    """Other stored artefacts whose references designate this very version."""
    versions = [
        (a.ref.version, a.is_final) for a in node.store.find_by_identity([_key(artefact.ref)])
    ]
    found = {
        referrer.ref
        for referrer, target in node.store.list_referrers([_key(artefact.ref)])
        if referrer.pk != artefact.pk
        and artefact.ref.version in matching_versions(target.version, versions)
    }
    return sorted(found)


def _stored_xml(
    ref: ArtefactRef,
    stored: dict[tuple[str, str, str], list[StoredArtefact]],
    stored_xml: dict[int, bytes],
) -> bytes | None:
    existing = next((s for s in stored.get(_key(ref), []) if s.ref == ref), None)
    return None if existing is None else stored_xml.get(existing.pk)


def _refused(ref: ArtefactRef, action: str, status: int, message: str) -> SubmissionResult:
    return SubmissionResult(ref, action, "refused", status, message)


def _single(result: SubmissionResult) -> MaintenanceResult:
    return MaintenanceResult((result,))
