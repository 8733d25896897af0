"""Storing and finding maintainable artefacts and the references between them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Self, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Select,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sdmxnode.errors import Conflict, NotFound
from sdmxnode.formats.subscriptions.model import structure_event
from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.engine import (
    DEFAULT_WRITE_WAIT,
    create_store_engine,
    single_read,
    upsert_insert,
)
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.outbox import record_events
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structure_rows import Decide, put_decided, put_one, refuse_reshaped_data
from sdmxnode.storage.tables import (
    artefacts,
    metadata,
    node_health,
    references,
    structure_derivations,
    structure_state,
)
from sdmxnode.storage.times import now_utc
from sdmxnode.storage.upgrades import (
    add_missing_columns,
    add_missing_indexes,
    cascade_by_trigger,
    key_series_by_provider,
    mark_schema,
    schema_digest,
    schema_is_marked,
    widen_columns,
)
from sdmxnode.storage.writing import lock_artefacts, writing

log = logging.getLogger(__name__)

_COLUMNS = (
    artefacts.c.pk,
    artefacts.c.type,
    artefacts.c.agency_id,
    artefacts.c.id,
    artefacts.c.version,
    artefacts.c.is_final,
    artefacts.c.name,
    artefacts.c.sdmx_ml,
    artefacts.c.digest,
    artefacts.c.updated,
)
R = TypeVar("R")
_CHUNK = 500  # bound on the number of bound parameters in one IN list


@dataclass(frozen=True)
class PutResult:
    """What storing a batch of artefacts changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def select_artefacts(
    types: Collection[str] | None = None,
    agencies: Collection[str] | None = None,
    ids: Collection[str] | None = None,
) -> Select:
    """The artefacts whose type, agency and id are among those given (None: any), in
    identity and version order; rows for `stored_artefact`."""
    query = select(*_COLUMNS)
    if types is not None:
        query = query.where(artefacts.c.type.in_(sorted(types)))
    if agencies is not None:
        query = query.where(artefacts.c.agency_id.in_(sorted(agencies)))
    if ids is not None:
        query = query.where(artefacts.c.id.in_(sorted(ids)))
    return query.order_by(
        artefacts.c.type, artefacts.c.agency_id, artefacts.c.id, artefacts.c.version
    )


def stored_artefact(row: Row) -> StoredArtefact:
    """The artefact a row of `select_artefacts` (or one with its columns) describes."""
    return _stored(row)


def _stored(row: Row) -> StoredArtefact:
    return StoredArtefact(
        pk=row.pk,
        ref=ArtefactRef(row.type, row.agency_id, row.id, row.version),
        is_final=bool(row.is_final),
        name=row.name,
        sdmx_ml=row.sdmx_ml,
        digest=row.digest,
        updated=row.updated.replace(tzinfo=UTC),
    )


def _next_generation(conn: Connection) -> None:
    """Raise the structure generation, as the last statement of a write transaction: its
    row lock (PostgreSQL) is then held only until the commit, and taken after every other."""
    raised = conn.execute(
        update(structure_state).values(generation=structure_state.c.generation + 1)
    )
    if raised.rowcount == 0:
        conn.execute(insert(structure_state).values(pk=1, generation=1))


@dataclass(frozen=True)
class Derivation:
    """What a process derived from many artefacts (`kind`, e.g. 'info'), named by `ref`,
    built in structure generation `generation`, as text."""

    kind: str
    ref: str
    generation: int
    body: str


def keep_derivations(conn: Connection, derivations: Iterable[Derivation]) -> int:
    """Store each derivation in the transaction of `conn`, replacing the one kept under its
    kind and ref, unless the structure generation has moved on since it was built (then
    it may hold what a change took away: it is dropped). How many were kept.

    Never waits: on PostgreSQL a derivation that another open transaction is keeping (two
    loads of one dataflow) is left to it, found by a transaction-level advisory lock taken
    without waiting; SQLite has one writer at a time."""
    kept = 0
    postgresql = conn.dialect.name == "postgresql"
    for derivation in derivations:
        if postgresql:
            name = f"structure_derivations:{derivation.kind}:{derivation.ref}"
            locked = conn.execute(
                select(func.pg_try_advisory_xact_lock(func.hashtextextended(name, 0)))
            ).scalar()
            if not locked:
                continue
        current = select(
            literal(derivation.kind),
            literal(derivation.ref),
            literal(derivation.generation),
            literal(derivation.body),
        ).where(select(structure_state.c.generation).scalar_subquery() == derivation.generation)
        statement = upsert_insert(conn, structure_derivations).from_select(
            ["kind", "ref", "generation", "body"], current
        )
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "ref"],
            set_={
                "generation": statement.excluded.generation,
                "body": statement.excluded.body,
            },
        )
        kept += len(conn.execute(statement.returning(structure_derivations.c.kind)).all())
    return kept


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class StructureStore:
    """The artefact tables of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(
        cls, database_url: str, *, write_wait: float = DEFAULT_WRITE_WAIT, durable: bool = True
    ) -> StructureStore:
        """The store of the database at `database_url`, on an engine of its own (writers
        wait `write_wait` seconds for a lock; `durable`: SQLite's synchronous=FULL)."""
        return cls(create_store_engine(database_url, write_wait=write_wait, durable=durable))

    @classmethod
    def sharing(cls, store: StructureStore) -> Self:
        """A store (of this class) on the same database and connection pool as `store`."""
        return cls(store.engine)

    @property
    def database_identity(self) -> str:
        """The database this store reads, as text (its URL without the password): what
        tells apart what processes keep per database."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect_name(self) -> str:
        """The database engine: 'sqlite' or 'postgresql'."""
        return str(self.engine.dialect.name)

    def check_write(self) -> None:
        """Write (and commit) the health row: the database takes writes right now (a full
        disk, a read-only file or a held lock fail here, as a StorageError)."""
        try:
            with writing(self.engine) as conn:
                now = now_utc(precise=True)
                if conn.execute(update(node_health).values(checked=now)).rowcount == 0:
                    conn.execute(insert(node_health).values(pk=1, checked=now))
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write to the database") from exc

    def sqlite_file(self) -> Path | None:
        """The database file of a SQLite store (None for PostgreSQL or in-memory SQLite)."""
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return Path(url.database)

    def location(self) -> str:
        """The store's database URL without its password: what tells apart two stores
        whose files (bulk downloads) may share a folder."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close the pooled connections (before a fork, or when the store is done with)."""
        self.engine.dispose()

    def create_schema(self) -> None:
        """Create every table of the node that does not exist yet, and add the columns
        added since to the tables of an older database (storage/upgrades.py), unless the
        database is marked as up to date with this node's tables."""
        digest = schema_digest()
        if digest is not None and schema_is_marked(self.engine, digest):
            return
        try:
            metadata.create_all(self.engine)
            add_missing_columns(self.engine)
            widen_columns(self.engine)
            key_series_by_provider(self.engine)
            add_missing_indexes(self.engine)
            cascade_by_trigger(self.engine)
            self._start_generation()
            if digest is not None:
                mark_schema(self.engine, digest)
        except SQLAlchemyError as exc:
            raise store_failure(exc, "create the schema") from exc

    def _start_generation(self) -> None:
        """The structure_state row, written once (a process creating the schema at the
        same time may write it first)."""
        with self.engine.connect() as conn:
            if conn.execute(select(structure_state.c.pk)).first() is not None:
                return
        try:
            with writing(self.engine) as conn:
                conn.execute(insert(structure_state).values(pk=1, generation=0))
        except IntegrityError:
            pass

    def generation(self) -> int:
        """A number that every committed change of the artefacts (stored, replaced or
        deleted) raises: what is derived from many artefacts holds while it stays."""
        with self.engine.connect() as conn:
            found = conn.execute(select(structure_state.c.generation)).scalar()
        return int(found or 0)

    def derivation(self, kind: str, ref: str, generation: int) -> str | None:
        """The body kept for `kind` and `ref` in structure generation `generation`, or
        None (none kept, one of another generation, or none readable)."""
        query = select(structure_derivations.c.body).where(
            structure_derivations.c.kind == kind,
            structure_derivations.c.ref == ref,
            structure_derivations.c.generation == generation,
        )
        try:
            with self.engine.connect() as conn:
                return conn.execute(query).scalar()
        except SQLAlchemyError:  # e.g. a store made before the table: built anew instead
            log.debug("no kept %s of %s", kind, ref, exc_info=True)
            return None

    def keep_derivations(self, derivations: Sequence[Derivation]) -> int:
        """`keep_derivations` in a transaction of its own."""
        if not derivations:
            return 0
        try:
            with writing(self.engine) as conn:
                return keep_derivations(conn, derivations)
        except SQLAlchemyError as exc:
            raise store_failure(exc, "keep structure derivations") from exc

    def count_artefacts(self) -> int:
        """How many artefacts the store holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(artefacts)).scalar_one())

    def put_artefacts(
        self,
        records: Sequence[ArtefactRecord],
        *,
        keep_final: bool = False,
        must_stay_empty: Mapping[ArtefactRef, Collection[int]] | None = None,
        depends: Collection[tuple[int, str]] = (),
        decide: Mapping[ArtefactRef, Decide] | None = None,
    ) -> PutResult:
        """Insert or replace `records` in one transaction; identical artefacts are untouched.

        With `keep_final`, a stored final artefact whose content would change makes the whole
        transaction fail with Conflict (checked inside the transaction, so that a concurrent
        writer cannot slip a change past the caller's own check). `must_stay_empty` names,
        per replaced artefact, the dataflows (pks) whose data its change would reshape: if
        one of them holds data when the transaction decides (a load committed meanwhile),
        nothing is stored and Conflict is raised. A replaced artefact's `updated` time
        always moves forward, by a second if need be, so that Last-Modified changes with it.
        `depends` names stored artefacts (pk, digest) the records reference: each is
        share-locked first and must be there unchanged (NotFound, Conflict otherwise), so
        that a concurrent DELETE of one either waits and then sees the new referrer, or
        commits first and this write is refused. `decide` names records whose stored form
        is decided inside the transaction from the row stored then (`put_decided`: merging a
        partial item scheme); the record itself then stands only for its identity.
        """
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        now = now_utc()
        try:
            with writing(self.engine) as conn:
                try:
                    lock_artefacts(conn, depends)
                except NotFound as exc:
                    raise Conflict(
                        "an artefact the submission references was deleted while the "
                        "request ran: nothing was stored"
                    ) from exc
                events = []
                for record in records:
                    decision = (decide or {}).get(record.ref)
                    if decision is not None:
                        outcome = put_decided(conn, record.ref, decision, now)
                    else:
                        outcome = put_one(conn, record, keep_final, now)
                    counts[outcome] += 1
                    if outcome != "unchanged":
                        action = "Append" if outcome == "created" else "Replace"
                        events.append(structure_event(record.ref, action))
                refuse_reshaped_data(conn, must_stay_empty or {})
                record_events(conn, events)
                if events:
                    _next_generation(conn)
        except SQLAlchemyError as exc:
            raise store_failure(exc, "store the artefacts") from exc
        return PutResult(**counts)

    def find_artefacts(
        self,
        types: Collection[str] | None = None,
        agencies: Collection[str] | None = None,
        ids: Collection[str] | None = None,
    ) -> list[StoredArtefact]:
        """Artefacts whose type, agency and id are among those given (None: any)."""
        query = select_artefacts(types, agencies, ids)
        with single_read(self.engine) as conn:
            return [stored_artefact(row) for row in conn.execute(query)]

    def find_artefact(self, ref: ArtefactRef) -> StoredArtefact | None:
        """The artefact with exactly this identity, or None."""
        query = select(*_COLUMNS).where(
            artefacts.c.type == ref.type,
            artefacts.c.agency_id == ref.agency_id,
            artefacts.c.id == ref.id,
            artefacts.c.version == ref.version,
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _stored(row) if row is not None else None

    def find_by_identity(self, keys: Collection[tuple[str, str, str]]) -> list[StoredArtefact]:
        """Every version of the artefacts named by (type, agency, id)."""
        found: list[StoredArtefact] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(keys))):
                query = select(*_COLUMNS).where(
                    tuple_(artefacts.c.type, artefacts.c.agency_id, artefacts.c.id).in_(chunk)
                )
                found.extend(_stored(row) for row in conn.execute(query))
        return found

    def read_xml(self, pks: Collection[int]) -> dict[int, bytes]:
        """The stored SDMX-ML element of each artefact."""
        result: dict[int, bytes] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(pks))):
                rows = conn.execute(
                    select(artefacts.c.pk, artefacts.c.xml).where(artefacts.c.pk.in_(chunk))
                )
                result.update((row.pk, bytes(row.xml)) for row in rows)
        return result

    def read_one_xml(self, artefact: StoredArtefact) -> bytes:
        """The stored element of one artefact found before; NotFound if it was deleted since
        (a DELETE that committed between the lookup and this read)."""
        xml = self.read_xml([artefact.pk]).get(artefact.pk)
        if xml is None:
            raise NotFound(f"{artefact.ref} was deleted while the request ran")
        return xml

    def list_references_from(self, pks: Collection[int]) -> dict[int, set[ArtefactRef]]:
        """For each artefact, the identities it references (its children)."""
        result: dict[int, set[ArtefactRef]] = {pk: set() for pk in pks}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(pks))):
                rows = conn.execute(select(references).where(references.c.source_pk.in_(chunk)))
                for row in rows:
                    result[row.source_pk].add(
                        ArtefactRef(
                            row.target_type,
                            row.target_agency_id,
                            row.target_id,
                            row.target_version,
                        )
                    )
        return result

    def list_referrers(
        self, keys: Collection[tuple[str, str, str]]
    ) -> list[tuple[StoredArtefact, ArtefactRef]]:
        """Artefacts that reference any version of (type, agency, id), with the reference."""
        found: list[tuple[StoredArtefact, ArtefactRef]] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(keys))):
                condition = or_(
                    *(
                        and_(
                            references.c.target_type == t,
                            references.c.target_agency_id == a,
                            references.c.target_id == i,
                        )
                        for t, a, i in chunk
                    )
                )
                query = select(
                    *_COLUMNS,
                    references.c.target_type,
                    references.c.target_agency_id,
                    references.c.target_id,
                    references.c.target_version,
                ).join(references, references.c.source_pk == artefacts.c.pk)
                for row in conn.execute(query.where(condition)):
                    found.append(
                        (
                            _stored(row),
                            ArtefactRef(
                                row.target_type,
                                row.target_agency_id,
                                row.target_id,
                                row.target_version,
                            ),
                        )
                    )
        return found

    def delete_artefact(
        self, ref: ArtefactRef, refuse: Callable[[StoredArtefact], R | None] | None = None
    ) -> tuple[bool, R | None]:
        """Remove one artefact (and its outgoing references): (deleted, refusal).

        `refuse` decides inside the transaction, with the artefact's row locked (a load of
        the dataflow in flight commits first, one starting later waits and then finds it
        gone): what it returns (not None) refuses the deletion and is handed back. Not
        deleted and no refusal: the artefact is not there.
        """
        query = select(*_COLUMNS).where(
            artefacts.c.type == ref.type,
            artefacts.c.agency_id == ref.agency_id,
            artefacts.c.id == ref.id,
            artefacts.c.version == ref.version,
        )
        try:
            with writing(self.engine) as conn:
                if conn.dialect.name == "postgresql":
                    query = query.with_for_update()
                row = conn.execute(query).first()
                if row is None:
                    return False, None
                refusal = refuse(_stored(row)) if refuse is not None else None
                if refusal is not None:
                    return False, refusal
                conn.execute(delete(artefacts).where(artefacts.c.pk == row.pk))
                record_events(conn, [structure_event(ref, "Delete")])
                _next_generation(conn)
                return True, None
        except SQLAlchemyError as exc:
            raise store_failure(exc, "delete the artefact") from exc
