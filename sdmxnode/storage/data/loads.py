"""The load records of the data tables: a dataflow's layout, each load's start and finish."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, insert, select, update

from sdmxnode.errors import SemanticError
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.data.writes import LoadCounts
from sdmxnode.storage.engine import upsert_insert
from sdmxnode.storage.tables import data_layouts, loads, observations, series
from sdmxnode.storage.times import now_utc


def start_load(
    conn: Connection,
    dataflow_pk: int,
    layout: Layout,
    *,
    action: str,
    principal: str,
    source: str,
    provider: str = "",
    conversion: str | None = None,
) -> int:
    """Record a load by `provider` (and the dataflow's layout on its first load); its pk."""
    # The first load of a dataflow records its layout. Two first loads at once (PostgreSQL
    # lets both in) must not both insert it: the second waits for the first's row, then
    # takes it as stored and compares, as any later load does.
    conn.execute(
        upsert_insert(conn, data_layouts)
        .values(dataflow_pk=dataflow_pk, dsd=layout.dsd, layout=layout.to_json(), updated=now_utc())
        .on_conflict_do_nothing(index_elements=["dataflow_pk"])
    )
    existing = conn.execute(
        select(data_layouts.c.layout).where(data_layouts.c.dataflow_pk == dataflow_pk)
    ).scalar_one()
    if Layout.from_json(existing) != layout:
        has_data = conn.execute(
            select(func.count()).select_from(series).where(series.c.dataflow_pk == dataflow_pk)
        ).scalar_one()
        if has_data:
            raise SemanticError(
                f"the dataflow's structure changed since its data was loaded "
                f"(stored for {Layout.from_json(existing).dsd}, now {layout.dsd}): "
                "delete its data before loading data of the new structure"
            )
        conn.execute(
            update(data_layouts)
            .where(data_layouts.c.dataflow_pk == dataflow_pk)
            .values(layout=layout.to_json(), dsd=layout.dsd)
        )
    inserted = conn.execute(
        insert(loads).values(
            dataflow_pk=dataflow_pk,
            action=action,
            started=now_utc(precise=True),
            principal=principal,
            source=source[:1000],
            provider=provider,
            conversion=conversion[:1000] if conversion else None,
        )
    ).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def finish_load(conn: Connection, load_pk: int, dataflow_pk: int, counts: LoadCounts) -> None:
    """Record a load as finished, with its counts, and mark when the dataflow's data changed."""
    finished = now_utc(precise=True)
    conn.execute(
        update(loads)
        .where(loads.c.pk == load_pk)
        .values(
            finished=finished,
            series_written=counts.series_written,
            observations_written=counts.observations_written,
            observations_deleted=counts.observations_deleted,
        )
    )
    conn.execute(
        update(data_layouts)
        .where(data_layouts.c.dataflow_pk == dataflow_pk)
        .values(updated=finished.replace(microsecond=0))
    )


def count_observations(conn: Connection, dataflow_pk: int) -> int:
    """How many observations a dataflow holds, on `conn`."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(observations.join(series, observations.c.series_pk == series.c.pk))
            .where(and_(series.c.dataflow_pk == dataflow_pk))
        ).scalar_one()
    )
