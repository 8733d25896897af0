"""Subscription submission: SubmitSubscriptionsRequest (SDMX-ML 2.1, 3.0, 3.1) or the node's
JSON, checked whole before anything is stored.

Any live token may subscribe; a subscription belongs to who sent it (the token's data
provider, or the token itself when it acts for none), and only its owner (or an admin) may
replace or delete it. Append creates (the node names a subscription sent without id and
draws its notification secret, shown once in the answer), Replace rewrites one (callbacks,
events, validity: its secret stays), Delete removes it. Notifications go to HTTP callbacks
only: a subscription needs at least one `http`/`https` callback. Any refusal refuses the
whole message; the checks on stored subscriptions are decided again where they are written
(`SubscriptionStore.apply`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from sdmxnode.errors import Conflict, Forbidden, Invalid, NotFound
from sdmxnode.formats.sdmxml.item_merge import item_ids
from sdmxnode.formats.sdmxml.registry.subscriptions import read_submit_subscriptions
from sdmxnode.formats.subscriptions.model import (
    Subscription,
    SubscriptionRequest,
    SubscriptionStatus,
    read_json_requests,
)
from sdmxnode.refs import parse_urn
from sdmxnode.rest.versions import version_key
from sdmxnode.services.access import Principal
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.submission import read_registry_submission
from sdmxnode.storage.subscriptions import SubscriptionChange, SubscriptionStore


@dataclass(frozen=True)
class Submission:
    """A submission read: its form ('json' or the SDMX-ML version) and requests."""

    form: str
    requests: list[SubscriptionRequest]


def subscriptions_of(node: Node) -> SubscriptionStore:
    """The subscriptions table of the node's database."""
    return SubscriptionStore.sharing(node.store)


def owner_of(principal: Principal) -> str:
    """Who a principal's subscriptions belong to."""
    return principal.provider or f"token:{principal.token_id}"


def read_submission(body: bytes, media_type: str = "") -> Submission:
    """The requests of a JSON or SDMX-ML subscription submission."""
    form, requests = read_registry_submission(
        body, media_type, "subscription submission", read_json_requests, read_submit_subscriptions
    )
    return Submission(form, requests)


def submit_subscriptions(
    node: Node, submission: Submission, principal: Principal
) -> list[SubscriptionStatus]:
    """Check every request, then store them all in one transaction; the statuses."""
    store = subscriptions_of(node)
    owner = owner_of(principal)
    changes: list[SubscriptionChange] = []
    statuses: list[SubscriptionStatus] = []
    seen: set[str] = set()
    for number, request in enumerate(submission.requests, 1):
        where = f"subscription {number}"
        sent = request.subscription
        existing = store.get(sent.id) if sent.id else None
        if existing is not None and not (principal.is_admin or existing.owner == owner):
            raise Forbidden(
                f"{where}: the subscription {sent.id} is not yours (it belongs to "
                f"{existing.owner}): nothing was changed",
                where="Subscription",
            )
        if request.action == "Append":
            if existing is not None:
                raise Conflict(
                    f"{where}: the subscription {sent.id} exists already (use Replace)",
                    where="Subscription",
                )
            _check_callbacks(sent, where)
            _check_organisation(node, sent, where)
            secret = secrets.token_urlsafe(32)
            subscription = replace(sent, id=sent.id or _new_id(), owner=owner, secret=secret)
            changes.append(SubscriptionChange("create", subscription))
            statuses.append(_status(subscription, "201", "created", secret))
        elif existing is None:
            raise NotFound(
                f"{where}: {request.action} needs the URN or id of a stored subscription, "
                f"not {sent.id or 'none'}: nothing was changed",
                where="Subscription",
            )
        elif request.action == "Delete":
            changes.append(SubscriptionChange("delete", existing, existing.owner))
            statuses.append(_status(existing, "200", "deleted"))
        else:
            _check_callbacks(sent, where)
            _check_organisation(node, sent, where)
            subscription = replace(sent, owner=existing.owner, secret=existing.secret)
            changes.append(SubscriptionChange("replace", subscription, existing.owner))
            statuses.append(_status(subscription, "200", "replaced"))
        if changes[-1].subscription.id in seen:
            raise Invalid(f"{where}: the subscription {changes[-1].subscription.id} is named twice")
        seen.add(changes[-1].subscription.id)
    stored = {s.id: s for s in store.apply(changes)}
    return [
        replace(s, subscription=stored.get(s.subscription.id, s.subscription)) for s in statuses
    ]


def _status(
    subscription: Subscription, code: str, outcome: str, secret: str = ""
) -> SubscriptionStatus:
    return SubscriptionStatus(
        subscription, "Success", code, f"subscription {subscription.id} {outcome}", secret
    )


def _check_callbacks(subscription: Subscription, where: str) -> None:
    if not subscription.callbacks:
        raise Invalid(
            f"{where}: the node notifies HTTP callbacks only; give at least one "
            "NotificationHTTP (callbacks in JSON) URL",
            where="NotificationHTTP",
        )
    for url in subscription.callbacks:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid(f"{where}: {url!r} is not an http or https URL", where="NotificationHTTP")
    if not subscription.selectors:
        raise Invalid(f"{where}: the subscription selects no events", where="EventSelector")
    if subscription.valid_to < subscription.valid_from:
        raise Invalid(f"{where}: its validity ends before it starts", where="ValidityPeriod")


#: The organisation classes a subscription may name, and the scheme type holding each.
_ORGANISATION_SCHEMES = {
    "DataConsumer": "DataConsumerScheme",
    "DataProvider": "DataProviderScheme",
    "Agency": "AgencyScheme",
    "OrganisationUnit": "OrganisationUnitScheme",
}


def _check_organisation(node: Node, subscription: Subscription, where: str) -> None:
    """A subscription naming an organisation (by URN) of a scheme the node holds must name
    one of that scheme's: the node's consumers (IMDX:DATA_CONSUMERS) and providers are its
    known subscribers. An organisation of a scheme held elsewhere, or given without a URN,
    is the subscriber's own word. (Not one decision with the store: a consumer taken out of
    its scheme afterwards leaves the subscription as it is, which only ever notifies.)"""
    urn = parse_urn(subscription.organisation)
    if urn is None or not urn.item or urn.cls not in _ORGANISATION_SCHEMES:
        return
    scheme_type = _ORGANISATION_SCHEMES[urn.cls]
    held = [
        a
        for a in node.store.find_by_identity({(scheme_type, urn.agency_id, urn.id)})
        if version_key(a.ref.version) == version_key(urn.version)
    ]
    if not held:
        return
    xml = node.store.read_xml([a.pk for a in held])
    if not any(urn.item in item_ids(xml[a.pk]) for a in held):
        raise Invalid(
            f"{where}: {urn.cls} {urn.item} is not in {scheme_type} "
            f"{urn.agency_id}:{urn.id}({urn.version}), which this node holds: name one of "
            "its organisations, or add it to the scheme first",
            where="Organisation",
        )


def _new_id() -> str:
    return f"SUB_{uuid.uuid4().hex[:16].upper()}"
