"""Subscriptions and the events they select, as the node models them, and their JSON face.

A Subscription (SDMX 2.1 Section 5, registry `SubscriptionType`; the same in 3.0 and 3.1)
asks the node to notify callback URLs of events: changes of structures
(`StructuralRepositoryEvents`: agency patterns, then every type or some types by URN or by
id and version patterns), of data registrations (`DataRegistrationEvents`: by registration
id, provision agreement, data provider, dataflow or data structure) and of reference
metadata (`MetadataRegistrationEvents`: by provision agreement, provider, metadataflow or
metadata structure). SDMX 3.0 made metadata sets maintainable, so the node reports a
metadata set written or deleted as a metadata event about that set, selected through its
metadataflow, its structure and its provider. Patterns use `%` for any characters, as the
registry queries do.

The node's JSON face (SDMX defines none for subscriptions), documented in the README:

    {"subscriptions": [{"action": "Append"|"Replace"|"Delete", "id": "...",
      "organisation": "AGENCY:ID", "callbacks": ["https://..."],
      "subscriberAssignedID": "...", "validFrom": "2026-01-01", "validTo": "2027-01-01",
      "events": [{"type": "structure", "agencies": ["IMDX"],
                  "artefacts": [{"type": "Codelist", "id": "CL_%", "version": "%"}]},
                 {"type": "registration"}, {"type": "metadata"}]}]}

An event selector without `artefacts` selects every event of its type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sdmxnode.errors import Invalid
from sdmxnode.refs import ArtefactRef

#: The kinds of event a subscription selects (SDMX-ML: the TYPE of each event selector).
EVENT_KINDS = ("structure", "registration", "metadata")
#: The actions of a SubscriptionRequest the node takes (SDMX common:ActionType).
ACTIONS = ("Append", "Replace", "Delete")
#: The class and package of a subscription's URN.
SUBSCRIPTION_URN = "urn:sdmx:org.sdmx.infomodel.registry.Subscription="


@dataclass(frozen=True)
class ArtefactPattern:
    """One artefact an event selector names: its canonical type, and either its URN or
    patterns (`%`: any characters) for its agency, id and version."""

    type: str
    urn: str = ""
    agency: str = "%"
    id: str = "%"
    version: str = "%"

    def matches(self, ref: ArtefactRef, urn: str) -> bool:
        """Whether the artefact `ref` (of URN `urn`) is one this names."""
        if ref.type != self.type:
            return False
        if self.urn:
            return self.urn == urn
        return (
            _like(self.agency).fullmatch(ref.agency_id) is not None
            and _like(self.id).fullmatch(ref.id) is not None
            and _like(self.version).fullmatch(ref.version) is not None
        )


@dataclass(frozen=True)
class EventSelector:
    """The events of one kind a subscription asks for. `agencies`: the agencies whose
    structures are meant (structure events); `artefacts`: the artefacts (structure events:
    the changed artefact; registration and metadata events: one the event relates to,
    such as its provision agreement or metadataflow); `registrations`: registration ids.
    No artefacts and no registrations: every event of the kind (SDMX `AllEvents`)."""

    kind: str
    agencies: tuple[str, ...] = ("%",)
    artefacts: tuple[ArtefactPattern, ...] = ()
    registrations: tuple[str, ...] = ()

    @property
    def all_events(self) -> bool:
        """Whether the selector names nothing in particular (SDMX `AllEvents`)."""
        return not self.artefacts and not self.registrations


@dataclass(frozen=True)
class Event:
    """A change the node notifies: its kind, SDMX action (Append, Replace, Delete), the
    object changed (its ref and URN; a registration's id) and the artefacts it relates to
    (a registration's agreement, provider and dataflow; a metadata set's metadataflow,
    structure and provider). `detail`: the JSON of a registration, for its notification."""

    kind: str
    action: str
    ref: ArtefactRef | None
    urn: str = ""
    registration_id: str = ""
    related: tuple[tuple[ArtefactRef, str], ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Subscription:
    """A subscription as the node keeps it. `owner` is who may change it (a provider's
    'AGENCY:ID', or 'token:ID' for a token acting for no provider); `secret` keys the HMAC
    signature of every notification; dates are the SDMX `ValidityPeriod` (inclusive)."""

    id: str
    organisation: str
    callbacks: tuple[str, ...]
    selectors: tuple[EventSelector, ...]
    valid_from: date
    valid_to: date
    subscriber_id: str = ""
    mail_to: tuple[str, ...] = ()
    owner: str = ""
    secret: str = ""
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def urn(self) -> str:
        """The subscription's URN, as SDMX-ML notifications and responses name it."""
        return f"{SUBSCRIPTION_URN}{self.id}"

    def is_valid_on(self, day: date) -> bool:
        """Whether the subscription is in force on `day`."""
        return self.valid_from <= day <= self.valid_to

    def selects(self, event: Event) -> bool:
        """Whether `event` is one this subscription asks for."""
        return any(_selects(s, event) for s in self.selectors if s.kind == event.kind)


@dataclass(frozen=True)
class SubscriptionRequest:
    """One SubscriptionRequest of a submission: the action and the subscription."""

    action: str
    subscription: Subscription


@dataclass(frozen=True)
class SubscriptionStatus:
    """The outcome of one request: the subscription as stored (or as sent), a status
    (Success, Failure), the HTTP status of this request alone, a message, and the secret
    of a subscription just created (shown once, to its subscriber)."""

    subscription: Subscription
    status: str
    code: str
    message: str
    secret: str = ""


def _selects(selector: EventSelector, event: Event) -> bool:
    if event.kind == "structure":
        if event.ref is None or not any(
            _like(a).fullmatch(event.ref.agency_id) for a in selector.agencies
        ):
            return False
        if selector.all_events:
            return True
        return any(p.matches(event.ref, event.urn) for p in selector.artefacts)
    if selector.all_events:
        return True
    if event.registration_id and event.registration_id in selector.registrations:
        return True
    return any(p.matches(ref, urn) for p in selector.artefacts for ref, urn in event.related)


@cache
def _like(pattern: str) -> re.Pattern[str]:
    """A registry query pattern (`%`: any characters) as a regular expression."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("%")))


def ref_of_urn(urn: str) -> ArtefactRef | None:
    """The maintainable artefact an SDMX URN names (an item's scheme for an item)."""
    from sdmxnode.formats.metadata import parse_target_urn

    identity = parse_target_urn(urn)
    if identity is None:
        return None
    return ArtefactRef(identity.type, identity.agency_id, identity.id, identity.version)


def structure_event(ref: ArtefactRef, action: str) -> Event:
    """The event of a structure created (Append), changed (Replace) or deleted (Delete)."""
    from sdmxnode.formats.reports.registry_interface import artefact_urn

    return Event("structure", action, ref, artefact_urn(ref))


def metadata_event(
    ref: ArtefactRef, structure: ArtefactRef, provider: str | None, action: str
) -> Event:
    """The event of a metadata set (`ref`, type MetadataSet) written or deleted, related
    to the metadataflow or structure it is reported against and its provider."""
    from sdmxnode.formats.reports.registry_interface import artefact_urn

    related = [(structure, artefact_urn(structure))]
    found = provider_ref(provider) if provider else None
    if found is not None:
        related.append((found, provider or ""))
    urn = f"urn:sdmx:org.sdmx.infomodel.metadatastructure.MetadataSet={ref.identity}"
    return Event("metadata", action, ref, urn, related=tuple(related))


def provider_ref(text: str) -> ArtefactRef | None:
    """A data (or metadata) provider, 'AGENCY:ID' or its URN, as the artefact events relate
    to: type `DataProvider`, the scheme's agency and the provider's id."""
    if text.startswith("urn:"):
        from sdmxnode.formats.metadata import parse_target_urn

        identity = parse_target_urn(text)
        if identity is None or not identity.item:
            return None
        return ArtefactRef("DataProvider", identity.agency_id, identity.item, "")
    agency, _, id_ = text.partition(":")
    return ArtefactRef("DataProvider", agency, id_, "") if id_ else None


# --- JSON ------------------------------------------------------------------------------


def selectors_to_json(selectors: Iterable[EventSelector]) -> str:
    """The stored form of a subscription's selectors."""
    return json.dumps([_selector_json(s) for s in selectors], sort_keys=True)


def selectors_from_json(text: str) -> tuple[EventSelector, ...]:
    """The selectors stored by `selectors_to_json`."""
    return tuple(_selector(entry, "events") for entry in json.loads(text))


def _selector_json(selector: EventSelector) -> dict[str, Any]:
    found: dict[str, Any] = {"type": selector.kind}
    if selector.kind == "structure":
        found["agencies"] = list(selector.agencies)
    if selector.artefacts:
        found["artefacts"] = [
            {"type": p.type, "urn": p.urn}
            if p.urn
            else {"type": p.type, "agency": p.agency, "id": p.id, "version": p.version}
            for p in selector.artefacts
        ]
    if selector.registrations:
        found["registrations"] = list(selector.registrations)
    return found


def _selector(entry: object, where: str) -> EventSelector:
    if not isinstance(entry, dict) or entry.get("type") not in EVENT_KINDS:
        raise Invalid(f"{where}: each event selector needs a type, one of {', '.join(EVENT_KINDS)}")
    artefacts = []
    for number, item in enumerate(entry.get("artefacts") or [], 1):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise Invalid(f"{where}/artefacts[{number}] needs a type (e.g. Codelist, Dataflow)")
        artefacts.append(
            ArtefactPattern(
                item["type"],
                str(item.get("urn") or ""),
                str(item.get("agency") or "%"),
                str(item.get("id") or "%"),
                str(item.get("version") or "%"),
            )
        )
    agencies = entry.get("agencies") or ["%"]
    registrations = entry.get("registrations") or []
    if not all(isinstance(a, str) for a in agencies) or not all(
        isinstance(r, str) for r in registrations
    ):
        raise Invalid(f"{where}: agencies and registrations are lists of strings")
    return EventSelector(entry["type"], tuple(agencies), tuple(artefacts), tuple(registrations))


def read_json_requests(document: object) -> list[SubscriptionRequest]:
    """The requests of the node's JSON subscription submission (see the module)."""
    entries = document.get("subscriptions") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise Invalid('a subscription submission is {"subscriptions": [...]} with one or more')
    requests = []
    for number, entry in enumerate(entries, 1):
        where = f"subscriptions[{number}]"
        if not isinstance(entry, dict):
            raise Invalid(f"{where} is not an object")
        action = entry.get("action", "Append")
        if action not in ACTIONS:
            raise Invalid(f"{where}/action must be one of {', '.join(ACTIONS)}, not {action!r}")
        callbacks = entry.get("callbacks") or []
        if not isinstance(callbacks, list) or not all(isinstance(c, str) for c in callbacks):
            raise Invalid(f"{where}/callbacks is a list of URLs")
        events = entry.get("events") or []
        if action != "Delete" and (not isinstance(events, list) or not events):
            raise Invalid(f"{where}/events names at least one event selector")
        subscription = Subscription(
            id=str(entry.get("id") or ""),
            organisation=str(entry.get("organisation") or ""),
            callbacks=tuple(callbacks),
            selectors=tuple(_selector(e, f"{where}/events") for e in events),
            valid_from=_date(entry.get("validFrom"), f"{where}/validFrom", date.min),
            valid_to=_date(entry.get("validTo"), f"{where}/validTo", date.max),
            subscriber_id=str(entry.get("subscriberAssignedID") or ""),
        )
        requests.append(SubscriptionRequest(action, subscription))
    return requests


def _date(value: object, where: str, default: date) -> date:
    if value in (None, ""):
        return default
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise Invalid(f"{where} is not a date YYYY-MM-DD: {value!r}") from exc


def statuses_json(statuses: Sequence[SubscriptionStatus]) -> dict[str, Any]:
    """The JSON answer to a submission: each subscription, its status and (on creation)
    its secret."""
    return {"subscriptions": [_status_json(s) for s in statuses]}


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    """A subscription as the JSON face writes it (never its secret)."""
    s = subscription
    return {
        "id": s.id,
        "urn": s.urn,
        "organisation": s.organisation,
        "callbacks": list(s.callbacks),
        "subscriberAssignedID": s.subscriber_id or None,
        "validFrom": s.valid_from.isoformat(),
        "validTo": s.valid_to.isoformat(),
        "events": [_selector_json(e) for e in s.selectors],
        "owner": s.owner,
    }


def _status_json(status: SubscriptionStatus) -> dict[str, Any]:
    found = subscription_json(status.subscription)
    found.update(status=status.status, code=status.code, message=status.message)
    if status.secret:
        found["secret"] = status.secret
    return found
