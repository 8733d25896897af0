"""Credentials and rights: bearer tokens with a role, and what each role may change.

Roles: `admin` changes anything and reads the audit log; `maintainer` changes the
structures of its agencies and the data of their dataflows; `provider` acts for one data
provider (`--provider AGENCY:ID`) and writes only through that provider's provision
agreements (checked by the load, `services/providers`), or, as before data providers, writes
the data of its dataflows (listed one by one, or every dataflow of an agency with `--agency`).
Reading stays public. A token's secret is shown once and only its SHA-256 is stored: the
secrets are 256-bit random strings, so a fast hash does not weaken them. A token may expire
(refused like a revoked one from then on); each records when it last authenticated, to
the minute.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import socket
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sdmxnode.errors import BadRequest, SdmxNodeError, StorageError, Unauthorized
from sdmxnode.storage import failures, writing
from sdmxnode.storage.access import AuditEntry, TokenRecord
from sdmxnode.storage.times import now_utc

if TYPE_CHECKING:
    from sdmxnode.services.node import Node

log = logging.getLogger(__name__)

ROLES = ("admin", "maintainer", "provider")
_PREFIX = "sdmxnode_"
#: How stale a token's recorded last use may be before an authentication records it again.
LAST_USED_PRECISION = timedelta(minutes=1)
_DURATION = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a live token's id, role and rights."""

    token_id: str
    role: str
    agencies: frozenset[str]
    dataflows: frozenset[tuple[str, str, str]]
    label: str = ""
    provider: str | None = None  # 'AGENCY:ID' of the data provider it acts for

    @classmethod
    def of(cls, record: TokenRecord) -> Principal:
        """The principal a stored token stands for."""
        return cls(
            record.token_id,
            record.role,
            frozenset(record.agencies),
            frozenset(record.dataflows),
            record.label,
            record.provider,
        )

    @property
    def is_admin(self) -> bool:
        """Whether the principal may do everything (role admin)."""
        return self.role == "admin"

    def may_maintain(self, agency_id: str) -> bool:
        """May this principal create, change or delete structures of `agency_id`?"""
        return self.is_admin or (self.role == "maintainer" and agency_id in self.agencies)

    def may_write_data(self, agency_id: str, flow_id: str, version: str) -> bool:
        """May this principal load or delete data of the dataflow agency:id(version)?"""
        if self.is_admin:
            return True
        if self.provider is not None:  # its provision agreements decide, when it loads
            return True
        if self.role in ("maintainer", "provider") and agency_id in self.agencies:
            return True
        return self.role == "provider" and (agency_id, flow_id, version) in self.dataflows

    def may_write_metadata(self, agency_id: str, flow_id: str, version: str) -> bool:
        """May this principal load or delete metadata sets of the metadataflow
        agency:id(version)? The same rights as data: a provider token's flow triples name
        dataflows and metadataflows alike (`--dataflow` takes either)."""
        return self.may_write_data(agency_id, flow_id, version)


def hash_secret(secret: str) -> str:
    """The SHA-256 of a token's secret, as the store keeps it (never the secret itself)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def parse_dataflow(text: str) -> tuple[str, str, str]:
    """AGENCY,ID,VERSION as given to `sdmxnode token create --dataflow`."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3 or not all(parts):
        raise BadRequest(f"a dataflow is AGENCY,ID,VERSION, not {text!r}", where="--dataflow")
    return parts[0], parts[1], parts[2]


def parse_provider(text: str) -> str:
    """AGENCY:ID of a data provider as given to `--provider` (a DataProvider of the
    AGENCY:DATA_PROVIDERS(1.0) scheme); BadRequest otherwise."""
    agency, sep, provider_id = text.strip().partition(":")
    if not (sep and agency and provider_id) or ":" in provider_id or "," in text:
        raise BadRequest(f"a data provider is AGENCY:ID, not {text!r}", where="--provider")
    return f"{agency}:{provider_id}"


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """When a token given `--expires TEXT` expires (aware UTC): a duration from `now` (30m,
    12h, 90d, 2w) or an ISO 8601 date (its start, UTC) or time (UTC unless it has an offset).
    BadRequest when it is neither, or not in the future."""
    now = now or datetime.now(UTC)
    cleaned = text.strip()
    duration = _DURATION.fullmatch(cleaned.lower())
    if duration:
        moment = now + timedelta(**{_UNITS[duration.group(2)]: int(duration.group(1))})
    else:
        try:
            moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadRequest(
                f"--expires takes a duration (30m, 12h, 90d, 2w) or an ISO 8601 date or "
                f"time, not {text!r}",
                where="--expires",
            ) from exc
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment <= now:
        raise BadRequest(f"--expires {text} is not in the future", where="--expires")
    return moment


def create_token(
    node: Node,
    *,
    role: str,
    agencies: Iterable[str] = (),
    dataflows: Iterable[tuple[str, str, str]] = (),
    label: str = "",
    expires: datetime | None = None,
    provider: str | None = None,
) -> str:
    """Store a new token and return its secret (shown once; only its hash is kept)."""
    return issue_token(
        node,
        role=role,
        agencies=agencies,
        dataflows=dataflows,
        label=label,
        expires=expires,
        provider=provider,
    )[1]


def issue_token(
    node: Node,
    *,
    role: str,
    agencies: Iterable[str] = (),
    dataflows: Iterable[tuple[str, str, str]] = (),
    label: str = "",
    expires: datetime | None = None,
    provider: str | None = None,
) -> tuple[TokenRecord, str]:
    """Store a new token, expiring at `expires` (aware) if given; its record and its secret.
    A provider token acting for a data provider (`provider`, AGENCY:ID) lists no agencies
    or dataflows: the provider's provision agreements say what it may write."""
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}; one of {', '.join(ROLES)}", where="--role")
    agencies = tuple(sorted(set(agencies)))
    dataflows = tuple(sorted(set(dataflows)))
    if role == "maintainer" and not agencies:
        raise BadRequest("a maintainer token needs at least one --agency", where="--agency")
    if provider is not None:
        provider = parse_provider(provider)
        if role != "provider":
            raise BadRequest("only a provider token acts for a --provider", where="--provider")
        if agencies or dataflows:
            raise BadRequest(
                "a token acting for a --provider writes what its provision agreements allow:"
                " give no --agency or --dataflow",
                where="--provider",
            )
    elif role == "provider" and not (agencies or dataflows):
        raise BadRequest(
            "a provider token needs a --provider (or at least one --dataflow or --agency)",
            where="--provider",
        )
    if role == "admin" and (agencies or dataflows):
        raise BadRequest("an admin token has every right: no --agency or --dataflow")
    token_id = "t" + secrets.token_hex(6)
    secret = f"{_PREFIX}{secrets.token_urlsafe(32)}"
    created = now_utc(precise=True).replace(tzinfo=UTC)
    record = TokenRecord(
        token_id, role, agencies, dataflows, label, created, expires=expires, provider=provider
    )
    node.access.add_token(record, hash_secret(secret))
    return record, secret


def acting_for(token_id: str) -> AbstractContextManager[None]:
    """Within the block, every write transaction checks, inside itself and under a lock on
    the token's row, that the token is still live: a revocation committed in between
    refuses the write, and a revocation waits for the writes in flight."""
    return writing.acting_for(token_id)


def failure_of(exc: BaseException) -> SdmxNodeError:
    """The error a write answers for an exception nothing else handled (a database failure:
    busy 503, unreachable 503, else 500), its details in the server log only."""
    return failures.failure_of(exc)


def authenticate(node: Node, secret: str) -> Principal | None:
    """The principal of a live token, or None for an unknown or revoked secret; an expired
    token is Unauthorized, saying so. A success is recorded as the token's last use (at most
    once per LAST_USED_PRECISION: a failure to record it is logged, not fatal)."""
    if not secret.startswith(_PREFIX) or len(secret) > 200:
        return None
    record = node.access.find_token(hash_secret(secret))
    if record is None:
        return None
    now = datetime.now(UTC)
    if record.expires is not None and record.expires <= now:
        raise Unauthorized(
            f"the bearer token {record.token_id} expired at "
            f"{record.expires:%Y-%m-%dT%H:%M:%SZ}: ask for a new one"
        )
    if record.last_used is None or now - record.last_used >= LAST_USED_PRECISION:
        try:
            node.access.mark_used(record.token_id, now, unless_since=now - LAST_USED_PRECISION)
        except StorageError as exc:
            log.warning("%s", exc.text)
    return Principal.of(record)


def this_process() -> str:
    """host:pid of the running process, as audit rows name who runs a write."""
    return f"{socket.gethostname()}:{os.getpid()}"


def start_write_record(
    node: Node, *, token_id: str, role: str, action: str, target: str, client: str
) -> int | None:
    """Record a write attempt as started, before its work begins; its audit row, or None
    when the database cannot take it now (the attempt is then recorded at its end)."""
    entry = AuditEntry(
        at=now_utc(precise=True),
        token_id=token_id,
        role=role,
        action=action,
        target=target,
        outcome="started",
        status=0,
        client=client,
    )
    try:
        return node.access.start_entry(entry, this_process())
    except StorageError:
        log.warning("the start of %s %s could not be audited; its end will be", action, target)
        return None


def record_write(
    node: Node,
    *,
    token_id: str,
    role: str,
    action: str,
    target: str,
    outcome: str,
    status: int,
    counts: dict[str, int],
    detail: str,
    client: str,
    started: int | None = None,
    anonymous: bool = False,
) -> None:
    """Record how a write attempt ended: completing its started row (`started`), or as a
    new entry timed now. An `anonymous` refusal (401, no token or a secret matching none)
    is counted per minute, source and action instead of stored as an entry of its own.

    An entry the database cannot take (busy past the write wait, down) waits in the audit
    spool file (SDMXNODE_AUDIT_SPOOL) and is written by the next audit write that succeeds
    (or `flush_audit_spool` at start): it is never silently dropped. StorageError only
    when the spool cannot be written either.
    """
    entry = AuditEntry(
        at=now_utc(precise=True),
        token_id=token_id,
        role=role,
        action=action,
        target=target,
        outcome=outcome,
        status=status,
        counts=counts,
        detail=detail,
        client=client,
    )
    try:
        if anonymous and status == 401 and started is None:
            node.access.count_refusal(entry.at.replace(second=0, microsecond=0), client, action)
        elif started is None or not node.access.finish_entry(started, entry):
            node.access.record(entry)
    except StorageError:
        log.warning("audit entry of %s %s spooled to %s", action, target, _spool(node))
        _append_to_spool(_spool(node), [dataclasses.replace(entry, pk=started or 0)])
        return
    flush_audit_spool(node)


def mark_interrupted_writes(node: Node, pids: Iterable[int] | None = None) -> int:
    """Mark as interrupted the attempts left 'started' by processes of this host that are
    gone (`pids`: those processes; None: every one no longer running). How many."""
    host = socket.gethostname()
    gone = (
        {f"{host}:{pid}" for pid in pids}
        if pids is not None
        else {
            process
            for process in node.access.started_processes()
            if process.rpartition(":")[0] == host and not _running(process.rpartition(":")[2])
        }
    )
    marked = node.access.mark_interrupted(gone)
    if marked:
        log.warning("%d write attempt(s) of ended processes marked interrupted", marked)
    return marked


def _running(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return True  # not ours to judge
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_audit_log(node: Node) -> int:
    """Delete audit entries older than SDMXNODE_AUDIT_RETENTION_DAYS (0: keep all)."""
    days = node.settings.audit_retention_days
    if days <= 0:
        return 0
    return node.access.prune_audit(now_utc() - timedelta(days=days))


def flush_audit_spool(node: Node) -> int:
    """Write the entries waiting in the audit spool to the database; how many were written.

    The spool is taken by renaming it under a file lock (one process flushes it, the others
    spool on to a fresh file); entries the database still refuses go back to the spool.
    """
    spool = _spool(node)
    if not spool.exists():
        return 0
    taken = spool.with_name(f"{spool.name}.{os.getpid()}.flushing")
    with _spool_lock(spool):
        if not spool.exists():
            return 0
        spool.rename(taken)
    entries = [_entry_from_json(line) for line in taken.read_text("utf-8").splitlines() if line]
    written = 0
    try:
        for entry in entries:
            if not entry.pk or not node.access.finish_entry(entry.pk, entry):
                node.access.record(entry)
            written += 1
    except StorageError:
        _append_to_spool(spool, entries[written:])
    taken.unlink()
    if written:
        log.info("%d spooled audit entries written to the database", written)
    return written


def _spool(node: Node) -> Path:
    if node.settings.audit_spool:
        return Path(node.settings.audit_spool)
    database = node.store.sqlite_file()
    if database is not None:
        return database.with_name(f"{database.name}.audit-spool.jsonl")
    return Path("sdmxnode-audit-spool.jsonl")


@contextmanager
def _spool_lock(spool: Path) -> Iterator[None]:
    with open(spool.with_name(f"{spool.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _append_to_spool(spool: Path, entries: Iterable[AuditEntry]) -> None:
    lines = "".join(json.dumps(_entry_to_json(entry)) + "\n" for entry in entries)
    try:
        with _spool_lock(spool):
            descriptor = os.open(spool, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as out:
                out.write(lines)
                out.flush()
                os.fsync(out.fileno())
    except OSError as exc:
        log.error("audit entries lost: neither the database nor %s takes them: %s", spool, exc)
        raise StorageError(
            "the audit log can be written neither to the database nor to its spool"
        ) from exc


def _entry_to_json(entry: AuditEntry) -> dict[str, object]:
    values = dataclasses.asdict(entry)
    values["at"] = entry.at.isoformat()
    return values


def _entry_from_json(line: str) -> AuditEntry:
    values = json.loads(line)
    values["at"] = datetime.fromisoformat(values["at"])
    return AuditEntry(**values)
