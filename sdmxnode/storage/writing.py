"""Write transactions: every check and the act it decides on, in one atomic decision.

`writing(engine)` opens the transaction (SQLite: BEGIN IMMEDIATE, so the write lock is
held from the first read; PostgreSQL: locks wait at most the engine's write wait). Inside
it a writer locks the rows it decides on: `lock_artefacts` takes a share lock on the
artefacts a load depends on (a DELETE or a replacement of them waits for the load, or the
load sees they changed); a deletion decides with the artefact's row locked for update
(`StructureStore.delete_artefact`). The token a write acts for (`acting_for`) is checked
again inside the transaction, with a key-share lock on its row (PostgreSQL): a revocation
waits for the writes in flight and refuses every write that commits after it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, Select, select, text

from sdmxnode.errors import Conflict, NotFound, Unauthorized
from sdmxnode.storage.engine import WRITE_OPTION, write_wait
from sdmxnode.storage.tables import artefacts, tokens
from sdmxnode.storage.times import now_utc

#: The id of the token the current write acts for ("" or unset: the command line).
_acting_token: ContextVar[str] = ContextVar("sdmxnode_acting_token", default="")


@contextmanager
def acting_for(token_id: str) -> Iterator[None]:
    """Within the block, write transactions check that `token_id` is still live."""
    reset = _acting_token.set(token_id)
    try:
        yield
    finally:
        _acting_token.reset(reset)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed if the block ends normally, else rolled back.

    SQLite: BEGIN IMMEDIATE (waits up to the write wait for the write lock). PostgreSQL:
    row locks wait at most the write wait (lock_timeout). Either way, a writer that cannot
    get its lock in time fails with a database error that `store_failure` calls busy. The
    acting token (if any) is checked first, under a share lock on its row.
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                milliseconds = max(1, int(write_wait(engine) * 1000))
                conn.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
            _check_acting_token(conn)
            yield conn


def _check_acting_token(conn: Connection) -> None:
    token_id = _acting_token.get()
    if not token_id:
        return
    query = select(tokens.c.revoked, tokens.c.expires).where(tokens.c.token_id == token_id)
    if conn.dialect.name == "postgresql":
        # KEY SHARE: a revocation (SELECT ... FOR UPDATE first) waits for this write, while
        # recording the token's last use (a plain UPDATE) does not.
        query = query.with_for_update(read=True, key_share=True)
    row = conn.execute(query).first()
    if row is None or row.revoked is not None:
        raise Unauthorized(
            f"token {token_id} was revoked while the request ran: nothing was written"
        )
    if row.expires is not None and row.expires <= now_utc():
        raise Unauthorized(f"token {token_id} expired while the request ran: nothing was written")


def lock_artefacts(conn: Connection, expected: Collection[tuple[int, str]]) -> None:
    """Share-lock the artefacts (pk, digest) a write depends on, and check that each is
    still there as it was read: NotFound if one was deleted, Conflict if one changed."""
    if not expected:
        return
    query = select(artefacts.c.pk, artefacts.c.digest, artefacts.c.type, artefacts.c.id).where(
        artefacts.c.pk.in_(sorted({pk for pk, _ in expected}))
    )
    found = {row.pk: row for row in conn.execute(_for_share(conn, query.order_by(artefacts.c.pk)))}
    for pk, digest in sorted(expected):
        row = found.get(pk)
        if row is None:
            raise NotFound(
                "a structure this write depends on was deleted while the request ran: "
                "nothing was written"
            )
        if row.digest != digest:
            raise Conflict(
                f"the {row.type} {row.id} changed while the request ran: nothing was "
                "written; send the request again to have it checked against the new version"
            )


def share_artefact(conn: Connection, pk: int) -> bool:
    """Share-lock one artefact row (a dataflow a load writes to); False if it is gone."""
    query = select(artefacts.c.pk).where(artefacts.c.pk == pk)
    return conn.execute(_for_share(conn, query)).first() is not None


def _for_share(conn: Connection, query: Select) -> Select:
    return query.with_for_update(read=True) if conn.dialect.name == "postgresql" else query
