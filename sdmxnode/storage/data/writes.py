"""Writing data in one transaction: series, observations, history and the load record.

Actions follow SDMX: Information, Append and Merge add or update observations; Replace
first removes every observation of each series it names (SDMX 3.0; an SDMX 2.1 Replace,
`replace_series=False`, replaces the observations sent and leaves the rest of the series);
Delete removes the observations named (a row without a period removes its whole series).
What an update or delete overwrites is kept in `observation_history`, which answers
`updatedAfter`, `includeHistory` and `asOf`. A dataflow's first load only inserts, so it
never reads back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    func,
    select,
    text,
    update,
)

from sdmxnode.storage.data.history import (
    MADE_TEXT,
    OBSERVATION_COLUMNS,
    CopyStream,
    copy_rows,
    overwrite_observations,
    prepare_staging,
)
from sdmxnode.storage.data.history import delete_observations as delete_stored
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.tables import (
    ATTRIBUTE_SEPARATOR,
    data_layouts,
    observations,
    series,
)

BATCH_SIZE = 5000
#: PostgreSQL: new series held back while observations stream (`DataflowWriter._insert`),
#: at most this many before they are copied.
SERIES_HELD = 4096
PeriodBounds = Callable[[str], tuple[str, str]]


def join_values(values: Iterable[str | None]) -> str | None:
    """Values of a layout joined by the separator; None when all are missing."""
    parts = ["" if v is None else v for v in values]
    return ATTRIBUTE_SEPARATOR.join(parts) if any(parts) else None


@dataclass
class LoadCounts:
    """What one load did to one dataflow: series and observations written, deleted."""

    series_written: int = 0
    observations_written: int = 0
    observations_deleted: int = 0


@dataclass
class DataflowWriter:
    """Writes the data sets of one load of one dataflow on an open transaction, as the
    data of one provider (`provider`, AGENCY:ID; '' unattributed): its series are that
    provider's, apart from the same keys of other providers.

    Series first seen in this load get their primary key at once, from a block reserved
    for this writer (`reserve_series_pks`), and are inserted in batches, with their
    attributes, on the worker thread just before the observations that use them. On
    PostgreSQL, which ties observations to their series by a trigger, not a key
    (`storage.upgrades`), the observations of new series go through one COPY across
    batches (`CopyStream`), and their series wait to be copied until it ends: when the
    connection is needed for anything else (`_release`), or at the end of a data set.
    """

    conn: Connection
    dataflow_pk: int
    layout: Layout
    load_pk: int
    bounds: PeriodBounds
    provider: str = ""
    counts: LoadCounts = field(default_factory=LoadCounts)
    _series: dict[str, int] = field(default_factory=dict)
    _series_attributes: dict[int, str | None] = field(default_factory=dict)
    _changed_series: set[int] = field(default_factory=set)
    _new_series: set[int] = field(default_factory=set)
    _unsaved: dict[int, tuple[str, tuple]] = field(default_factory=dict)  # pk -> key, dims
    _reserved: list[int] = field(default_factory=list)  # series pks reserved, not yet given
    _bounds_cache: dict[str, tuple[str, str]] = field(default_factory=dict)
    _replacing: list[int] = field(default_factory=list)  # series to clear before the batch
    _staging: bool = False  # whether the staging tables are prepared
    #: The write of the previous batch, running while the next batch is parsed.
    _inserting: Future[object] | None = None
    _inserter: ThreadPoolExecutor | None = None
    #: PostgreSQL: the observations' COPY (open across batches) and the series it waits for.
    _stream: CopyStream | None = None
    _held_series: list[tuple] = field(default_factory=list)
    #: How many series of the dataflow (and provider) the store held before the load.
    held_series: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        rows = self.conn.execute(
            select(series.c.series_key, series.c.pk, series.c.attributes).where(
                series.c.dataflow_pk == self.dataflow_pk, series.c.provider == self.provider
            )
        )
        for key, pk, attributes in rows:
            self._series[key] = pk
            self._series_attributes[pk] = attributes
        self.held_series = len(self._series)
        if self.conn.dialect.name == "postgresql":
            self._stream = CopyStream(
                self.conn, observations.name, OBSERVATION_COLUMNS, text_known=MADE_TEXT
            )

    @property
    def added_series(self) -> int:
        """How many series this load added to the store so far."""
        return len(self._new_series)

    # C901 allowed: the loop over every row of a load, kept in one function
    # (a function call per row costs more than the branches it would hide).
    def write(  # noqa: C901
        self,
        columns: Sequence[str],
        rows: Iterable[tuple],
        action: str,
        action_column: int | None = None,
        *,
        replace_series: bool = True,
    ) -> None:
        """Write one data set's rows (see `DatasetRows`) with its action. A Replace clears
        each series it names first when `replace_series` (SDMX 3.0); else (SDMX 2.1, whose
        replacement "occurs at the level of the observation") it writes as Merge does."""
        index = {c: i for i, c in enumerate(columns)}
        layout = self.layout
        dims_of = _getter(index, layout.dimensions)
        time = index.get(layout.time_dimension) if layout.time_dimension else None
        measures_of = _getter(index, layout.measures)
        # The common layouts read without a getter's tuple: one measure given by the data
        # set, at most one observation attribute.
        measure_at = index.get(layout.measures[0]) if len(layout.measures) == 1 else None
        series_attributes_of = _getter(index, layout.series_attributes)
        observation_attributes_of = _getter(index, layout.observation_attributes)
        attribute_at = (
            index.get(layout.observation_attributes[0])
            if len(layout.observation_attributes) == 1
            else None
        )
        joined_attributes: dict[tuple, str | None] = {}
        bounds_cache = self._bounds_cache
        load_pk = self.load_pk
        pending: list[tuple] = []
        deletions: list[tuple[int, str | None]] = []
        replaced: set[int] = set()
        # Series with rows in pending (the current run's is added when the run ends).
        pending_series: set[int] = set()
        last_dims: tuple | None = None
        last_series_attributes: tuple | None = None
        key = ""
        pk = 0
        for row in rows:
            row_action = action
            if action_column is not None and row[action_column]:
                row_action = _ACTION_CODES.get(row[action_column], action)
            dims = dims_of(row)
            if dims != last_dims:
                key = ".".join("" if v is None else v for v in dims)
                last_dims = dims
                last_series_attributes = None
                pending_series.add(pk)
                pk = 0
            period = row[time] if time is not None else ""
            if row_action == "Delete":
                found = self._series.get(key)
                if found is not None:
                    deletions.append((found, period))
                last_dims = None  # the next row looks its series up again
                continue
            if not pk:
                pk = self._series_pk(key, dims)
            values = series_attributes_of(row)
            if values != last_series_attributes:
                last_series_attributes = values
                self._set_series_attributes(pk, values)
            if row_action == "Replace" and replace_series and pk not in replaced:
                if pk not in self._new_series and pk not in self._unsaved:
                    # The series is cleared just before the next batch is written; rows of
                    # it pending already are written first, as Replace removes them too.
                    replaced.add(pk)
                    if pk in pending_series or (pending and pending[-1][0] == pk):
                        self._flush(pending)
                        pending = []
                        pending_series.clear()
                    self._replacing.append(pk)
            if period is None:  # attributes-only row for a key
                continue
            value = row[measure_at] if measure_at is not None else join_values(measures_of(row))
            if attribute_at is not None:
                attributes = row[attribute_at] or None  # one value: joined, it is itself
            else:
                observed = observation_attributes_of(row)
                try:
                    attributes = joined_attributes[observed]
                except KeyError:
                    attributes = joined_attributes[observed] = join_values(observed)
            bounds = bounds_cache.get(period)
            if bounds is None:
                bounds = self._period_bounds(period)
            start, end = bounds
            pending.append((pk, period, start, end, value, attributes, load_pk))
            if len(pending) >= BATCH_SIZE:
                self._flush(pending)
                pending = []
                pending_series.clear()
        self._flush(pending)
        if deletions:
            self._delete(deletions)
        self._settle()

    def _wait(self) -> None:
        """Let the previous batch's insert finish (raising its error) before the
        connection is used again: the connection is never used by two threads at once."""
        if self._inserting is not None:
            inserting, self._inserting = self._inserting, None
            inserting.result()

    def _release(self) -> None:
        """Let the worker finish and end the observations' COPY: the connection is free
        (the held series may still be unwritten)."""
        self._wait()
        if self._stream is not None:
            self._stream.close()

    def _settle(self) -> None:
        """`_release`, and write the held series: the tables hold every row sent."""
        self._release()
        self._write_held_series()

    def _write_held_series(self) -> None:
        held, self._held_series = self._held_series, []
        self._insert_series(held)

    def _in_background(self, write: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Write a batch on a worker thread: the database driver releases the GIL while it
        writes, so parsing and checking the next batch overlap it."""
        self._wait()
        if self._inserter is None:
            self._inserter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdmxnode-load")
        self._inserting = self._inserter.submit(write, *args, **kwargs)

    def close(self) -> None:
        """Wait for the last batch, end the observations' COPY and stop the worker thread
        (what `finish` writes is not written: a load that fails calls only this)."""
        try:
            self._release()
        finally:
            if self._inserter is not None:
                self._inserter.shutdown(wait=True)
                self._inserter = None

    def delete_observations(self, keys: Select) -> None:
        """Delete the observations whose (series pk, period) `keys` selects, keeping their
        last state in the history as deleted by this load (as Delete actions are)."""
        self._delete(keys)

    def set_dataset_attributes(self, values: dict[str, str]) -> None:
        """Store the data set's attributes that the dataflow's layout keeps."""
        self._settle()
        wanted = {k: v for k, v in values.items() if k in self.layout.dataset_attributes}
        if not wanted:
            return
        current = self.conn.execute(
            select(data_layouts.c.dataset_attributes).where(
                data_layouts.c.dataflow_pk == self.dataflow_pk
            )
        ).scalar_one_or_none()
        merged = {**json.loads(current or "{}"), **wanted}
        self.conn.execute(
            update(data_layouts)
            .where(data_layouts.c.dataflow_pk == self.dataflow_pk)
            .values(dataset_attributes=json.dumps(merged, sort_keys=True))
        )

    def finish(self) -> LoadCounts:
        """Write the changed series attributes; the counts of this load."""
        self.close()
        self._write_held_series()
        self._save_series()
        changed = [
            {"b_pk": pk, "b_attributes": self._series_attributes[pk]}
            for pk in sorted(self._changed_series)
        ]
        if changed:
            self.conn.execute(
                update(series)
                .where(series.c.pk == bindparam("b_pk"))
                .values(attributes=bindparam("b_attributes")),
                changed,
            )
        self.counts.series_written = len(self._changed_series | self._new_series)
        return self.counts

    # -- internals ---------------------------------------------------------------------

    def _period_bounds(self, period: str) -> tuple[str, str]:
        found = self._bounds_cache.get(period)
        if found is None:
            found = self._bounds_cache[period] = self.bounds(period)
        return found

    def _series_pk(self, key: str, values: tuple) -> int:
        """The series' pk; for a series new to the store, the next one reserved, the series
        to be inserted with the next batch."""
        pk = self._series.get(key)
        if pk is not None:
            return pk
        if not self._reserved:
            self._release()  # the worker thread may be using the connection
            # Blocks grow with the load (16 to 4,096): few round trips for a large load,
            # few keys left unused by a small one.
            block = min(4096, max(16, len(self._series) - self.held_series))
            self._reserved = reserve_series_pks(self.conn, block)
            self._reserved.reverse()  # given from the end: in ascending order
        pk = self._reserved.pop()
        self._unsaved[pk] = (key, values)
        self._series[key] = pk
        self._series_attributes[pk] = None
        return pk

    def _set_series_attributes(self, pk: int, values: tuple) -> None:
        if not any(v is not None for v in values):
            return
        old = self._series_attributes.get(pk)
        merged: Iterable[str | None] = values
        if old is not None:
            previous = old.split(ATTRIBUTE_SEPARATOR)
            merged = [
                v if v is not None else (p or None) for v, p in zip(values, previous, strict=True)
            ]
        joined = join_values(merged)
        if joined != old:
            self._series_attributes[pk] = joined
            if pk not in self._unsaved:  # stored, or inserted with a batch already
                self._changed_series.add(pk)

    def _unsaved_series(self) -> list[tuple]:
        """The rows of the series first seen since the last call, with their attributes,
        in `series_columns`; they count as saved from now on."""
        if not self._unsaved:
            return []
        records = [
            (pk, self.dataflow_pk, self.provider, key, self._series_attributes[pk], *values)
            for pk, (key, values) in self._unsaved.items()
        ]
        self._new_series.update(self._unsaved)
        self._unsaved.clear()
        return records

    def _save_series(self) -> None:
        """Insert the series first seen since the last call (on this thread)."""
        self._insert_series(self._unsaved_series())

    def _insert_series(self, records: list[tuple]) -> None:
        """Insert rows of `_unsaved_series` (none: nothing to do)."""
        if records:
            # The key, its provider and the joined attributes are the writer's own text.
            known = ("provider", "series_key", "attributes")
            copy_rows(self.conn, series.name, self.series_columns, records, text_known=known)

    @property
    def series_columns(self) -> tuple[str, ...]:
        """The columns of the series rows `_unsaved_series` gives."""
        dimensions = tuple(f"d{i}" for i in range(len(self.layout.dimensions)))
        return ("pk", "dataflow_pk", "provider", "series_key", "attributes", *dimensions)

    def _flush(self, pending: list[tuple]) -> None:
        """Write a batch (after clearing the series a Replace named since the last one), on
        the worker thread, the series new since the last batch first: a plain insert when
        it only holds series new to the store."""
        if not pending and not self._replacing:
            return
        self._wait()
        new_rows = self._unsaved_series()
        self.counts.observations_written += len(pending)
        replacing, self._replacing = self._replacing, []
        new_series = self._new_series
        if not replacing and all(row[0] in new_series for row in pending):
            self._in_background(self._insert, new_rows, pending)
            return
        self._settle()
        self._insert_series(new_rows)
        self._prepare_staging()
        # One row per key, the last sent (as successive updates would leave it).
        rows = list({(row[0], row[1]): row for row in pending}.values())
        self._in_background(self._overwrite, rows, replacing)

    def _insert(self, new_series: list[tuple], rows: list[tuple]) -> None:
        """Insert new series, then observations of new series (run by the worker thread);
        on PostgreSQL, hold the series back and send the observations to the open COPY."""
        stream = self._stream
        if stream is None:
            self._insert_series(new_series)
            copy_rows(self.conn, observations.name, OBSERVATION_COLUMNS, rows, text_known=MADE_TEXT)
            return
        self._held_series.extend(new_series)
        if len(self._held_series) >= SERIES_HELD:
            stream.close()
            self._write_held_series()
        stream.write(rows)

    def _overwrite(self, rows: list[tuple], replacing: list[int]) -> None:
        """Clear the series of `replacing`, then write `rows` over what is stored (run by
        the worker thread)."""
        if replacing:
            self.counts.observations_deleted += delete_stored(
                self.conn, [(pk, None) for pk in replacing], load_pk=self.load_pk
            )
        if rows:
            overwrite_observations(self.conn, rows, load_pk=self.load_pk)

    def _prepare_staging(self) -> None:
        if not self._staging:
            prepare_staging(self.conn)
            self._staging = True

    def _delete(self, deletions: list[tuple[int, str | None]] | Select) -> None:
        self._settle()
        self._prepare_staging()
        self.counts.observations_deleted += delete_stored(
            self.conn, deletions, load_pk=self.load_pk
        )


_ACTION_CODES = {"I": "Information", "A": "Append", "M": "Merge", "R": "Replace", "D": "Delete"}


def reserve_series_pks(conn: Connection, count: int) -> list[int]:
    """`count` new series primary keys, in ascending order, so that series insert in one
    executemany (a writer reserves them before it inserts the series).

    SQLite: the write transaction holds the database's write lock, so the keys after the
    current maximum are this transaction's, and after the ones reserved already on this
    connection (by another writer of the transaction, or earlier by this one), which the
    table may not hold yet. PostgreSQL: drawn from the column's sequence.
    """
    if conn.dialect.name == "postgresql":
        return list(
            conn.execute(
                text(
                    # The sequence named once (as an argument of nextval, the lookup ran
                    # for every key: 12 ms a block of 4,096 keys, 2 ms without).
                    "WITH sequence AS MATERIALIZED "
                    "(SELECT pg_get_serial_sequence('series', 'pk')::regclass AS name) "
                    "SELECT nextval(sequence.name) FROM sequence, generate_series(1, :count)"
                ),
                {"count": count},
            ).scalars()
        )
    stored = conn.execute(select(func.coalesce(func.max(series.c.pk), 0))).scalar_one()
    highest = max(stored, conn.info.get(_RESERVED_UP_TO, 0))
    conn.info[_RESERVED_UP_TO] = highest + count
    return list(range(highest + 1, highest + 1 + count))


#: `Connection.info` key (kept with the database connection): the highest series key
#: reserved on it (SQLite).
_RESERVED_UP_TO = "sdmxnode_series_reserved_up_to"


def _getter(index: dict[str, int], ids: Sequence[str]) -> Callable[[tuple], tuple]:
    """A function giving the values of `ids` in a row as a tuple (None for absent columns)."""
    positions = [index.get(i) for i in ids]
    if not positions:
        return lambda row: ()
    if None in positions:
        return lambda row: tuple(None if i is None else row[i] for i in positions)
    present = [i for i in positions if i is not None]
    if len(present) == 1:
        only = present[0]
        return lambda row: (row[only],)
    return itemgetter(*present)
