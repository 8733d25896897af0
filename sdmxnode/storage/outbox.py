"""The outbox side of notifications: events queued in the transaction of the change.

Every write that changes what subscribers may hear of (structures, metadata sets,
registrations) calls `record_events` on its own connection, inside its transaction, so the
events and the change commit together or not at all; a write no subscription selects pays
one small read. Delivery (`storage.notifications`) reads the queue afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert

from sdmxnode.formats.subscriptions.model import Event
from sdmxnode.storage.subscriptions import live_subscriptions
from sdmxnode.storage.tables import notifications
from sdmxnode.storage.times import now_utc


def record_events(conn: Connection, events: Sequence[Event]) -> int:
    """Queue `events` for every subscription in force that selects them, on `conn` (the
    transaction of the change); how many notifications were queued."""
    if not events:
        return 0
    now = now_utc(precise=True)
    found = live_subscriptions(conn, now.date())
    rows = [
        {
            "subscription_id": subscription.id,
            "kind": event.kind,
            "action": event.action,
            "object_urn": event.urn[:1000],
            "registration_id": event.registration_id or None,
            "detail": event.detail or None,
            "event_time": now,
            "state": "pending",
            "attempts": 0,
            "next_attempt": now,
        }
        for event in events
        for subscription in found
        if subscription.selects(event)
    ]
    if rows:
        conn.execute(insert(notifications), rows)
    return len(rows)
