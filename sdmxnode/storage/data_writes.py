"""Writing data in one transaction: series, observations, history and the load record.

Actions follow SDMX: Information, Append and Merge add or update observations; Replace
first removes every observation of each series it names; Delete removes the observations
named (a row without a period removes its whole series). What an update or delete
overwrites is kept in `observation_history`, which answers `updatedAfter` and
`includeHistory`. A dataflow's first load only inserts, so it never reads back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from sdmxnode.errors import SemanticError
from sdmxnode.storage.data_layout import Layout
from sdmxnode.storage.tables import (
    ATTRIBUTE_SEPARATOR,
    data_layouts,
    loads,
    observation_history,
    observations,
    series,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
PeriodBounds = Callable[[str], tuple[str, str]]


def now_utc(*, precise: bool = False) -> datetime:
    """Naive UTC, as the store keeps times: whole seconds (HTTP dates have no finer
    resolution), or to the microsecond for load times that `updatedAfter` compares."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now if precise else now.replace(microsecond=0)


def join_values(values: Iterable[str | None]) -> str | None:
    """Values of a layout joined by the separator; None when all are missing."""
    parts = ["" if v is None else v for v in values]
    return ATTRIBUTE_SEPARATOR.join(parts) if any(parts) else None


@dataclass
class LoadCounts:
    series_written: int = 0
    observations_written: int = 0
    observations_deleted: int = 0


@dataclass
class DataflowWriter:
    """Writes the data sets of one load of one dataflow on an open transaction."""

    conn: Connection
    dataflow_pk: int
    layout: Layout
    load_pk: int
    bounds: PeriodBounds
    counts: LoadCounts = field(default_factory=LoadCounts)
    _series: dict[str, int] = field(default_factory=dict)
    _series_attributes: dict[int, str | None] = field(default_factory=dict)
    _changed_series: set[int] = field(default_factory=set)
    _new_series: set[int] = field(default_factory=set)
    _bounds_cache: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rows = self.conn.execute(
            select(series.c.series_key, series.c.pk, series.c.attributes).where(
                series.c.dataflow_pk == self.dataflow_pk
            )
        )
        for key, pk, attributes in rows:
            self._series[key] = pk
            self._series_attributes[pk] = attributes

    def write(
        self,
        columns: Sequence[str],
        rows: Iterable[tuple],
        action: str,
        action_column: int | None = None,
    ) -> None:
        """Write one data set's rows (see `DatasetRows`) with its action."""
        index = {c: i for i, c in enumerate(columns)}
        layout = self.layout
        dims = [index.get(d) for d in layout.dimensions]
        time = index.get(layout.time_dimension) if layout.time_dimension else None
        measures = [index.get(m) for m in layout.measures]
        series_attrs = [index.get(a) for a in layout.series_attributes]
        obs_attrs = [index.get(a) for a in layout.observation_attributes]
        pending: list[tuple] = []
        deletions: list[tuple[int, str | None]] = []
        replaced: set[int] = set()
        for row in rows:
            row_action = action
            if action_column is not None and row[action_column]:
                row_action = _ACTION_CODES.get(row[action_column], action)
            key = ".".join("" if i is None or row[i] is None else row[i] for i in dims)
            period = row[time] if time is not None else ""
            if row_action == "Delete":
                pk = self._series.get(key)
                if pk is not None:
                    deletions.append((pk, period))
                continue
            pk = self._series_pk(key, [None if i is None else row[i] for i in dims])
            self._set_series_attributes(pk, [None if i is None else row[i] for i in series_attrs])
            if row_action == "Replace" and pk not in replaced and pk not in self._new_series:
                replaced.add(pk)
                self._flush(pending)
                pending = []
                self._delete_series_observations(pk)
            if period is None:  # attributes-only row for a key
                continue
            values = [None if i is None else row[i] for i in measures]
            value = values[0] if len(values) == 1 else join_values(values)
            start, end = self._period_bounds(period)
            pending.append(
                (
                    pk,
                    period,
                    start,
                    end,
                    value,
                    join_values(None if i is None else row[i] for i in obs_attrs),
                )
            )
            if len(pending) >= BATCH_SIZE:
                self._flush(pending)
                pending = []
        self._flush(pending)
        if deletions:
            self._delete(deletions)

    def set_dataset_attributes(self, values: dict[str, str]) -> None:
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
        changed = [
            {"b_pk": pk, "b_attributes": self._series_attributes[pk]}
            for pk in sorted(self._changed_series)
            if pk not in self._new_series
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

    def _series_pk(self, key: str, values: list[str | None]) -> int:
        pk = self._series.get(key)
        if pk is not None:
            return pk
        columns = {f"d{i}": v for i, v in enumerate(values)}
        pk = self.conn.execute(
            insert(series).values(dataflow_pk=self.dataflow_pk, series_key=key, **columns)
        ).inserted_primary_key[0]
        self._series[key] = pk
        self._series_attributes[pk] = None
        self._new_series.add(pk)
        return pk

    def _set_series_attributes(self, pk: int, values: list[str | None]) -> None:
        if not any(v is not None for v in values):
            return
        old = self._series_attributes.get(pk)
        merged = values
        if old is not None:
            previous = old.split(ATTRIBUTE_SEPARATOR)
            merged = [
                v if v is not None else (p or None) for v, p in zip(values, previous, strict=True)
            ]
        joined = join_values(merged)
        if joined != old:
            self._series_attributes[pk] = joined
            self._changed_series.add(pk)
            if pk in self._new_series:
                self.conn.execute(update(series).where(series.c.pk == pk).values(attributes=joined))

    def _flush(self, pending: list[tuple]) -> None:
        if not pending:
            return
        new_only = all(row[0] in self._new_series for row in pending)
        if not new_only:
            self._keep_history(
                [(row[0], row[1]) for row in pending if row[0] not in self._new_series],
                deleted=False,
            )
        records = [
            {
                "series_pk": pk,
                "period": period,
                "period_start": start,
                "period_end": end,
                "value": value,
                "attributes": attributes,
                "load_pk": self.load_pk,
            }
            for pk, period, start, end, value, attributes in pending
        ]
        if new_only:
            self.conn.execute(insert(observations), records)
        else:
            self._upsert(records)
        self.counts.observations_written += len(records)

    def _upsert(self, records: list[dict]) -> None:
        dialect = self.conn.dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(observations)
        statement = statement.on_conflict_do_update(
            index_elements=[observations.c.series_pk, observations.c.period],
            set_={
                "period_start": statement.excluded.period_start,
                "period_end": statement.excluded.period_end,
                "value": statement.excluded.value,
                "attributes": statement.excluded.attributes,
                "load_pk": statement.excluded.load_pk,
            },
        )
        self.conn.execute(statement, records)

    def _keep_history(self, keys: list[tuple[int, str]], *, deleted: bool) -> int:
        """Copy the current state of these observations to the history; how many existed."""
        kept = 0
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self.conn.execute(
                select(
                    observations.c.series_pk,
                    observations.c.period,
                    observations.c.value,
                    observations.c.attributes,
                    observations.c.load_pk,
                ).where(tuple_(observations.c.series_pk, observations.c.period).in_(chunk))
            ).all()
            if rows:
                self.conn.execute(
                    insert(observation_history),
                    [
                        {
                            "series_pk": r.series_pk,
                            "period": r.period,
                            "value": r.value,
                            "attributes": r.attributes,
                            "load_pk": r.load_pk,
                            "superseded_by": self.load_pk,
                            "deleted": deleted,
                        }
                        for r in rows
                    ],
                )
            kept += len(rows)
        return kept

    def _delete_series_observations(self, pk: int) -> None:
        periods = self.conn.execute(
            select(observations.c.period).where(observations.c.series_pk == pk)
        ).scalars()
        self._delete([(pk, p) for p in periods])

    def _delete(self, deletions: list[tuple[int, str | None]]) -> None:
        whole = [pk for pk, period in deletions if not period]
        for pk in whole:
            periods = list(
                self.conn.execute(
                    select(observations.c.period).where(observations.c.series_pk == pk)
                ).scalars()
            )
            deletions.extend((pk, p) for p in periods)
        keys = sorted({(pk, p) for pk, p in deletions if p})
        if not keys:
            return
        existing = self._keep_history(keys, deleted=True)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            self.conn.execute(
                delete(observations).where(
                    tuple_(observations.c.series_pk, observations.c.period).in_(chunk)
                )
            )
        self.counts.observations_deleted += existing


_ACTION_CODES = {"I": "Information", "A": "Append", "M": "Merge", "R": "Replace", "D": "Delete"}


def start_load(
    conn: Connection, dataflow_pk: int, layout: Layout, *, action: str, principal: str, source: str
) -> int:
    """Record a load (and the dataflow's layout on its first load); the load's pk."""
    existing = conn.execute(
        select(data_layouts.c.layout).where(data_layouts.c.dataflow_pk == dataflow_pk)
    ).scalar_one_or_none()
    if existing is None:
        conn.execute(
            insert(data_layouts).values(
                dataflow_pk=dataflow_pk, dsd=layout.dsd, layout=layout.to_json(), updated=now_utc()
            )
        )
    elif Layout.from_json(existing) != layout:
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
    return conn.execute(
        insert(loads).values(
            dataflow_pk=dataflow_pk,
            action=action,
            started=now_utc(precise=True),
            principal=principal,
            source=source[:1000],
        )
    ).inserted_primary_key[0]


def finish_load(conn: Connection, load_pk: int, dataflow_pk: int, counts: LoadCounts) -> None:
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
    return int(
        conn.execute(
            select(func.count())
            .select_from(observations.join(series, observations.c.series_pk == series.c.pk))
            .where(and_(series.c.dataflow_pk == dataflow_pk))
        ).scalar_one()
    )
