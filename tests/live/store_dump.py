"""What a store holds, as counts and a content digest, read through a connection of its own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.tables import (
    data_layouts,
    loads,
    observation_history,
    observations,
    series,
)


@dataclass(frozen=True)
class StoreDump:
    """Row counts of the data tables and a SHA-256 over their content."""

    series: int
    observations: int
    loads: int
    history: int
    digest: str


def dump_store(database_url: str) -> StoreDump:
    """Read every data table in one transaction: observations with their series keys,
    series attributes, loads (with whether they finished), layouts and history counts."""
    engine = create_store_engine(database_url)
    digest = hashlib.sha256()
    try:
        with engine.begin() as conn:
            counts = {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (
                    ("series", series),
                    ("observations", observations),
                    ("loads", loads),
                    ("history", observation_history),
                )
            }
            queries = [
                select(
                    series.c.dataflow_pk,
                    series.c.series_key,
                    observations.c.period,
                    observations.c.value,
                    observations.c.attributes,
                    observations.c.load_pk,
                )
                .join(series, series.c.pk == observations.c.series_pk)
                .order_by(series.c.dataflow_pk, series.c.series_key, observations.c.period),
                select(series.c.dataflow_pk, series.c.series_key, series.c.attributes).order_by(
                    series.c.dataflow_pk, series.c.series_key
                ),
                select(
                    loads.c.pk,
                    loads.c.dataflow_pk,
                    loads.c.action,
                    loads.c.finished.is_not(None),
                    loads.c.source,
                    loads.c.series_written,
                    loads.c.observations_written,
                    loads.c.observations_deleted,
                ).order_by(loads.c.pk),
                select(
                    data_layouts.c.dataflow_pk,
                    data_layouts.c.layout,
                    data_layouts.c.dataset_attributes,
                    data_layouts.c.updated,
                ).order_by(data_layouts.c.dataflow_pk),
            ]
            for query in queries:
                for row in conn.execute(query):
                    digest.update(repr(tuple(row)).encode())
                digest.update(b"\x00")
    finally:
        engine.dispose()
    return StoreDump(digest=digest.hexdigest(), **counts)
