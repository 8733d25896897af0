"""What a load overwrites or deletes: copied to `observation_history`, then removed.

The history answers `updatedAfter` (deletions) and `includeHistory` (earlier values); each
row says which load superseded it and whether it was deleted.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select, tuple_

from sdmxnode.storage.tables import observation_history, observations

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
