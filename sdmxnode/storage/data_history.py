"""What a load overwrites or deletes: copied to `observation_history`, then replaced or
removed.

The history answers `updatedAfter` (deletions) and `includeHistory` (earlier values); each
row says which load superseded it and whether it was deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Connection,
    and_,
    delete,
    false,
    insert,
    literal,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite

from sdmxnode.storage.tables import (
    STAGED_OBSERVATIONS_DDL,
    observation_history,
    observations,
    staged_observations,
)

#: Keys per statement: bounds the number of bound parameters of one IN list.
CHUNK = 500


def keep_history(
    conn: Connection, keys: Sequence[tuple[int, str]], *, load_pk: int, deleted: bool
) -> int:
    """Copy the current state of the observations with these (series pk, period) keys to
    the history, as superseded (or deleted) by load `load_pk`; how many existed."""
    kept = 0
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = conn.execute(
            select(
                observations.c.series_pk,
                observations.c.period,
                observations.c.value,
                observations.c.attributes,
                observations.c.load_pk,
            ).where(tuple_(observations.c.series_pk, observations.c.period).in_(chunk))
        ).all()
        if rows:
            conn.execute(
                insert(observation_history),
                [
                    {
                        "series_pk": r.series_pk,
                        "period": r.period,
                        "value": r.value,
                        "attributes": r.attributes,
                        "load_pk": r.load_pk,
                        "superseded_by": load_pk,
                        "deleted": deleted,
                    }
                    for r in rows
                ],
            )
        kept += len(rows)
    return kept


def series_periods(conn: Connection, series_pk: int) -> list[str]:
    """The periods a series holds observations for."""
    return list(
        conn.execute(
            select(observations.c.period).where(observations.c.series_pk == series_pk)
        ).scalars()
    )


def delete_observations(
    conn: Connection, deletions: Sequence[tuple[int, str | None]], *, load_pk: int
) -> int:
    """Delete the observations named by (series pk, period) — a pair without a period names
    its whole series — keeping their last state in the history; how many existed."""
    named = [(pk, period) for pk, period in deletions if period]
    for pk in {pk for pk, period in deletions if not period}:
        named.extend((pk, p) for p in series_periods(conn, pk))
    keys = sorted(set(named))  # type: ignore[arg-type]
    if not keys:
        return 0
    existing = keep_history(conn, keys, load_pk=load_pk, deleted=True)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        conn.execute(
            delete(observations).where(
                tuple_(observations.c.series_pk, observations.c.period).in_(chunk)
            )
        )
    return existing


#: The columns of an observation row, as `overwrite_observations` takes them.
OBSERVATION_COLUMNS = (
    "series_pk",
    "period",
    "period_start",
    "period_end",
    "value",
    "attributes",
    "load_pk",
)


def prepare_staging(conn: Connection) -> None:
    """Create the staging table of `overwrite_observations` on this connection (for the
    transaction on PostgreSQL) unless it is there."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(STAGED_OBSERVATIONS_DDL + " ON COMMIT DROP")
    else:
        conn.exec_driver_sql(STAGED_OBSERVATIONS_DDL)


def overwrite_observations(conn: Connection, rows: Sequence[tuple], *, load_pk: int) -> None:
    """Write observation rows (`OBSERVATION_COLUMNS`, at most one per key) whether or not
    they are stored: the stored state of those that are goes to the history as superseded
    by load `load_pk`, then all are inserted or updated. The rows are staged in a temporary
    table (`prepare_staging` first), so the history and the upsert are a statement each."""
    # TRUNCATE: a DELETE would leave the dead rows of every batch for the next ones to scan.
    # SQLite truncates on a DELETE without WHERE.
    empty = "TRUNCATE" if conn.dialect.name == "postgresql" else "DELETE FROM"
    conn.exec_driver_sql(f"{empty} staged_observations")
    _stage(conn, rows)
    stored, staged = observations.c, staged_observations.c
    conn.execute(
        insert(observation_history).from_select(
            ["series_pk", "period", "value", "attributes", "load_pk", "superseded_by", "deleted"],
            select(
                stored.series_pk,
                stored.period,
                stored.value,
                stored.attributes,
                stored.load_pk,
                literal(load_pk),
                false(),
            ).select_from(
                staged_observations.join(
                    observations,
                    and_(stored.series_pk == staged.series_pk, stored.period == staged.period),
                )
            ),
        )
    )
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    upsert = module.insert(observations).from_select(
        list(OBSERVATION_COLUMNS),
        # WHERE: SQLite would read the ON of ON CONFLICT as a join's without one.
        select(*(staged[c] for c in OBSERVATION_COLUMNS)).where(true()),
    )
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[stored.series_pk, stored.period],
            set_={c: upsert.excluded[c] for c in OBSERVATION_COLUMNS[2:]},
        )
    )


def _stage(conn: Connection, rows: Sequence[tuple]) -> None:
    """Fill the staging table: COPY on PostgreSQL, one executemany on SQLite."""
    columns = ", ".join(OBSERVATION_COLUMNS)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:  # type: ignore[attr-defined]
            with cursor.copy(f"COPY staged_observations ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["?"] * len(OBSERVATION_COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO staged_observations ({columns}) VALUES ({marks})", rows)
