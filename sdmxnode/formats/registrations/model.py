"""Registrations as the node models them, and their JSON face.

A Registration (SDMX information model, registry package) says where a data provider's
data for one provision agreement live: a queryable data source (an SDMX-REST endpoint) or
a simple data source (the URL of a data message), with its validity and index flags. The
SDMX-ML registry messages are in `formats/sdmxml/registry/registrations.py`.

SDMX-REST 2.2.2 defines no JSON for registrations (its OpenAPI reuses the reference-metadata
responses for /registration), so the node's JSON is its own, documented in the README:

    submission: {"registrations": [{"action": "Append"|"Replace"|"Delete",
                  "id": "...", "provisionAgreement": "urn:...ProvisionAgreement=A:ID(V)",
                  "dataSource": {"url": "...", "queryable": true},
                  "validFrom": "...", "validTo": "...", "indexTimeSeries": false, ...}]}
    answers:    {"meta": {...}, "registrations": [{... as above, "provider", "created",
                  "lastUpdated", "lastPull": {...}, "status": ..., "message": ...}]}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sdmxnode.errors import Invalid

#: The Registration's index flags as SDMX-ML names them.
INDEX_FLAGS = ("indexTimeSeries", "indexDataSet", "indexAttributes", "indexReportingPeriod")
#: The actions of a RegistrationRequest (SDMX common:ActionType; Information is refused).
ACTIONS = ("Append", "Replace", "Delete")


@dataclass(frozen=True)
class Pull:
    """How the last pull of a registration's source went."""

    at: datetime  # naive UTC
    outcome: str  # 'ok', 'not modified' or 'failed'
    written: int = 0
    deleted: int = 0
    error: str = ""


@dataclass(frozen=True)
class Registration:
    """A provider's data source for one provision agreement (id '' until the node names it)."""

    id: str
    agreement_urn: str
    provider: str  # 'AGENCY:ID' ('' in a request: the agreement's provider)
    source_url: str
    queryable: bool = True  # an SDMX-REST endpoint (QueryableDataSource), else a file URL
    rest_source: bool = True
    index_flags: frozenset[str] = frozenset()
    valid_from: datetime | None = None  # naive UTC
    valid_to: datetime | None = None
    created: datetime | None = None
    updated: datetime | None = None
    last_pull: Pull | None = None


@dataclass(frozen=True)
class RegistrationRequest:
    """One RegistrationRequest of a submission: the action and the registration."""

    action: str  # Append, Replace or Delete
    registration: Registration


@dataclass(frozen=True)
class RegistrationStatus:
    """The outcome of one request: the registration as stored (or as sent) and a status."""

    registration: Registration
    status: str  # Success, Warning or Failure (SDMX registry StatusType)
    code: str  # the HTTP status of this registration alone
    message: str


def parse_time(text: str | None, where: str) -> datetime | None:
    """An xs:dateTime (or date) as naive UTC; Invalid when unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(f"{where}: {text!r} is not a date-time", where=where) from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def format_time(moment: datetime | None) -> str | None:
    """A naive UTC time as xs:dateTime with Z, or None."""
    return None if moment is None else moment.replace(microsecond=0).isoformat() + "Z"


def check_action(action: str | None, where: str) -> str:
    """The action if the node supports it, else Invalid."""
    if action not in ACTIONS:
        raise Invalid(f"{where}: action {action!r} is not one of {', '.join(ACTIONS)}", where=where)
    return action


def read_json_requests(document: object) -> list[RegistrationRequest]:
    """The requests of a JSON submission (the node's own JSON, see the module text)."""
    entries = document.get("registrations") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise Invalid('a registration submission is {"registrations": [...]} with one or more')
    requests = []
    for number, entry in enumerate(entries, 1):
        where = f"registrations[{number}]"
        if not isinstance(entry, dict):
            raise Invalid(f"{where} is not an object", where=where)
        action = check_action(entry.get("action", "Append"), where)
        source = entry.get("dataSource") or {}
        urn, url = entry.get("provisionAgreement"), source.get("url")
        if not isinstance(urn, str) or not urn:
            raise Invalid(f"{where} names no provisionAgreement URN", where=where)
        if action != "Delete" and (not isinstance(url, str) or not url):
            raise Invalid(f"{where} has no dataSource url", where=where)
        requests.append(
            RegistrationRequest(
                action,
                Registration(
                    id=str(entry.get("id") or ""),
                    agreement_urn=urn,
                    provider="",
                    source_url=url or "",
                    queryable=bool(source.get("queryable", True)),
                    rest_source=bool(source.get("queryable", True)),
                    index_flags=frozenset(f for f in INDEX_FLAGS if entry.get(f) is True),
                    valid_from=parse_time(entry.get("validFrom"), f"{where}.validFrom"),
                    valid_to=parse_time(entry.get("validTo"), f"{where}.validTo"),
                ),
            )
        )
    return requests


def registration_json(registration: Registration) -> dict:
    """One registration as the node's JSON answers it."""
    pull = registration.last_pull
    return {
        "id": registration.id,
        "provisionAgreement": registration.agreement_urn,
        "provider": registration.provider,
        "dataSource": {"url": registration.source_url, "queryable": registration.queryable},
        "validFrom": format_time(registration.valid_from),
        "validTo": format_time(registration.valid_to),
        **{flag: flag in registration.index_flags for flag in INDEX_FLAGS},
        "created": format_time(registration.created),
        "lastUpdated": format_time(registration.updated),
        "lastPull": None
        if pull is None
        else {
            "at": format_time(pull.at),
            "outcome": pull.outcome,
            "observationsWritten": pull.written,
            "observationsDeleted": pull.deleted,
            "error": pull.error or None,
        },
    }


def registration_from_json(document: dict) -> Registration:
    """A registration as `registration_json` wrote it (the pull state aside)."""
    (request,) = read_json_requests({"registrations": [{**document, "action": "Append"}]})
    return replace(
        request.registration,
        provider=str(document.get("provider") or ""),
        created=parse_time(document.get("created"), "created"),
        updated=parse_time(document.get("lastUpdated"), "lastUpdated"),
    )


def registrations_json(
    registrations: Sequence[Registration], meta: dict[str, object]
) -> dict[str, object]:
    """A registration query answered in JSON."""
    return {"meta": meta, "registrations": [registration_json(r) for r in registrations]}


def statuses_json(statuses: Sequence[RegistrationStatus], meta: dict[str, object]) -> dict:
    """A submission answered in JSON: each registration with its status."""
    return {
        "meta": meta,
        "registrations": [
            {
                **registration_json(s.registration),
                "status": s.status,
                "code": int(s.code),
                "message": s.message,
            }
            for s in statuses
        ],
    }
