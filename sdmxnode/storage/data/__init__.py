"""The data tables of one database: transactions for loads, and what queries read.

This module holds the two faces the services use (`DataTransaction`, `DataReader`); the
SQL sits in its parts: `writes` (series and observations), `history` (what a change
replaced), `loads` (the load records), `layout` (the observation table per dataflow),
`reads` (queries) and `as_of` (queries of the past).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.errors import NotFound
from sdmxnode.storage.data import reads as data_reads
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.data.loads import count_observations, finish_load, start_load
from sdmxnode.storage.data.reads import DataSelection, StoredQuery
from sdmxnode.storage.data.statistics import refresh_series_statistics, worth_refreshing
from sdmxnode.storage.data.writes import DataflowWriter, LoadCounts, PeriodBounds
from sdmxnode.storage.engine import single_read
from sdmxnode.storage.failures import store_failure
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import (
    Derivation,
    StructureStore,
    keep_derivations,
    stored_artefact,
)
from sdmxnode.storage.tables import ATTRIBUTE_SEPARATOR, data_layouts, loads, observations, series
from sdmxnode.storage.writing import lock_artefacts, share_artefact, writing


class DataTransaction:
    """One load: every data set of a message written on one connection, or none."""

    def __init__(self, conn: Connection, bounds: PeriodBounds, principal: str, source: str):
        self.conn = conn
        self.bounds = bounds
        self.principal = principal
        self.source = source
        self.writers: dict[int, DataflowWriter] = {}

    def writer(
        self,
        dataflow_pk: int,
        layout: Layout,
        action: str,
        depends: Collection[tuple[int, str]] = (),
        provider: str = "",
        conversion: str | None = None,
    ) -> DataflowWriter:
        """The writer of this load for a dataflow (the load is recorded on first use, as
        reported by the data provider `provider`, AGENCY:ID or '' unattributed, with how
        its data were converted, `conversion`, if they were).

        On first use the dataflow's row is share-locked (a DELETE of it waits for this load
        and then finds its data), and so are the artefacts `depends` names by (pk, digest),
        those the data was checked against: NotFound if the dataflow or one of them was
        deleted meanwhile, Conflict if one was replaced.
        """
        found = self.writers.get(dataflow_pk)
        if found is None:
            if not share_artefact(self.conn, dataflow_pk):
                raise NotFound(
                    "the dataflow was deleted while the data was loading: nothing was written"
                )
            lock_artefacts(self.conn, depends)
            load_pk = start_load(
                self.conn,
                dataflow_pk,
                layout,
                action=action,
                principal=self.principal,
                source=self.source,
                provider=provider,
                conversion=conversion,
            )
            found = self.writers[dataflow_pk] = DataflowWriter(
                self.conn, dataflow_pk, layout, load_pk, self.bounds, provider
            )
        return found

    def close(self) -> None:
        """Let every writer's last batch finish and stop its worker thread."""
        for writer in self.writers.values():
            writer.close()

    def keep_derivations(self, derivations: Sequence[Derivation]) -> None:
        """Keep what the load derived from the structures (its StructureInfo), with it."""
        keep_derivations(self.conn, derivations)

    def finish(self) -> dict[int, LoadCounts]:
        """Finish the load of every dataflow written: its counts per dataflow pk."""
        counts = {}
        for dataflow_pk, writer in self.writers.items():
            counts[dataflow_pk] = writer.finish()
            finish_load(self.conn, writer.load_pk, dataflow_pk, counts[dataflow_pk])
        return counts


class DataReader:
    """Reads of the data tables on one connection, which the DataStore opens and closes."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def stream(self, query: StoredQuery, batch: int = 2000) -> Iterator[tuple]:
        """The rows of `query`, fetched in batches of `batch` as they are consumed."""
        return data_reads.stream(self._conn, query, batch)

    def stream_batches(self, query: StoredQuery, batch: int = 2000) -> Iterator[Sequence[tuple]]:
        """The rows of `query` as `stream` reads them, in the driver's batches (lists of at
        most `batch` records, none empty)."""
        return data_reads.stream_batches(self._conn, query, batch)

    def count_up_to(self, query: StoredQuery, limit: int) -> int:
        """The number of rows of `query`, counting no further than `limit`."""
        return data_reads.count_up_to(self._conn, query, limit)

    def last_change(self, dataflow_pk: int) -> datetime | None:
        """When the data of a dataflow last changed (None: it never held any)."""
        return data_reads.last_change(self._conn, dataflow_pk)

    def dataflows_with_data(self) -> list[tuple[int, datetime, int]]:
        """The dataflows holding observations: pk, naive UTC time of their last change, pk
        of the last load that changed them."""
        return data_reads.dataflows_with_data(self._conn)

    def last_load(self, dataflow_pk: int) -> int | None:
        """The pk of the last finished load of a dataflow's data (None: none): what tells
        apart two loads within the second `last_change` resolves."""
        return data_reads.last_load(self._conn, dataflow_pk)

    def list_loads(self, dataflow_pk: int) -> list[tuple[int, datetime]]:
        """The committed loads of a dataflow, oldest first: (load pk, when it finished)."""
        return data_reads.list_loads(self._conn, dataflow_pk)

    def summarise(
        self, dataflow_pk: int, selection: DataSelection
    ) -> tuple[int, int, str | None, str | None]:
        """Series count, observation count, first period start, last period end."""
        return data_reads.summarise(self._conn, dataflow_pk, selection)

    def providers(self, dataflow_pk: int, selection: DataSelection) -> list[str]:
        """The data providers ('AGENCY:ID', '' unattributed) of the matching data, sorted."""
        return data_reads.distinct_providers(self._conn, dataflow_pk, selection)

    def held_providers(self, dataflow_pk: int) -> list[str]:
        """The data providers of every series of a dataflow, sorted."""
        return data_reads.held_providers(self._conn, dataflow_pk)

    def distinct_values(
        self, dataflow_pk: int, selection: DataSelection, position: int
    ) -> list[str]:
        """The values of key dimension `position` among series with matching observations."""
        return data_reads.distinct_values(self._conn, dataflow_pk, selection, position)


@dataclass(frozen=True)
class DataState:
    """What a dataflow's data row says: its layout, data set attributes, when its data last
    changed (naive UTC) and its last finished load (None: none recorded); with the
    structure store's generation read in the same statement (None: not read)."""

    layout: Layout
    dataset_attributes: dict[str, str]
    updated: datetime | None
    last_load: int | None
    generation: int | None = None
    #: The dataflow's `reads.data_mark` read with the state: the same text read again
    #: with an answer's records (`DataStore.marked_records`) says the state still holds.
    mark: str | None = None


@dataclass(frozen=True)
class ProviderHoldings:
    """One provider's data in one dataflow: series and observations held, and when its
    last load there finished (naive UTC; None if none recorded)."""

    dataflow_pk: int
    provider: str  # 'AGENCY:ID', '' unattributed
    series: int
    observations: int
    last_load: datetime | None = None


def _data_state(values: tuple) -> DataState | None:
    """The DataState of a row of `reads.data_state`'s columns (None: no data layout)."""
    layout, attributes, updated, last_load, generation, mark = values
    if not layout:
        return None
    return DataState(
        layout=Layout.from_json(layout),
        dataset_attributes=json.loads(attributes) if attributes else {},
        updated=updated,
        last_load=last_load,
        generation=int(generation),
        mark=mark,
    )


def in_batches(records: Sequence[tuple], batch: int = 2000) -> Iterator[Sequence[tuple]]:
    """Records read at once, in batches of at most `batch`, as streamed ones come."""
    for start in range(0, len(records), batch):
        yield records[start : start + batch]


class DataStore:
    """Data of the dataflows held in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def sharing(cls, store: StructureStore) -> DataStore:
        """The data tables of the database `store` uses, on its engine (one connection pool)."""
        return cls(store.engine)

    @contextmanager
    def reading(self) -> Iterator[DataReader]:
        """A reader on one connection, open for the block: a generator that streams through
        it keeps the connection until the generator is finished or closed. (A data answer's
        records are read by `record_batches`, one statement outside a transaction where it
        can.)"""
        with self.engine.connect() as conn:
            yield DataReader(conn)

    def record_batches(
        self,
        query: Callable[[], StoredQuery],
        batch: int = 2000,
        *,
        whole: bool = False,
        probe: int = 0,
        small: Callable[[], StoredQuery] | None = None,
    ) -> Iterator[Sequence[tuple]]:
        """The records of the query `query` builds (built only when it is read), in batches
        of at most `batch` (none empty). With `whole`,
        for an answer known to be small, read at once in one statement (`reads.read_all`),
        the connection back in the pool before the first batch is given. Else streamed on
        a connection of their own, held until the generator ends; with `probe`, on
        PostgreSQL, an answer of at most `probe` records is first tried as one statement
        (`reads.read_all`: one round trip, a prepared plan), and only a larger one is then
        streamed through a server-side cursor, from its start, in a snapshot of its own.
        SQLite steps through its result lazily at no such cost. `small`: what builds the
        form of the query planned for a small answer (the same rows in the same order),
        which the try reads instead (building a data query costs SQLAlchemy 0.2 to 0.3 ms:
        only the one read is built)."""
        records: list[tuple] | None = None
        if whole:
            with single_read(self.engine) as conn:
                records = data_reads.read_all(conn, query())
        elif probe and self.engine.dialect.name == "postgresql":
            with single_read(self.engine) as conn:
                records = data_reads.read_all(conn, (small or query)(), probe)
        if records is not None:
            yield from in_batches(records, batch)
            return
        with self.engine.connect() as conn:
            yield from data_reads.stream_batches(conn, query(), batch)

    def marked_records(
        self, query: StoredQuery, dataflow_pk: int
    ) -> tuple[list[tuple], str | None]:
        """The records of `query` read at once in one statement, with the dataflow's data
        mark (`reads.data_mark`) read in the same statement (None when no record came to
        carry it): an answer planned from a data state read before is sent only if the
        mark is that state's."""
        with single_read(self.engine) as conn:
            found = data_reads.read_all(conn, data_reads.marked(conn, query, dataflow_pk))
        assert found is not None  # read_all gives None only when given a most
        if not found:
            return found, None
        return [record[:-1] for record in found], found[0][-1]

    @contextmanager
    def transaction(
        self, bounds: PeriodBounds, *, principal: str = "", source: str = ""
    ) -> Iterator[DataTransaction]:
        """A load transaction: committed if the block ends normally, else rolled back."""
        try:
            with writing(self.engine) as conn:
                transaction = DataTransaction(conn, bounds, principal, source)
                try:
                    yield transaction
                finally:
                    transaction.close()  # no insert runs on while the block ends
        except SQLAlchemyError as exc:
            raise store_failure(exc, "write the load") from exc
        if any(
            worth_refreshing(writer.held_series, writer.added_series)
            for writer in transaction.writers.values()
        ):
            refresh_series_statistics(self.engine)

    def find_layout(self, dataflow_pk: int) -> Layout | None:
        """The stored row layout of a dataflow's data, or None when it never held data."""
        with self.engine.connect() as conn:
            text = conn.execute(
                select(data_layouts.c.layout).where(data_layouts.c.dataflow_pk == dataflow_pk)
            ).scalar_one_or_none()
        return Layout.from_json(text) if text else None

    def data_state(self, dataflow_pk: int) -> DataState | None:
        """A dataflow's layout, data set attributes, time of change and last load, with the
        structure store's generation, read in one statement (a data answer's plan needs
        them all); None when it never held data."""
        with single_read(self.engine) as conn:
            row = data_reads.data_state(conn, dataflow_pk)
        return None if row is None else _data_state(tuple(row))

    def find_dataflows_with_state(
        self, agencies: Collection[str] | None, ids: Collection[str] | None
    ) -> list[tuple[StoredArtefact, DataState | None]]:
        """The dataflows of these agencies and ids (None: any), in `find_artefacts`' order,
        each with its `data_state` (None: it never held data), read in one statement."""
        with single_read(self.engine) as conn:
            rows = data_reads.dataflows_with_state(conn, agencies, ids)
        width = len(data_reads.STATE_LABELS)
        return [(stored_artefact(row), _data_state(tuple(row)[-width:])) for row in rows]

    def dataset_attributes(self, dataflow_pk: int) -> dict[str, str]:
        """The data set level attribute values stored for a dataflow."""
        with self.engine.connect() as conn:
            text = conn.execute(
                select(data_layouts.c.dataset_attributes).where(
                    data_layouts.c.dataflow_pk == dataflow_pk
                )
            ).scalar_one_or_none()
        return json.loads(text) if text else {}

    def held_series_attributes(
        self,
        dataflow_pk: int,
        series_keys: Collection[str],
        batch: int = 500,
        *,
        provider: str | None = None,
    ) -> dict[str, frozenset[str]]:
        """For each of `series_keys` the dataflow holds (of `provider` only, if given): the
        ids of the series attributes it holds a value for (one query per `batch` keys)."""
        of_provider = [series.c.provider == provider] if provider is not None else []
        layout = self.find_layout(dataflow_pk)
        if layout is None or not layout.series_attributes:
            return {}
        names = layout.series_attributes
        keys = sorted(series_keys)
        held: dict[str, frozenset[str]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), batch):
                rows = conn.execute(
                    select(series.c.series_key, series.c.attributes).where(
                        series.c.dataflow_pk == dataflow_pk,
                        series.c.series_key.in_(keys[start : start + batch]),
                        *of_provider,
                    )
                )
                for key, attributes in rows:
                    values = (attributes or "").split(ATTRIBUTE_SEPARATOR)
                    held[key] = frozenset(n for n, v in zip(names, values, strict=False) if v)
        return held

    def count_loads(self) -> int:
        """How many loads the store has recorded."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(loads)).scalar_one())

    def count_all_observations(self) -> int:
        """How many observations the store holds, over every dataflow."""
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

    def provider_holdings(self, dataflow_pk: int | None = None) -> list[ProviderHoldings]:
        """What each data provider holds in each dataflow (series, observations) and when
        its data there last changed, for every (dataflow, provider) with data or loads (of
        one dataflow if given)."""
        held = (
            select(
                series.c.dataflow_pk,
                series.c.provider,
                func.count(func.distinct(series.c.pk)).label("series"),
                func.count(observations.c.series_pk).label("observations"),
            )
            .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
            .group_by(series.c.dataflow_pk, series.c.provider)
        )
        latest = select(
            loads.c.dataflow_pk, loads.c.provider, func.max(loads.c.finished).label("finished")
        ).group_by(loads.c.dataflow_pk, loads.c.provider)
        if dataflow_pk is not None:
            held = held.where(series.c.dataflow_pk == dataflow_pk)
            latest = latest.where(loads.c.dataflow_pk == dataflow_pk)
        found: dict[tuple[int, str], ProviderHoldings] = {}
        try:
            with self.engine.connect() as conn:
                for row in conn.execute(held):
                    key = (row.dataflow_pk, row.provider or "")
                    found[key] = ProviderHoldings(key[0], key[1], row.series, row.observations)
                for row in conn.execute(latest):
                    key = (row.dataflow_pk, row.provider or "")
                    before = found.get(key, ProviderHoldings(key[0], key[1], 0, 0))
                    found[key] = ProviderHoldings(
                        key[0], key[1], before.series, before.observations, row.finished
                    )
        except SQLAlchemyError as exc:
            raise store_failure(exc, "count the data per provider") from exc
        return sorted(found.values(), key=lambda h: (h.dataflow_pk, h.provider))

    def count_observations(self, dataflow_pk: int) -> int:
        """How many observations a dataflow holds."""
        with self.engine.connect() as conn:
            return count_observations(conn, dataflow_pk)
