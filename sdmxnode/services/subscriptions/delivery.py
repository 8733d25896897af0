"""Delivering notifications: claim what is due in the outbox, POST each NotifyRegistryEvent
to its subscription's callbacks, signed, and record the attempt.

Every notification is an SDMX-ML 2.1 RegistryInterface/NotifyRegistryEvent (the registry
message every SDMX version reads; its media type `application/vnd.sdmx.registry+xml;
version=2.1`), POSTed with three headers a receiver can rely on:

- `X-SDMX-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body, keyed with the
  subscription's secret (given once, when the subscription was created);
- `X-SDMX-Notification: <number>`: the notification's number, the same on every retry (a
  receiver may see a notification twice: delivery is at least once);
- `X-SDMX-Subscription: <subscription URN>`.

A 2xx from every callback delivers it; anything else (no answer, another status) is
retried after `NOTIFY_BACKOFF` seconds, twice as long each time (at most an hour), up to
`NOTIFY_ATTEMPTS` attempts, then marked failed. Claims are atomic (`NotificationStore.
claim_due`), so several deliverers (two `serve` processes on one store) never send the
same notification at once; a claim lapses if its deliverer dies, and the outbox survives a
restart. Delivery never runs in the request that made the change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from sdmxnode.formats.registrations.model import registration_from_json
from sdmxnode.formats.sdmxml.registry.subscriptions import write_notify_registry_event
from sdmxnode.formats.subscriptions.model import Event, Subscription, ref_of_urn
from sdmxnode.services.node import Node
from sdmxnode.storage.notifications import Attempt, Claimed, Notification, NotificationStore
from sdmxnode.storage.times import now_utc

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.sdmx.registry+xml;version=2.1"
SIGNATURE_HEADER = "X-SDMX-Signature"
_MAX_WAIT = timedelta(hours=1)


def signature(secret: str, body: bytes) -> str:
    """The X-SDMX-Signature value of `body` for a subscription's `secret`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class DeliveryReport:
    """What one pass did."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def notification_body(node: Node, claimed: Claimed, subscription: Subscription) -> bytes:
    """The NotifyRegistryEvent message of a claimed notification."""
    n = claimed.notification
    detail = json.loads(n.detail) if n.detail else None
    event = Event(
        n.kind,
        n.action,
        ref_of_urn(n.object_urn) if n.object_urn else None,
        n.object_urn,
        registration_id=n.registration_id,
    )
    return write_notify_registry_event(
        event,
        subscription.urn,
        n.event_time.replace(tzinfo=UTC),
        node.header(),
        registration=registration_from_json(detail) if detail else None,
    )


def deliver_due(node: Node, *, limit: int = 50) -> DeliveryReport:
    """One pass: deliver every notification due now (up to `limit`)."""
    settings = node.settings
    store = NotificationStore.sharing(node.store)
    report = DeliveryReport()
    for claimed in store.claim_due(limit=limit):
        n = claimed.notification
        subscription = claimed.subscription
        at = now_utc(precise=True)
        if subscription is None:
            attempt = Attempt(n.pk, n.subscription_id, "", at, None, "the subscription was deleted")
            store.record_attempt(n, attempt, delivered=False, retry_at=None)
            report.failed += 1
            continue
        body = notification_body(node, claimed, subscription)
        error = "the subscription has no callback"
        attempt = Attempt(n.pk, subscription.id, "", at, None, error)
        for url in subscription.callbacks:
            status, error = _post(url, body, subscription, n.pk, settings.notify_timeout)
            attempt = Attempt(n.pk, subscription.id, url, now_utc(precise=True), status, error)
            if error:
                break
        delivered = not error
        retry_at = None
        if not delivered and n.attempts + 1 < settings.notify_attempts:
            wait = timedelta(seconds=settings.notify_backoff * 2**n.attempts)
            retry_at = now_utc(precise=True) + min(wait, _MAX_WAIT)
        store.record_attempt(n, attempt, delivered=delivered, retry_at=retry_at)
        if delivered:
            report.delivered += 1
        elif retry_at is not None:
            report.retried += 1
        else:
            report.failed += 1
        if error:
            report.errors.append(f"notification {n.pk} to {attempt.url}: {error}")
    return report


def _post(
    url: str, body: bytes, subscription: Subscription, number: int, timeout: float
) -> tuple[int | None, str]:
    """POST one notification; (HTTP status or None, error text or '' for a 2xx)."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": MEDIA_TYPE,
            SIGNATURE_HEADER: signature(subscription.secret, body),
            "X-SDMX-Notification": str(number),
            "X-SDMX-Subscription": subscription.urn,
            "User-Agent": "sdmxnode-notifier",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        return exc.code, f"the callback answered {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"no answer: {exc}"
    if 200 <= status < 300:
        return status, ""
    return status, f"the callback answered {status}"


class Deliverer:
    """A background thread making a delivery pass every `interval` seconds."""

    def __init__(self, node: Node, interval: float) -> None:
        self.node = node
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sdmxnode-notifier", daemon=True)

    def start(self) -> Deliverer:
        """Start the thread (returns self)."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = deliver_due(self.node)
                for error in report.errors:
                    log.warning("%s", error)
            except Exception:  # noqa: BLE001 - the deliverer must outlive a failed pass
                log.exception("a notification delivery pass failed; the next one retries")
            self._stop.wait(self.interval)


def list_notifications(node: Node, state: str | None = None, limit: int = 50) -> list[Notification]:
    """The latest notifications of the outbox (newest first), of one state if given."""
    return NotificationStore.sharing(node.store).find(state=state, limit=limit)


def delivery_log(node: Node, limit: int = 50) -> list[Attempt]:
    """The latest delivery attempts (newest first)."""
    return NotificationStore.sharing(node.store).attempts(limit=limit)
