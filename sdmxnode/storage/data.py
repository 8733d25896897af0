"""The data tables of one database: transactions for loads, and what queries read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.errors import StorageError
from sdmxnode.storage.data_layout import Layout
from sdmxnode.storage.data_loads import count_observations, finish_load, start_load
from sdmxnode.storage.data_writes import DataflowWriter, LoadCounts, PeriodBounds
from sdmxnode.storage.tables import data_layouts, loads, observations, series


class DataTransaction:
    """One load: every data set of a message written on one connection, or none."""

    def __init__(self, conn: Connection, bounds: PeriodBounds, principal: str, source: str):
        self.conn = conn
        self.bounds = bounds
        self.principal = principal
        self.source = source
        self.writers: dict[int, DataflowWriter] = {}

    def writer(self, dataflow_pk: int, layout: Layout, action: str) -> DataflowWriter:
        """The writer of this load for a dataflow (the load is recorded on first use)."""
        found = self.writers.get(dataflow_pk)
        if found is None:
            load_pk = start_load(
                self.conn,
                dataflow_pk,
                layout,
                action=action,
                principal=self.principal,
                source=self.source,
            )
            found = self.writers[dataflow_pk] = DataflowWriter(
                self.conn, dataflow_pk, layout, load_pk, self.bounds
            )
        return found

    def close(self) -> None:
        """Let every writer's last batch finish and stop its worker thread."""
        for writer in self.writers.values():
            writer.close()

    def finish(self) -> dict[int, LoadCounts]:
        counts = {}
        for dataflow_pk, writer in self.writers.items():
            counts[dataflow_pk] = writer.finish()
            finish_load(self.conn, writer.load_pk, dataflow_pk, counts[dataflow_pk])
        return counts


class DataStore:
    """Data of the dataflows held in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(
        self, bounds: PeriodBounds, *, principal: str = "", source: str = ""
    ) -> Iterator[DataTransaction]:
        """A load transaction: committed if the block ends normally, else rolled back."""
        try:
            with self.engine.begin() as conn:
                transaction = DataTransaction(conn, bounds, principal, source)
                try:
                    yield transaction
                finally:
                    transaction.close()  # no insert runs on while the block ends
        except SQLAlchemyError as exc:
            raise StorageError(f"the load could not be written: {exc}") from exc

    def find_layout(self, dataflow_pk: int) -> Layout | None:
        with self.engine.connect() as conn:
            text = conn.execute(
                select(data_layouts.c.layout).where(data_layouts.c.dataflow_pk == dataflow_pk)
            ).scalar_one_or_none()
        return Layout.from_json(text) if text else None

    def dataset_attributes(self, dataflow_pk: int) -> dict[str, str]:
        """The data set level attribute values stored for a dataflow."""
        with self.engine.connect() as conn:
            text = conn.execute(
                select(data_layouts.c.dataset_attributes).where(
                    data_layouts.c.dataflow_pk == dataflow_pk
                )
            ).scalar_one_or_none()
        return json.loads(text) if text else {}

    def count_loads(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(loads)).scalar_one())

    def count_all_observations(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(observations)).scalar_one())

    def has_data(self, dataflow_pk: int) -> bool:
        """Whether the dataflow holds any observation (without counting them all)."""
        query = (
            select(observations.c.series_pk)
            .select_from(observations.join(series, observations.c.series_pk == series.c.pk))
            .where(series.c.dataflow_pk == dataflow_pk)
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def count_observations(self, dataflow_pk: int) -> int:
        with self.engine.connect() as conn:
            return count_observations(conn, dataflow_pk)
