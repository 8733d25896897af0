"""Harvest bookkeeping: request validators, provenance of harvested artefacts, the lock."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sdmxnode.refs import ArtefactRef
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import harvest_locks, harvest_provenance, harvest_requests

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestState:
    """What a source last answered with 200 to one request (keyed without updatedAfter)."""

    key: str
    url: str
    etag: str | None
    last_modified: str | None
    retrieved: datetime  # aware UTC


@dataclass(frozen=True)
class Provenance:
    """Where one harvested artefact or data load came from."""

    kind: str  # 'structure', 'data' or 'metadata'
    ref: ArtefactRef  # the artefact, for data the dataflow, for metadata the metadataflow
    source_url: str
    retrieved: datetime  # aware UTC
    etag: str | None
    last_modified: str | None
    source_version: str
    outcome: str

    def to_json(self) -> dict[str, str | None]:
        """The provenance entry as the provenance endpoint answers it."""
        return {
            "kind": self.kind,
            "type": self.ref.type,
            "agencyID": self.ref.agency_id,
            "id": self.ref.id,
            "version": self.ref.version,
            "sourceUrl": self.source_url,
            "retrieved": self.retrieved.isoformat(),
            "etag": self.etag,
            "lastModified": self.last_modified,
            "sourceVersion": self.source_version,
            "outcome": self.outcome,
        }


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def now_utc() -> datetime:
    """Now in UTC, to the second (the precision of harvest records)."""
    return datetime.now(UTC).replace(microsecond=0)


class HarvestStore:
    """The harvest tables of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> HarvestStore:
        """The tables of the database `store` uses, on its engine (one connection pool)."""
        return cls(store.engine)

    def find_request(self, key: str) -> RequestState | None:
        """The state of a conditional request (ETag, Last-Modified), or None if never sent."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(harvest_requests).where(harvest_requests.c.key == key)
            ).first()
        if row is None:
            return None
        return RequestState(
            row.key, row.url, row.etag, row.last_modified, row.retrieved.replace(tzinfo=UTC)
        )

    def put_request(self, state: RequestState) -> None:
        """Remember the validators of a 200 answer (replacing earlier ones)."""
        values = dict(
            url=state.url[:2000],
            etag=state.etag,
            last_modified=state.last_modified,
            retrieved=_naive(state.retrieved),
        )
        try:
            with self.engine.begin() as conn:
                changed = conn.execute(
                    update(harvest_requests)
                    .where(harvest_requests.c.key == state.key)
                    .values(**values)
                ).rowcount
                if not changed:
                    conn.execute(insert(harvest_requests).values(key=state.key[:2000], **values))
        except SQLAlchemyError as exc:
            raise store_failure(exc, "record the harvest request") from exc

    def add_provenance(self, entries: Sequence[Provenance]) -> None:
        """Record entries; a structure entry replaces the earlier one of its artefact."""
        try:
            with self.engine.begin() as conn:
                for entry in entries:
                    if entry.kind == "structure":
                        conn.execute(
                            delete(harvest_provenance).where(
                                and_(
                                    harvest_provenance.c.kind == "structure",
                                    harvest_provenance.c.type == entry.ref.type,
                                    harvest_provenance.c.agency_id == entry.ref.agency_id,
                                    harvest_provenance.c.id == entry.ref.id,
                                    harvest_provenance.c.version == entry.ref.version,
                                )
                            )
                        )
                if entries:
                    conn.execute(
                        insert(harvest_provenance),
                        [
                            dict(
                                kind=e.kind,
                                type=e.ref.type,
                                agency_id=e.ref.agency_id,
                                id=e.ref.id,
                                version=e.ref.version,
                                source_url=e.source_url[:2000],
                                retrieved=_naive(e.retrieved),
                                etag=e.etag,
                                last_modified=e.last_modified,
                                source_version=e.source_version,
                                outcome=e.outcome[:200],
                            )
                            for e in entries
                        ],
                    )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "record the provenance") from exc

    def list_provenance(
        self,
        *,
        kind: str | None = None,
        type_: str | None = None,
        agency_id: str | None = None,
        id_: str | None = None,
    ) -> list[Provenance]:
        """Provenance entries, filtered by what is given, oldest first."""
        query = select(harvest_provenance)
        for column, value in (
            (harvest_provenance.c.kind, kind),
            (harvest_provenance.c.type, type_),
            (harvest_provenance.c.agency_id, agency_id),
            (harvest_provenance.c.id, id_),
        ):
            if value is not None:
                query = query.where(column == value)
        query = query.order_by(harvest_provenance.c.pk)
        with self.engine.connect() as conn:
            return [
                Provenance(
                    row.kind,
                    ArtefactRef(row.type, row.agency_id, row.id, row.version),
                    row.source_url,
                    row.retrieved.replace(tzinfo=UTC),
                    row.etag,
                    row.last_modified,
                    row.source_version,
                    row.outcome,
                )
                for row in conn.execute(query)
            ]

    def acquire_lock(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Take the lock `name` unless another holder has it and it has not expired."""
        now = now_utc()
        expires = _naive(now + ttl)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(harvest_locks).values(name=name, holder=holder, expires=expires)
                )
            return True
        except IntegrityError:
            pass  # held: take it over only if it has expired (a crashed harvest)
        except SQLAlchemyError as exc:
            raise store_failure(exc, "take the harvest lock") from exc
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(harvest_locks)
                .where(harvest_locks.c.name == name, harvest_locks.c.expires < _naive(now))
                .values(holder=holder, expires=expires)
            ).rowcount
        if taken:
            log.warning("took over the expired harvest lock %r", name)
        return bool(taken)

    def release_lock(self, name: str, holder: str) -> None:
        """Release a named lock, if `holder` still holds it."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(harvest_locks).where(
                    harvest_locks.c.name == name, harvest_locks.c.holder == holder
                )
            )
