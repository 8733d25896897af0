"""Registration submission: SubmitRegistrationsRequest (SDMX-ML 2.1, 3.0, 3.1) or the node's
JSON, checked whole before anything is stored.

Every request must name a stored provision agreement whose data provider the submitting
principal acts for (an admin token may register for any provider). Append creates (the node
names a registration sent without id), Replace rewrites an existing registration, Delete
removes one; a registration belongs to its provider, whose token alone may change it. Any
refusal refuses the whole message (nothing stored). The checks are taken again where the
write decides (`RegistrationStore.apply`): a registration created, deleted or moved to
another provider meanwhile, or an agreement deleted or changed meanwhile, refuses the
message with 409 or 404. `apply_registrations` is the one place registrations are written:
events about them belong there.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from lxml import etree

from sdmxnode.errors import Conflict, Forbidden, Invalid, NotFound
from sdmxnode.formats.registrations.model import (
    Registration,
    RegistrationRequest,
    RegistrationStatus,
    read_json_requests,
    registration_json,
)
from sdmxnode.formats.sdmxml import message_version, parse_xml
from sdmxnode.formats.sdmxml.registry.registrations import (
    agreement_parts,
    read_submit_registrations,
)
from sdmxnode.formats.subscriptions.model import Event, provider_ref
from sdmxnode.services.access import Principal
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import provider_of
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.registrations import RegistrationChange, RegistrationStore
from sdmxnode.validation.schema import VALIDATORS_BY_VERSION

R = TypeVar("R")


@dataclass(frozen=True)
class Submission:
    """A submission read: its form ('json' or the SDMX-ML version) and requests."""

    form: str
    requests: list[RegistrationRequest]


def registrations_of(node: Node) -> RegistrationStore:
    """The registrations table of the node's database."""
    return RegistrationStore.sharing(node.store)


def read_registry_submission(
    body: bytes,
    media_type: str,
    what: str,
    read_json: Callable[[object], list[R]],
    read_xml: Callable[[etree._Element], tuple[str, list[R]]],
) -> tuple[str, list[R]]:
    """The form ('json' or the SDMX-ML version) and requests of a registry submission
    (registrations, subscriptions): the node's JSON, or a RegistryInterface message checked
    against its official XSD first; Invalid (nothing stored) when it is neither."""
    if "json" in media_type or body.lstrip()[:1] == b"{":
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Invalid(f"the {what} is not JSON: {exc}") from exc
        return "json", read_json(document)
    root = parse_xml(body, what=what).getroot()
    version = message_version(root)
    errors = VALIDATORS_BY_VERSION[version](body)
    if errors:
        raise Invalid(f"the {what} is not valid SDMX-ML {version}: " + "; ".join(errors[:5]))
    return read_xml(root)


def read_submission(body: bytes, media_type: str = "") -> Submission:
    """The requests of a JSON or SDMX-ML registration submission."""
    form, requests = read_registry_submission(
        body, media_type, "registration submission", read_json_requests, read_submit_registrations
    )
    return Submission(form, requests)


def find_agreement_artefact(node: Node, urn: str) -> StoredArtefact:
    """The stored provision agreement a URN names; NotFound when the node has none."""
    agency, id_, version = agreement_parts(urn)
    for artefact in node.store.find_artefacts({"ProvisionAgreement"}, {agency}, {id_}):
        if artefact.ref.version == version:
            return artefact
    raise NotFound(
        f"no provision agreement {agency}:{id_}({version}) is stored on this node: "
        "nothing was registered",
        where="ProvisionAgreement",
    )


def agreement_provider(node: Node, artefact: StoredArtefact) -> str:
    """'AGENCY:ID' of the data provider of a stored provision agreement."""
    return provider_of(node.model(artefact))


def submit_registrations(
    node: Node, submission: Submission, principal: Principal
) -> list[RegistrationStatus]:
    """Check every request, then store them all in one transaction; the per-registration
    statuses. Forbidden, NotFound, Conflict or Invalid refuse the whole message."""
    store = registrations_of(node)
    changes: list[RegistrationChange] = []
    agreements: set[tuple[int, str]] = set()
    planned: list[tuple[str, Registration]] = []
    events: list[Event] = []
    seen: set[str] = set()
    for number, request in enumerate(submission.requests, 1):
        where = f"registration {number}"
        sent = request.registration
        agreement = find_agreement_artefact(node, sent.agreement_urn)
        agreements.add((agreement.pk, agreement.digest))
        provider = agreement_provider(node, agreement)
        _check_rights(principal, provider, where)
        existing = store.get(sent.id) if sent.id else None
        if existing is not None:
            _check_rights(principal, existing.provider, where)
        if request.action == "Append":
            if existing is not None:
                raise Conflict(
                    f"{where}: the registration {sent.id} exists already (use Replace)",
                    where="Registration",
                )
            registration = replace(sent, id=sent.id or _new_id(), provider=provider)
        elif existing is None:
            raise NotFound(
                f"{where}: {request.action} needs the id of a stored registration, "
                f"not {sent.id or 'none'}: nothing was changed",
                where="Registration",
            )
        else:
            registration = replace(sent, provider=provider)
        if registration.id in seen:
            raise Invalid(f"{where}: the registration {registration.id} is named twice")
        seen.add(registration.id)
        held_by = existing.provider if existing is not None else None
        if request.action == "Delete":
            changes.append(RegistrationChange("delete", registration, held_by))
            planned.append(("deleted", existing or registration))
        else:
            action = "create" if existing is None else "replace"
            changes.append(RegistrationChange(action, registration, held_by))
            planned.append(("created" if existing is None else "replaced", registration))
        events.append(_event(node, agreement, existing or registration, request.action))
    stored = {r.id: r for r in apply_registrations(node, changes, agreements, events)}
    return [
        RegistrationStatus(
            stored.get(r.id, r),
            "Success",
            "201" if outcome == "created" else "200",
            f"registration {r.id} {outcome}",
        )
        for outcome, r in planned
    ]


def apply_registrations(
    node: Node,
    changes: list[RegistrationChange],
    agreements: set[tuple[int, str]],
    events: list[Event],
) -> list[Registration]:
    """The one place registrations are written (created, replaced, deleted) in one
    transaction, each change decided on what is stored then, the agreements named
    share-locked and unchanged, and the events queued for subscribers in the same
    transaction (`RegistrationStore.apply`); the stored registrations."""
    return registrations_of(node).apply(changes, agreements, events)


def _event(node: Node, agreement: StoredArtefact, registration: Registration, action: str) -> Event:
    """The notification event of a registration: related to its agreement, provider,
    dataflow and data structure (what DataRegistrationEvents select on)."""
    related = [(agreement.ref, registration.agreement_urn)]
    provider = provider_ref(registration.provider)
    if provider is not None:
        related.append((provider, registration.provider))
    targets = node.store.list_references_from([agreement.pk]).get(agreement.pk, set())
    for target in sorted(targets, key=str):
        if target.type in ("Dataflow", "DataStructure"):
            related.append((target, ""))
    return Event(
        "registration",
        action,
        None,
        registration_id=registration.id,
        related=tuple(related),
        detail=json.dumps(registration_json(registration)),
    )


def _check_rights(principal: Principal, provider: str, where: str) -> None:
    if principal.is_admin or principal.provider == provider:
        return
    acting = principal.provider or principal.role
    raise Forbidden(
        f"{where}: token {principal.token_id} ({acting}) may not register data of the "
        f"provider {provider}: nothing was registered",
        where="Registration",
    )


def _new_id() -> str:
    return f"REG_{uuid.uuid4().hex[:16].upper()}"
