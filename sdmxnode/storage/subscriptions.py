"""Subscriptions (push): who is notified of which events, at which callbacks.

A subscription is written whole (Append or Replace) or deleted, each change decided inside
its write transaction on the row stored then (as registrations are): a creation inserts (an
id taken meanwhile is Conflict), a replacement or deletion changes the row only while it
still belongs to the owner the caller checked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sdmxnode.errors import Conflict
from sdmxnode.formats.subscriptions.model import (
    Subscription,
    selectors_from_json,
    selectors_to_json,
)
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.tables import subscriptions
from sdmxnode.storage.times import now_utc
from sdmxnode.storage.writing import writing

if TYPE_CHECKING:
    from sdmxnode.storage.structures import StructureStore


@dataclass(frozen=True)
class SubscriptionChange:
    """One change: `action` 'create', 'replace' or 'delete', decided on the stored
    subscription of owner `held_by` (replace, delete)."""

    action: str
    subscription: Subscription
    held_by: str | None = None


def subscription_of(row: Row) -> Subscription:
    """A stored row as the model."""
    return Subscription(
        id=row.id,
        organisation=row.organisation,
        callbacks=tuple(json.loads(row.callbacks)),
        selectors=selectors_from_json(row.selectors),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        subscriber_id=row.subscriber_id or "",
        mail_to=tuple(json.loads(row.mail_to)),
        owner=row.owner,
        secret=row.secret,
        created=row.created,
        updated=row.updated,
    )


def live_subscriptions(conn: Connection, day: date) -> list[Subscription]:
    """The subscriptions in force on `day`, read on `conn` (inside a write transaction)."""
    query = select(subscriptions).where(
        subscriptions.c.valid_from <= day, subscriptions.c.valid_to >= day
    )
    return [subscription_of(row) for row in conn.execute(query.order_by(subscriptions.c.id))]


class SubscriptionStore:
    """The subscriptions table of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> SubscriptionStore:
        """The table of the database `store` uses, on its engine."""
        return cls(store.engine)

    def find(
        self, *, ids: Sequence[str] | None = None, owner: str | None = None
    ) -> list[Subscription]:
        """Subscriptions matching every filter given (None: no filter), by id."""
        query = select(subscriptions).order_by(subscriptions.c.id)
        if ids is not None:
            query = query.where(subscriptions.c.id.in_(list(ids)))
        if owner is not None:
            query = query.where(subscriptions.c.owner == owner)
        try:
            with self.engine.connect() as conn:
                return [subscription_of(row) for row in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise store_failure(exc, "read the subscriptions") from exc

    def get(self, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        found = self.find(ids=[subscription_id])
        return found[0] if found else None

    def apply(self, changes: Sequence[SubscriptionChange]) -> list[Subscription]:
        """Apply `changes` in one transaction, all or none, each decided on the row stored
        then; the subscriptions created or replaced, as stored."""
        now = now_utc()
        stored = []
        try:
            with writing(self.engine) as conn:
                for change in changes:
                    if change.action == "delete":
                        done = conn.execute(
                            delete(subscriptions).where(
                                subscriptions.c.id == change.subscription.id,
                                subscriptions.c.owner == change.held_by,
                            )
                        ).rowcount
                        if not done:
                            raise _gone(change.subscription.id)
                        continue
                    _write(conn, change, now)
                    row = conn.execute(
                        select(subscriptions).where(subscriptions.c.id == change.subscription.id)
                    ).one()
                    stored.append(subscription_of(row))
        except IntegrityError as exc:
            raise Conflict(
                "a subscription of the same id was created while the request ran: nothing "
                "was subscribed",
                where="Subscription",
            ) from exc
        except SQLAlchemyError as exc:
            raise store_failure(exc, "store the subscriptions") from exc
        return stored


def _write(conn: Connection, change: SubscriptionChange, now: object) -> None:
    s = change.subscription
    values = dict(
        owner=s.owner,
        organisation=s.organisation[:1000],
        subscriber_id=s.subscriber_id or None,
        callbacks=json.dumps(list(s.callbacks)),
        mail_to=json.dumps(list(s.mail_to)),
        selectors=selectors_to_json(s.selectors),
        valid_from=s.valid_from,
        valid_to=s.valid_to,
        updated=now,
    )
    if change.action == "create":
        conn.execute(insert(subscriptions).values(id=s.id, secret=s.secret, created=now, **values))
        return
    done = conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == s.id, subscriptions.c.owner == change.held_by)
        .values(**values)
    ).rowcount
    if not done:
        raise _gone(s.id)


def _gone(subscription_id: str) -> Conflict:
    return Conflict(
        f"the subscription {subscription_id} was deleted or changed hands while the request "
        "ran: nothing was changed",
        where="Subscription",
    )
