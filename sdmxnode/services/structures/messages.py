"""Structure messages given as files: telling them from data messages, and loading or
checking them under the rules of structure maintenance (`sdmxnode load` and `validate`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sdmxnode.errors import Invalid, SdmxNodeError
from sdmxnode.formats.input import DEFAULT_MAX_BYTES, OpenedMessage
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import read_structure_records
from sdmxnode.services.structures.maintenance import (
    UNRESOLVED,
    MaintenanceResult,
    find_unresolved,
    submit_structures,
)
from sdmxnode.validation.findings import ERROR, WARNING, Finding
from sdmxnode.validation.message_kinds import root_name

log = logging.getLogger(__name__)

#: What the `meta.schema` URL of an SDMX-JSON structure message holds (1.0 and 2.0).
_JSON_STRUCTURE_SCHEMA = b"structure-schema"


def structure_message_kind(message: OpenedMessage) -> str | None:
    """'sdmx-ml' or 'sdmx-json' when `message` is a structure message, None otherwise (data,
    and whatever else the data path reports on): the root element of SDMX-ML, the
    `meta.schema` of SDMX-JSON."""
    if message.kind == "sdmx-ml" and root_name(message.head) == "Structure":
        return "sdmx-ml"
    if message.kind == "sdmx-json" and _JSON_STRUCTURE_SCHEMA in message.head:
        return "sdmx-json"
    return None


@dataclass(frozen=True)
class StructureLoad:
    """The outcome of loading one structure message: each artefact's, and whether the
    message was stored (all or nothing: only when no artefact was refused)."""

    result: MaintenanceResult
    stored: bool


def load_structure_message(
    node: Node, message: OpenedMessage, *, source: str = "message"
) -> StructureLoad:
    """Store the artefacts of a structure message under the rules of structure maintenance
    (those of `POST /rest/v2/structure`), with every right (the CLI is the admin).

    Unlike an HTTP submission, which stores the accepted artefacts and refuses the others
    (207), a file is one transaction: when the rules refuse any artefact, none is stored.
    Raises Invalid for a message that fails its XSD, and for SDMX-JSON structure messages
    (the node stores SDMX-ML only).
    """
    records = read_structure_records(_content(message, source), source=source, strict=True)
    checked = submit_structures(node, records, dry_run=True)
    if any(not r.succeeded for r in checked.results):
        return StructureLoad(checked, stored=False)
    result = submit_structures(node, records)
    return StructureLoad(result, stored=all(r.succeeded for r in result.results))


def check_structure_message(node: Node, message: OpenedMessage, *, source: str) -> list[Finding]:
    """The findings of a structure message; nothing is stored.

    Errors are the message's own: its schema, an artefact given twice, references that
    must resolve (`maintenance.MUST_RESOLVE`) and resolve neither in the message nor among
    `node`'s structures (UNRESOLVED_REFERENCE). What a load into `node` would refuse for
    other reasons (a changed final artefact, a partial item scheme, stored data reshaped)
    is a warning (STRUCTURE_REFUSED): the message is sound, the node holds otherwise.
    """
    try:
        records = read_structure_records(_content(message, source), source=source, strict=True)
        unresolved = find_unresolved(node, records)
        result = submit_structures(node, records, dry_run=True)
    except SdmxNodeError as exc:
        return [_error_finding(exc)]
    findings = [Finding("UNRESOLVED_REFERENCE", ERROR, r.message) for r in unresolved]
    findings.extend(
        Finding("STRUCTURE_REFUSED", WARNING, f"a load would refuse it: {r.message}")
        for r in result.results
        if not r.succeeded and UNRESOLVED not in r.message
    )
    return findings


def _content(message: OpenedMessage, source: str) -> bytes:
    if structure_message_kind(message) == "sdmx-json":
        raise Invalid(
            f"{source} is an SDMX-JSON structure message, which this node does not store: "
            "send an SDMX-ML 2.1, 3.0 or 3.1 structure message"
        )
    with message.open() as stream:
        return stream.read(message.max_bytes or DEFAULT_MAX_BYTES)


def _error_finding(exc: SdmxNodeError) -> Finding:
    """UNREADABLE for what is no XML message, SCHEMA for an XSD failure, STRUCTURE_REFUSED
    for a message the maintenance rules refuse whole (an artefact given twice)."""
    if "well-formed" in exc.message or "DOCTYPE" in exc.message:
        return Finding("UNREADABLE", ERROR, exc.text)
    return Finding("SCHEMA" if isinstance(exc, Invalid) else "STRUCTURE_REFUSED", ERROR, exc.text)
