"""Registrations (pull mode): where a provider's data for one provision agreement live,
and the outcome of the node's last pull of each source.

A registration is written whole (Append or Replace) or deleted; a pull only updates the
pull columns. Times are naive UTC, as everywhere in the store.

Every change is decided inside its write transaction on what is stored then, so that two
actors cannot both pass a check and then write: a creation inserts (an id taken meanwhile is
Conflict), a replacement or deletion changes the row only while it still belongs to the
provider the caller checked (Conflict otherwise), and the provision agreements the
registrations name are share-locked and must be there unchanged (`lock_artefacts`): an
agreement deleted or given another provider meanwhile refuses the whole write, and the
deletion of an agreement, which looks for its registrations with the agreement's row
locked, either waits for this write and then sees its registrations, or comes first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sdmxnode.errors import Conflict
from sdmxnode.formats.registrations.model import Pull, Registration
from sdmxnode.formats.subscriptions.model import Event
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.outbox import record_events
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import registrations
from sdmxnode.storage.times import now_utc
from sdmxnode.storage.writing import lock_artefacts, writing


def _row(row: object) -> Registration:
    pulled = getattr(row, "pulled", None)
    return Registration(
        id=row.id,  # type: ignore[attr-defined]
        agreement_urn=row.agreement_urn,  # type: ignore[attr-defined]
        provider=row.provider,  # type: ignore[attr-defined]
        source_url=row.source_url,  # type: ignore[attr-defined]
        queryable=bool(row.queryable),  # type: ignore[attr-defined]
        rest_source=bool(row.rest_source),  # type: ignore[attr-defined]
        index_flags=frozenset(f for f in row.index_flags.split(",") if f),  # type: ignore[attr-defined]
        valid_from=row.valid_from,  # type: ignore[attr-defined]
        valid_to=row.valid_to,  # type: ignore[attr-defined]
        created=row.created,  # type: ignore[attr-defined]
        updated=row.updated,  # type: ignore[attr-defined]
        last_pull=None
        if pulled is None
        else Pull(
            pulled,
            row.pull_outcome or "",  # type: ignore[attr-defined]
            row.pull_written or 0,  # type: ignore[attr-defined]
            row.pull_deleted or 0,  # type: ignore[attr-defined]
            row.pull_error or "",  # type: ignore[attr-defined]
        ),
    )


@dataclass(frozen=True)
class RegistrationChange:
    """One change of a submission: `action` 'create', 'replace' or 'delete' (of
    `registration.id`), decided on the stored registration of provider `held_by` (replace,
    delete: the one whose rights the caller checked)."""

    action: str
    registration: Registration
    held_by: str | None = None


class RegistrationStore:
    """The registrations table of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> RegistrationStore:
        """The table of the database `store` uses, on its engine (one connection pool)."""
        return cls(store.engine)

    def find(
        self,
        *,
        ids: Sequence[str] | None = None,
        providers: Sequence[str] | None = None,
        agreement_urns: Sequence[str] | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
    ) -> list[Registration]:
        """Registrations matching every filter given (None: no filter), by id; the
        updated bounds are exclusive, as SDMX-REST's `updatedAfter`/`updatedBefore`."""
        query = select(registrations).order_by(registrations.c.id)
        if ids is not None:
            query = query.where(registrations.c.id.in_(list(ids)))
        if providers is not None:
            query = query.where(registrations.c.provider.in_(list(providers)))
        if agreement_urns is not None:
            query = query.where(registrations.c.agreement_urn.in_(list(agreement_urns)))
        if updated_after is not None:
            query = query.where(registrations.c.updated > updated_after)
        if updated_before is not None:
            query = query.where(registrations.c.updated < updated_before)
        with self.engine.connect() as conn:
            return [_row(row) for row in conn.execute(query)]

    def get(self, registration_id: str) -> Registration | None:
        """One registration, or None."""
        found = self.find(ids=[registration_id])
        return found[0] if found else None

    def count_for_agreement(self, agreement_urn: str) -> int:
        """How many registrations name the provision agreement of this URN."""
        query = select(func.count()).where(registrations.c.agreement_urn == agreement_urn)
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(query.select_from(registrations)).scalar_one())
        except SQLAlchemyError as exc:
            raise store_failure(exc, "count the registrations of an agreement") from exc

    def apply(
        self,
        changes: Sequence[RegistrationChange],
        agreements: Collection[tuple[int, str]],
        events: Sequence[Event] = (),
    ) -> list[Registration]:
        """Apply `changes` in one transaction, all or none, each decided on the row stored
        then (see the module), with the provision agreements `agreements` (pk, digest)
        share-locked and unchanged, and `events` queued for subscribers in the same
        transaction; the registrations created or replaced, as stored."""
        now = now_utc()
        stored = []
        try:
            with writing(self.engine) as conn:
                lock_artefacts(conn, agreements)
                for change in changes:
                    if change.action == "delete":
                        _delete(conn, change)
                        continue
                    _write(conn, change, now)
                    row = conn.execute(
                        select(registrations).where(registrations.c.id == change.registration.id)
                    ).one()
                    stored.append(_row(row))
                record_events(conn, events)
        except IntegrityError as exc:
            raise Conflict(
                "a registration of the same id was created while the request ran: nothing "
                "was registered",
                where="Registration",
            ) from exc
        except SQLAlchemyError as exc:
            raise store_failure(exc, "store the registrations") from exc
        return stored

    def record_pull(self, registration_id: str, pull: Pull) -> None:
        """Remember how the last pull of a registration went (a deleted one: nothing)."""
        try:
            with writing(self.engine) as conn:
                conn.execute(
                    update(registrations)
                    .where(registrations.c.id == registration_id)
                    .values(
                        pulled=pull.at,
                        pull_outcome=pull.outcome,
                        pull_written=pull.written,
                        pull_deleted=pull.deleted,
                        pull_error=pull.error or None,
                    )
                )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "record the pull of a registration") from exc


def _write(conn: Connection, change: RegistrationChange, now: datetime) -> None:
    registration = change.registration
    values = dict(
        agreement_urn=registration.agreement_urn[:1000],
        provider=registration.provider,
        source_url=registration.source_url[:2000],
        queryable=registration.queryable,
        rest_source=registration.rest_source,
        index_flags=",".join(sorted(registration.index_flags)),
        valid_from=registration.valid_from,
        valid_to=registration.valid_to,
        updated=now,
    )
    if change.action == "create":
        conn.execute(insert(registrations).values(id=registration.id, created=now, **values))
        return
    changed = conn.execute(
        update(registrations)
        .where(registrations.c.id == registration.id, registrations.c.provider == change.held_by)
        .values(**values)
    ).rowcount
    if not changed:
        raise _gone(registration.id)


def _delete(conn: Connection, change: RegistrationChange) -> None:
    deleted = conn.execute(
        delete(registrations).where(
            registrations.c.id == change.registration.id,
            registrations.c.provider == change.held_by,
        )
    ).rowcount
    if not deleted:
        raise _gone(change.registration.id)


def _gone(registration_id: str) -> Conflict:
    return Conflict(
        f"the registration {registration_id} was deleted or changed hands while the request "
        "ran: nothing was changed",
        where="Registration",
    )
