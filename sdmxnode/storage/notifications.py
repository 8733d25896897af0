"""The notification outbox and its delivery log (SQL only here).

`storage.outbox.record_events` is called by every write that changes what subscribers may hear of
(structures, metadata sets, registrations) on that write's own connection, inside its
transaction: the events and the change commit together or not at all. It writes one row
per event and subscription in force that selects it. Deliverers then claim due rows
(`claim_due`: one atomic decision, so two deliverers, in two processes, never hold the same
row at once; a claim is a lease that lapses if its holder dies), and record each attempt
(`record_attempt`), which the delivery log keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, Row, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.formats.subscriptions.model import Subscription
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.subscriptions import subscription_of
from sdmxnode.storage.tables import notification_attempts, notifications, subscriptions
from sdmxnode.storage.times import now_utc
from sdmxnode.storage.writing import writing

if TYPE_CHECKING:
    from sdmxnode.storage.structures import StructureStore


@dataclass(frozen=True)
class Notification:
    """A queued notification: the event it tells and its delivery state (times naive UTC)."""

    pk: int
    subscription_id: str
    kind: str
    action: str
    object_urn: str
    registration_id: str
    detail: str
    event_time: datetime
    state: str
    attempts: int
    next_attempt: datetime
    delivered: datetime | None
    last_error: str


@dataclass(frozen=True)
class Claimed:
    """A notification claimed for delivery, with its subscription (None: deleted since)."""

    notification: Notification
    subscription: Subscription | None


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt as the log keeps it."""

    notification_pk: int
    subscription_id: str
    url: str
    at: datetime
    status: int | None
    error: str


def _notification(row: Row) -> Notification:
    return Notification(
        pk=row.pk,
        subscription_id=row.subscription_id,
        kind=row.kind,
        action=row.action,
        object_urn=row.object_urn,
        registration_id=row.registration_id or "",
        detail=row.detail or "",
        event_time=row.event_time,
        state=row.state,
        attempts=row.attempts,
        next_attempt=row.next_attempt,
        delivered=row.delivered,
        last_error=row.last_error or "",
    )


class NotificationStore:
    """The outbox and delivery log of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> NotificationStore:
        """The tables of the database `store` uses, on its engine."""
        return cls(store.engine)

    def claim_due(
        self, *, limit: int = 50, lease: timedelta = timedelta(minutes=2)
    ) -> list[Claimed]:
        """Claim up to `limit` pending notifications that are due and unclaimed (or whose
        lease lapsed), for `lease`: one atomic decision (PostgreSQL: rows locked and
        skipped by other claimers; SQLite: the write transaction's lock)."""
        now = now_utc(precise=True)
        due = (
            select(notifications.c.pk)
            .where(
                notifications.c.state == "pending",
                notifications.c.next_attempt <= now,
                or_(notifications.c.claimed_until.is_(None), notifications.c.claimed_until < now),
            )
            .order_by(notifications.c.pk)
            .limit(limit)
        )
        try:
            with writing(self.engine) as conn:
                if conn.dialect.name == "postgresql":
                    due = due.with_for_update(skip_locked=True)
                pks = list(conn.execute(due).scalars())
                if not pks:
                    return []
                conn.execute(
                    update(notifications)
                    .where(notifications.c.pk.in_(pks))
                    .values(claimed_until=now + lease)
                )
                rows = conn.execute(
                    select(notifications)
                    .where(notifications.c.pk.in_(pks))
                    .order_by(notifications.c.pk)
                ).all()
                ids = sorted({row.subscription_id for row in rows})
                held = {
                    row.id: subscription_of(row)
                    for row in conn.execute(
                        select(subscriptions).where(subscriptions.c.id.in_(ids))
                    )
                }
        except SQLAlchemyError as exc:
            raise store_failure(exc, "claim the notifications due") from exc
        return [Claimed(_notification(row), held.get(row.subscription_id)) for row in rows]

    def record_attempt(
        self,
        notification: Notification,
        attempt: Attempt,
        *,
        delivered: bool,
        retry_at: datetime | None,
    ) -> None:
        """Log `attempt` and settle the notification: delivered; due again at `retry_at`;
        or (neither) failed for good. The lease is released."""
        values: dict[str, object] = {
            "attempts": notification.attempts + 1,
            "claimed_until": None,
            "last_error": None if delivered else attempt.error[:4000],
        }
        if delivered:
            values.update(state="delivered", delivered=attempt.at)
        elif retry_at is not None:
            values.update(next_attempt=retry_at)
        else:
            values.update(state="failed")
        try:
            with writing(self.engine) as conn:
                conn.execute(
                    insert(notification_attempts).values(
                        notification_pk=attempt.notification_pk,
                        subscription_id=attempt.subscription_id,
                        url=attempt.url[:2000],
                        at=attempt.at,
                        status=attempt.status,
                        error=attempt.error[:4000] or None,
                    )
                )
                conn.execute(
                    update(notifications)
                    .where(notifications.c.pk == notification.pk)
                    .values(**values)
                )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "record a delivery attempt") from exc

    def find(self, *, state: str | None = None, limit: int = 100) -> list[Notification]:
        """The latest notifications (newest first), of one state if given."""
        query = select(notifications).order_by(notifications.c.pk.desc()).limit(limit)
        if state is not None:
            query = query.where(notifications.c.state == state)
        try:
            with self.engine.connect() as conn:
                return [_notification(row) for row in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise store_failure(exc, "read the notifications") from exc

    def attempts(self, notification_pk: int | None = None, *, limit: int = 100) -> list[Attempt]:
        """The delivery log (newest first), of one notification if given."""
        c = notification_attempts.c
        query = select(notification_attempts).order_by(c.pk.desc()).limit(limit)
        if notification_pk is not None:
            query = query.where(c.notification_pk == notification_pk)
        try:
            with self.engine.connect() as conn:
                return [
                    Attempt(
                        r.notification_pk, r.subscription_id, r.url, r.at, r.status, r.error or ""
                    )
                    for r in conn.execute(query)
                ]
        except SQLAlchemyError as exc:
            raise store_failure(exc, "read the delivery log") from exc

    def count(self, state: str | None = None) -> int:
        """How many notifications there are (of one state if given)."""
        query = select(func.count()).select_from(notifications)
        if state is not None:
            query = query.where(notifications.c.state == state)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


__all__ = ["Attempt", "Claimed", "Notification", "NotificationStore"]
