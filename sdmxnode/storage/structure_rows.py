"""Writing artefact rows inside a write transaction: insert, replace, or decide then store.

A decision (`Decide`) runs with the artefact's current row read inside the transaction
(PostgreSQL: under an advisory lock on its identity, the row locked FOR UPDATE; SQLite:
under BEGIN IMMEDIATE's write lock), so that a
read-modify-write of one artefact, such as merging a partial item scheme into it, is one
atomic decision: a concurrent writer of the same artefact waits, then decides on the
result of this one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from sdmxnode.errors import Conflict
from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.records import CurrentArtefact
from sdmxnode.storage.tables import artefacts, references, series

#: What to store for one artefact, decided from the row stored under its identity now
#: (None: there is none): the record to store, or None to leave the store as it is.
Decide = Callable[[CurrentArtefact | None], ArtefactRecord | None]


def put_decided(conn: Connection, ref: ArtefactRef, decide: Decide, now: datetime) -> str:
    """Read (and on PostgreSQL lock) the row of `ref`, let `decide` say what to store, store
    it: 'created', 'updated' or 'unchanged' (also when the decision stores nothing)."""
    query = select(artefacts.c.xml, artefacts.c.is_final, artefacts.c.sdmx_ml).where(
        artefacts.c.type == ref.type,
        artefacts.c.agency_id == ref.agency_id,
        artefacts.c.id == ref.id,
        artefacts.c.version == ref.version,
    )
    if conn.dialect.name == "postgresql":
        # An artefact not stored yet has no row to lock: a transaction-level advisory lock
        # on its identity makes a second decision wait, then read the row the first made.
        identity = f"{ref.type}={ref.identity}"
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(identity, 0))))
        query = query.with_for_update()
    row = conn.execute(query).first()
    current = (
        None if row is None else CurrentArtefact(bytes(row.xml), bool(row.is_final), row.sdmx_ml)
    )
    record = decide(current)
    if record is None:
        return "unchanged"
    if record.ref != ref:
        raise ValueError(f"a decision for {ref} returned {record.ref}")
    return put_one(conn, record, False, now)


def put_one(conn: Connection, record: ArtefactRecord, keep_final: bool, now: datetime) -> str:
    """Insert or replace one artefact on `conn`: 'created', 'updated' or 'unchanged'."""
    digest = hashlib.sha256(record.xml).hexdigest()
    ref = record.ref
    existing = conn.execute(
        select(artefacts.c.pk, artefacts.c.digest, artefacts.c.is_final, artefacts.c.updated).where(
            artefacts.c.type == ref.type,
            artefacts.c.agency_id == ref.agency_id,
            artefacts.c.id == ref.id,
            artefacts.c.version == ref.version,
        )
    ).first()
    values = dict(
        is_final=record.is_final,
        name=record.name[:1000],
        sdmx_ml=record.sdmx_ml,
        xml=record.xml,
        digest=digest,
        updated=now,
    )
    if existing is None:
        pk = conn.execute(
            insert(artefacts).values(
                type=ref.type, agency_id=ref.agency_id, id=ref.id, version=ref.version, **values
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        outcome = "created"
    elif existing.digest == digest:
        return "unchanged"
    elif keep_final and existing.is_final:
        raise Conflict(
            f"{ref} is final and was changed meanwhile: final artefacts are "
            "immutable, publish a new version"
        )
    else:
        pk = existing.pk
        values["updated"] = max(now, existing.updated + timedelta(seconds=1))
        conn.execute(update(artefacts).where(artefacts.c.pk == pk).values(**values))
        conn.execute(delete(references).where(references.c.source_pk == pk))
        outcome = "updated"
    if record.references:
        conn.execute(
            insert(references),
            [
                dict(
                    source_pk=pk,
                    target_type=t.type,
                    target_agency_id=t.agency_id,
                    target_id=t.id,
                    target_version=t.version,
                )
                for t in sorted(record.references)
            ],
        )
    return outcome


def refuse_reshaped_data(
    conn: Connection, must_stay_empty: Mapping[ArtefactRef, Collection[int]]
) -> None:
    """Conflict if a dataflow whose data a replacement reshapes holds data by now.

    Runs after the replacements' updates: on PostgreSQL those hold the rows' exclusive
    locks, so a load that share-locked them first has committed (and is seen here) and a
    later one waits, then finds the artefact changed.
    """
    for ref, flow_pks in sorted(must_stay_empty.items()):
        if not flow_pks:
            continue
        holding = conn.execute(
            select(series.c.pk).where(series.c.dataflow_pk.in_(sorted(flow_pks))).limit(1)
        ).first()
        if holding is not None:
            raise Conflict(
                f"{ref} would change the structure of data stored while the request ran: "
                "delete that data first, or publish a new version"
            )
