"""Writing reference-metadata sets: one row per set, its targets, and its history.

Reads (queries of `/metadata/...`) live in `storage.metadata.reads`. A set is stored whole as its
canonical JSON (`sdmxnode.formats.metadata.to_json`, built by the services); what queries
filter on (identity, structure, provider, targets) is kept in columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.formats.metadata import TargetIdentity, parse_target_urn
from sdmxnode.formats.subscriptions.model import Event
from sdmxnode.refs import ArtefactRef
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.outbox import record_events
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata_set_history, metadata_set_targets, metadata_sets
from sdmxnode.storage.times import now_utc
from sdmxnode.storage.writing import writing


@dataclass(frozen=True)
class MetadataSetRow:
    """A set as stored: identity, structure, provider URN, name, canonical JSON, digest,
    and the (report id, URN) pairs of the objects its reports target."""

    agency_id: str
    id: str
    version: str
    structure: ArtefactRef
    provider: str | None
    name: str
    body: str
    digest: str
    targets: tuple[tuple[str, str], ...]


class MetadataTransaction:
    """The writes of one metadata load, on one connection inside `writing()`."""

    def __init__(self, conn: Connection, principal: str) -> None:
        self.conn = conn
        self.principal = principal

    def lock_sets(self, identities: Iterable[tuple[str, str, str]]) -> None:
        """Take the advisory locks of every set a load writes, up front and in one order
        (PostgreSQL), so that two loads naming the same sets in different orders wait for
        each other instead of deadlocking; `find_body` takes them again at no cost."""
        if self.conn.dialect.name != "postgresql":
            return
        for key in sorted({_lock_key(*identity) for identity in identities}):
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def find_body(self, agency_id: str, id_: str, version: str) -> str | None:
        """The stored JSON of a set, its row locked for update (PostgreSQL) so that the
        decision taken on it (append, merge, replace, delete) is one atomic decision.

        PostgreSQL: an advisory lock on the identity is taken first, for the transaction, so
        that two loads of a set not yet held (no row to lock) or of one another load deletes
        and writes again (a new row) still decide one after the other. SQLite: the write
        transaction (BEGIN IMMEDIATE) already holds the database's write lock."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": _lock_key(agency_id, id_, version)},
            )
        query = select(metadata_sets.c.body).where(
            metadata_sets.c.agency_id == agency_id,
            metadata_sets.c.id == id_,
            metadata_sets.c.version == version,
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return self.conn.execute(query).scalar_one_or_none()

    def notify(self, events: Sequence[Event]) -> None:
        """Queue notifications of `events` in this transaction (`storage.outbox`)."""
        record_events(self.conn, events)

    def put(self, row: MetadataSetRow, action: str) -> None:
        """Store `row` in place of any set with its identity, and record it in history."""
        now = now_utc(precise=True)
        self._remove(row.agency_id, row.id, row.version)
        pk = self.conn.execute(
            insert(metadata_sets).returning(metadata_sets.c.pk),
            {
                "agency_id": row.agency_id,
                "id": row.id,
                "version": row.version,
                "structure_type": row.structure.type,
                "structure_agency_id": row.structure.agency_id,
                "structure_id": row.structure.id,
                "structure_version": row.structure.version,
                "provider": row.provider,
                "name": row.name[:1000],
                "body": row.body,
                "digest": row.digest,
                "updated": now,
            },
        ).scalar_one()
        targets = list(_target_rows(pk, row.targets))
        if targets:
            self.conn.execute(insert(metadata_set_targets), targets)
        self._record(row.agency_id, row.id, row.version, action, row.body, now)

    def delete(self, agency_id: str, id_: str, version: str) -> bool:
        """Remove a set (recorded in history); False if the node holds no such set."""
        if not self._remove(agency_id, id_, version):
            return False
        self._record(agency_id, id_, version, "Delete", None, now_utc(precise=True))
        return True

    def _remove(self, agency_id: str, id_: str, version: str) -> bool:
        result = self.conn.execute(
            delete(metadata_sets).where(
                metadata_sets.c.agency_id == agency_id,
                metadata_sets.c.id == id_,
                metadata_sets.c.version == version,
            )
        )
        # SQLite enforces ON DELETE CASCADE only with foreign keys on: delete targets too.
        self.conn.execute(
            delete(metadata_set_targets).where(
                ~metadata_set_targets.c.set_pk.in_(select(metadata_sets.c.pk))
            )
        )
        return bool(result.rowcount)

    def _record(
        self, agency_id: str, id_: str, version: str, action: str, body: str | None, when: datetime
    ) -> None:
        self.conn.execute(
            insert(metadata_set_history),
            {
                "agency_id": agency_id,
                "id": id_,
                "version": version,
                "action": action,
                "body": body,
                "written": when,
                "written_by": self.principal or None,
            },
        )


__all__ = [
    "MetadataSetRow",
    "MetadataStore",
    "MetadataTransaction",
    "TargetIdentity",
    "parse_target_urn",
]


def _lock_key(agency_id: str, id_: str, version: str) -> int:
    """A signed 64-bit advisory-lock key for a set's identity."""
    digest = hashlib.sha256(f"metadata_set\x1f{agency_id}\x1f{id_}\x1f{version}".encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def _target_rows(set_pk: int, targets: Iterable[tuple[str, str]]) -> Iterator[dict[str, object]]:
    seen: set[tuple[str, str]] = set()
    for report_id, urn in targets:
        identity = parse_target_urn(urn)
        if identity is None or (report_id, urn) in seen:
            continue
        seen.add((report_id, urn))
        yield {
            "set_pk": set_pk,
            "report_id": report_id,
            "urn": urn[:1000],
            "target_type": identity.type,
            "target_agency_id": identity.agency_id,
            "target_id": identity.id,
            "target_version": identity.version,
            "target_item": identity.item[:1000],
        }


class MetadataStore:
    """The reference-metadata tables of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> MetadataStore:
        """The metadata tables of the database `store` uses, on its engine."""
        return cls(store.engine)

    @contextmanager
    def transaction(self, *, principal: str = "") -> Iterator[MetadataTransaction]:
        """A metadata load: committed if the block ends normally, else rolled back."""
        try:
            with writing(self.engine) as conn:
                yield MetadataTransaction(conn, principal)
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the metadata sets") from exc
