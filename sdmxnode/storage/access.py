"""The tokens and audit tables: who may write, and the record of every write attempt."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, Row, delete, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.storage.engine import upsert_insert
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import audit_log, audit_refusals, tokens
from sdmxnode.storage.times import now_utc

#: How long recording a token's last use waits for SQLite's write lock (milliseconds).
_MARK_USED_WAIT_MS = 1000


@dataclass(frozen=True)
class TokenRecord:
    """A token as stored: its public id, role and rights; never the secret."""

    token_id: str
    role: str
    agencies: tuple[str, ...]
    dataflows: tuple[tuple[str, str, str], ...]
    label: str
    created: datetime
    revoked: datetime | None = None
    expires: datetime | None = None  # None: never
    last_used: datetime | None = None  # last successful authentication, None: never
    provider: str | None = None  # 'AGENCY:ID' of the data provider a provider token acts for

    def expired(self, now: datetime) -> bool:
        """Whether the token has expired at `now` (an aware time)."""
        return self.expires is not None and self.expires <= now

    def to_json(self) -> dict[str, object]:
        """The token as `sdmxnode token list --format json` shows it (never its secret)."""
        return {
            "id": self.token_id,
            "role": self.role,
            "agencies": list(self.agencies),
            "dataflows": [list(flow) for flow in self.dataflows],
            "label": self.label,
            "created": _iso(self.created),
            "revoked": _iso(self.revoked),
            "expires": _iso(self.expires),
            "last_used": _iso(self.last_used),
            "provider": self.provider,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _naive(moment: datetime | None) -> datetime | None:
    """A time as the store keeps it: naive UTC."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AuditEntry:
    """One write attempt: who (token and role), what, when, how it ended, with what counts."""

    at: datetime
    token_id: str
    role: str
    action: str
    target: str
    outcome: str
    status: int
    counts: dict[str, int] = field(default_factory=dict)
    detail: str = ""
    client: str = ""
    pk: int = 0

    def to_json(self) -> dict[str, object]:
        """The audit entry as the audit endpoint answers it (times in UTC with Z)."""
        return {
            "id": self.pk,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "token": self.token_id or None,
            "role": self.role or None,
            "action": self.action,
            "target": self.target,
            "outcome": self.outcome,
            "status": self.status,
            "counts": self.counts,
            "detail": self.detail,
            "client": self.client,
        }


def _token(row: Row) -> TokenRecord:
    return TokenRecord(
        token_id=row.token_id,
        role=row.role,
        agencies=tuple(json.loads(row.agencies)),
        dataflows=tuple(tuple(flow) for flow in json.loads(row.dataflows)),  # type: ignore[misc]
        label=row.label,
        created=row.created.replace(tzinfo=UTC),
        revoked=_aware(row.revoked),
        expires=_aware(row.expires),
        last_used=_aware(row.last_used),
        provider=row.provider,
    )


def _entry(row: Row) -> AuditEntry:
    return AuditEntry(
        pk=row.pk,
        at=row.at.replace(tzinfo=UTC),
        token_id=row.token_id,
        role=row.role,
        action=row.action,
        target=row.target,
        outcome=row.outcome,
        status=row.status,
        counts=json.loads(row.counts),
        detail=row.detail,
        client=row.client,
    )


def _audit_values(entry: AuditEntry) -> dict[str, object]:
    """The audit_log columns of an entry, cut to their sizes."""
    return dict(
        at=_naive(entry.at),
        token_id=entry.token_id[:32],
        role=entry.role[:20],
        action=entry.action[:64],
        target=entry.target[:1000],
        outcome=entry.outcome[:16],
        status=entry.status,
        counts=json.dumps(entry.counts)[:2000],
        detail=entry.detail[:4000],
        client=entry.client[:255],
    )


class AccessStore:
    """Tokens and the audit log of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> AccessStore:
        """The tables of the database `store` uses, on its engine (one connection pool)."""
        return cls(store.engine)

    def add_token(self, record: TokenRecord, secret_hash: str) -> None:
        """Store a new token with the hash of its secret (StorageError if it cannot)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(tokens).values(
                        token_id=record.token_id,
                        secret_hash=secret_hash,
                        role=record.role,
                        agencies=json.dumps(list(record.agencies)),
                        dataflows=json.dumps([list(f) for f in record.dataflows]),
                        label=record.label[:255],
                        created=_naive(record.created),
                        expires=_naive(record.expires),
                        provider=record.provider,
                    )
                )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "store the token") from exc

    def find_token(self, secret_hash: str) -> TokenRecord | None:
        """The token with this secret hash that is not revoked (expired or not), if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(tokens).where(
                    tokens.c.secret_hash == secret_hash, tokens.c.revoked.is_(None)
                )
            ).first()
        return _token(row) if row is not None else None

    def mark_used(self, token_id: str, at: datetime, *, unless_since: datetime) -> None:
        """Record that the token authenticated at `at`, unless it was recorded at or after
        `unless_since` already (so that busy tokens cost one write a minute, not one per
        request). StorageError if it cannot."""
        naive_since = _naive(unless_since)
        try:
            with self.engine.begin() as conn:
                # On SQLite a long load holds the one write lock: rather than wait for it
                # as long as the engine's busy timeout, give up soon (the caller logs it).
                sqlite = conn.dialect.name == "sqlite"
                if not sqlite:  # nor wait for a revocation of the token in progress
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {_MARK_USED_WAIT_MS}")
                if sqlite:
                    busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {_MARK_USED_WAIT_MS}")
                try:
                    conn.execute(
                        update(tokens)
                        .where(
                            tokens.c.token_id == token_id,
                            or_(tokens.c.last_used.is_(None), tokens.c.last_used < naive_since),
                        )
                        .values(last_used=_naive(at))
                    )
                finally:
                    if sqlite:
                        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy or 0)}")
        except SQLAlchemyError as exc:
            raise store_failure(exc, "record the use of the token") from exc

    def revoke_token(self, token_id: str) -> bool:
        """Mark a token revoked; False if there is no live token with that id."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # FOR UPDATE waits for the writes in flight, which hold FOR KEY SHARE on the
                # row (storage/writing.py): once revoked, no write of the token commits.
                conn.execute(
                    select(tokens.c.token_id).where(tokens.c.token_id == token_id).with_for_update()
                )
            result = conn.execute(
                update(tokens)
                .where(tokens.c.token_id == token_id, tokens.c.revoked.is_(None))
                .values(revoked=now_utc(precise=True))
            )
            return bool(result.rowcount)

    def list_tokens(self) -> list[TokenRecord]:
        """Every token, oldest first, revoked ones included."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(tokens).order_by(tokens.c.created, tokens.c.token_id))
            return [_token(row) for row in rows]

    def record(self, entry: AuditEntry) -> None:
        """Append one audit entry, in its own transaction."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(audit_log).values(**_audit_values(entry)))
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the audit log") from exc

    def start_entry(self, entry: AuditEntry, process: str) -> int:
        """Record a write attempt as 'started' before its work begins; the row's pk."""
        try:
            with self.engine.begin() as conn:
                inserted = conn.execute(
                    insert(audit_log).values(**_audit_values(entry), process=process[:100])
                ).inserted_primary_key
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the audit log") from exc
        assert inserted is not None
        return int(inserted[0])

    def finish_entry(self, pk: int, entry: AuditEntry) -> bool:
        """Complete the started row `pk` with how the attempt ended; False if it is gone
        (or was marked interrupted meanwhile: then it is left as it is)."""
        values = _audit_values(entry)
        del values["at"]  # the row keeps the time the attempt started
        try:
            with self.engine.begin() as conn:
                done = conn.execute(
                    update(audit_log)
                    .where(audit_log.c.pk == pk, audit_log.c.outcome == "started")
                    .values(**values)
                ).rowcount
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the audit log") from exc
        return bool(done)

    def started_processes(self) -> set[str]:
        """The processes (host:pid) with write attempts still recorded as started."""
        query = select(audit_log.c.process).where(audit_log.c.outcome == "started").distinct()
        with self.engine.connect() as conn:
            return {row.process for row in conn.execute(query) if row.process}

    def mark_interrupted(self, processes: Collection[str]) -> int:
        """Mark the attempts still 'started' by `processes` as 'interrupted'; how many."""
        if not processes:
            return 0
        try:
            with self.engine.begin() as conn:
                return int(
                    conn.execute(
                        update(audit_log)
                        .where(
                            audit_log.c.outcome == "started",
                            audit_log.c.process.in_(sorted(processes)),
                        )
                        .values(
                            outcome="interrupted",
                            detail="the process ended before the write finished: nothing of "
                            "an unfinished write is stored",
                        )
                    ).rowcount
                )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the audit log") from exc

    def count_refusal(self, minute: datetime, client: str, action: str) -> None:
        """Count one unauthenticated attempt in its minute, source and action."""
        key = dict(minute=_naive(minute), client=client[:255], action=action[:64])
        try:
            with self.engine.begin() as conn:
                statement = upsert_insert(conn, audit_refusals).values(**key, count=1)
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["minute", "client", "action"],
                        set_={"count": audit_refusals.c.count + 1},
                    )
                )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the audit log") from exc

    def list_refusals(self, *, limit: int = 100, since: datetime | None = None) -> list[dict]:
        """Counted unauthenticated attempts, latest minute first."""
        query = select(audit_refusals)
        if since is not None:
            query = query.where(audit_refusals.c.minute >= _naive(since))
        query = query.order_by(audit_refusals.c.minute.desc(), audit_refusals.c.client)
        with self.engine.connect() as conn:
            return [
                {
                    "minute": row.minute.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"),
                    "client": row.client,
                    "action": row.action,
                    "count": row.count,
                }
                for row in conn.execute(query.limit(limit))
            ]

    def prune_audit(self, before: datetime) -> int:
        """Delete audit entries and refusal counts older than `before`; how many entries."""
        try:
            with self.engine.begin() as conn:
                removed = conn.execute(
                    delete(audit_log).where(
                        audit_log.c.at < _naive(before), audit_log.c.outcome != "started"
                    )
                ).rowcount
                conn.execute(delete(audit_refusals).where(audit_refusals.c.minute < _naive(before)))
        except SQLAlchemyError as exc:
            raise store_failure(exc, "prune the audit log") from exc
        return int(removed)

    def list_audit(
        self,
        *,
        limit: int = 100,
        since: datetime | None = None,
        token_id: str | None = None,
        actions: Sequence[str] | None = None,
    ) -> list[AuditEntry]:
        """The latest entries first, at most `limit`, optionally filtered."""
        query = select(audit_log)
        if since is not None:
            naive = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
            query = query.where(audit_log.c.at >= naive)
        if token_id is not None:
            query = query.where(audit_log.c.token_id == token_id)
        if actions:
            query = query.where(audit_log.c.action.in_(list(actions)))
        query = query.order_by(audit_log.c.pk.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def count_audit(self) -> int:
        """How many entries the audit log holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
