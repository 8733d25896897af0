"""Reading data for queries: key filters and period ranges as SQL predicates, rows streamed.

Rows come back in series-key order, observations chronologically within a series, so that
writers can stream them without regrouping.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Connection,
    Label,
    Row,
    ScalarSelect,
    Select,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)

from sdmxnode.storage.structures import select_artefacts
from sdmxnode.storage.tables import (
    artefacts,
    data_layouts,
    loads,
    observation_history,
    observations,
    series,
    structure_state,
)

#: Per dimension position: the allowed values, or None for any.
KeySet = tuple[frozenset[str] | None, ...]


#: A query of the data tables, built by the select_* functions here and run by a DataReader
#: (`DataStore.reading`): what services pass around without knowing it is SQL.
StoredQuery: TypeAlias = Select


@dataclass(frozen=True)
class DataSelection:
    """What part of a dataflow's data a query wants, in storage terms."""

    keys: Sequence[KeySet] | None = None  # OR of keys; None: every series
    start: str | None = None  # inclusive lower bound on period_end (ISO)
    end: str | None = None  # inclusive upper bound on period_start (ISO)
    updated_after: datetime | None = None  # naive UTC
    first_n: int | None = None
    last_n: int | None = None
    #: The series keys `keys` match, when it names each series fully (every dimension one
    #: or a few values): lets the store find them by its series-key index instead of
    #: walking every series of the dataflow in key order.
    series_keys: frozenset[str] | None = None
    #: The data as they stood at this moment (naive UTC; 2.x `asOf`): read through
    #: `data_as_of.select_as_of`, not the select_* functions here; None for now.
    as_of: datetime | None = None
    #: The data providers ('AGENCY:ID', '' for unattributed data) whose series are wanted;
    #: None: every provider's.
    providers: tuple[str, ...] | None = None
    #: A window of the ordered answer (observations, or series for series-only answers):
    #: the first `offset` left out, at most `limit` given (HTTP Range paging); the
    #: database skips them, no record of them is read.
    offset: int = 0
    limit: int | None = None
    #: Only the series whose key is at least this one (a deep page starts at a series the
    #: services know how many rows come before: `offset` then counts from there).
    from_key: str | None = None


def _window(query: Select, selection: DataSelection) -> Select:
    """`query` (ordered) narrowed to the selection's window."""
    if selection.offset:
        query = query.offset(selection.offset)
    if selection.limit is not None:
        query = query.limit(selection.limit)
    return query


def _provider_condition(selection: DataSelection) -> list[ColumnElement[bool]]:
    if selection.providers is None:
        return []
    return [_one_of(series.c.provider, selection.providers)]


def _series_key_condition(selection: DataSelection) -> list[ColumnElement[bool]]:
    if selection.series_keys is None:
        return []
    return [_one_of(series.c.series_key, selection.series_keys)]


def _selected_series(selection: DataSelection) -> list[ColumnElement[bool]]:
    """The series a selection's keys name: by their full series keys when it has them (a
    series key is its dimension values joined by dots, so the per-position conditions
    would only repeat it), else by the key sets. One indexed condition instead of one per
    dimension plus the keys: fewer parameters to bind and expand on every answer, and less
    for PostgreSQL's planner to weigh (one index per key position)."""
    if selection.series_keys is not None:
        return _series_key_condition(selection)
    return [_key_condition(selection.keys)]


def _key_condition(keys: Sequence[KeySet] | None) -> ColumnElement[bool]:
    if keys is None:
        return true()
    alternatives = []
    for key in keys:
        parts = [
            _one_of(series.c[f"d{i}"], values) for i, values in enumerate(key) if values is not None
        ]
        alternatives.append(and_(true(), *parts))
    return or_(false(), *alternatives)


def _one_of(column: ColumnElement[str], values: Collection[str]) -> ColumnElement[bool]:
    """`column` is one of `values`: an equality for one value (the common case: a key
    position fixed to one code), else IN. The same plan either way on both engines, but an
    IN list is an expanding parameter, which SQLAlchemy builds and renders into the
    statement anew on every execution (with a value, about 20 microseconds per position)."""
    if len(values) == 1:
        return column == next(iter(values))
    return column.in_(sorted(values))


def _from_key_condition(selection: DataSelection) -> list[ColumnElement[bool]]:
    if selection.from_key is None:
        return []
    return [series.c.series_key >= selection.from_key]


def _period_condition(selection: DataSelection) -> list[ColumnElement[bool]]:
    conditions = []
    if selection.start is not None:
        conditions.append(observations.c.period_end >= selection.start)
    if selection.end is not None:
        conditions.append(observations.c.period_start <= selection.end)
    return conditions


def _updated_condition(selection: DataSelection) -> list[ColumnElement[bool]]:
    if selection.updated_after is None:
        return []
    changed_loads = select(loads.c.pk).where(loads.c.finished > selection.updated_after)
    return [observations.c.load_pk.in_(changed_loads)]


def select_observations(
    dataflow_pk: int, selection: DataSelection, *, series_first: bool = False
) -> Select:
    """The current observations a selection matches, ordered by series key and period.

    `series_first`: the same rows in the same order, the series picked in key order in a
    subquery before their observations are joined (not with first/lastNObservations),
    the form for an answer expected to be small. PostgreSQL then sorts each series' few
    observations as they come (an Incremental Sort) instead of the whole answer at the
    end: one origin of the 2017 edition, 1,826 observations, took 4.5 ms instead of 5.3.
    It is not the form for a large answer, which it slowed by 5 to 18% (the whole 2017
    flow, streamed); SQLite flattens the subquery and plans both forms alike."""
    plain = selection.first_n is None and selection.last_n is None
    if series_first and plain:
        return _window(_series_first(dataflow_pk, selection), selection)
    columns = [
        series.c.series_key,
        series.c.attributes.label("series_attributes"),
        observations.c.period,
        observations.c.value,
        observations.c.attributes.label("observation_attributes"),
        observations.c.period_start,
    ]
    conditions = _matching(dataflow_pk, selection)
    joined = series.join(observations, observations.c.series_pk == series.c.pk)
    if plain:
        return _window(
            select(*columns)
            .select_from(joined)
            .where(*conditions)
            .order_by(series.c.series_key, observations.c.period_start, observations.c.period),
            selection,
        )
    ascending = func.row_number().over(
        partition_by=observations.c.series_pk, order_by=observations.c.period_start.asc()
    )
    descending = func.row_number().over(
        partition_by=observations.c.series_pk, order_by=observations.c.period_start.desc()
    )
    ranked = (
        select(*columns, ascending.label("rank_first"), descending.label("rank_last"))
        .select_from(joined)
        .where(*conditions)
        .subquery()
    )
    limits = []
    if selection.first_n is not None:
        limits.append(ranked.c.rank_first <= selection.first_n)
    if selection.last_n is not None:
        limits.append(ranked.c.rank_last <= selection.last_n)
    # With both, SDMX-REST asks for the first N and the last N observations of each series.
    picked = or_(*limits) if len(limits) > 1 else limits[0]
    return _window(
        select(
            ranked.c.series_key,
            ranked.c.series_attributes,
            ranked.c.period,
            ranked.c.value,
            ranked.c.observation_attributes,
            ranked.c.period_start,
        )
        .where(picked)
        .order_by(ranked.c.series_key, ranked.c.period_start, ranked.c.period),
        selection,
    )


def _series_first(dataflow_pk: int, selection: DataSelection) -> Select:
    """`select_observations`' rows and order (no first/last N, no window), the series
    picked in key order in a subquery (`select_observations`, `series_first`)."""
    picked = (
        select(series.c.pk, series.c.series_key, series.c.attributes.label("series_attributes"))
        .where(*_series_matching(dataflow_pk, selection))
        .order_by(series.c.series_key)
        .subquery("picked")
    )
    return (
        select(
            picked.c.series_key,
            picked.c.series_attributes,
            observations.c.period,
            observations.c.value,
            observations.c.attributes.label("observation_attributes"),
            observations.c.period_start,
        )
        .select_from(picked.join(observations, observations.c.series_pk == picked.c.pk))
        .where(*_observation_matching(selection))
        .order_by(picked.c.series_key, observations.c.period_start, observations.c.period)
    )


def select_series_sizes(dataflow_pk: int, selection: DataSelection) -> Select:
    """(series key, observations) of each series with observations the selection matches,
    in series key order: how many rows of `select_observations`' answer (with neither
    first/lastNObservations nor a window) each series gives, in the order it gives them."""
    return (
        select(series.c.series_key, func.count())
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(*_matching(dataflow_pk, selection))
        .group_by(series.c.series_key)
        .order_by(series.c.series_key)
    )


def select_observation_records(dataflow_pk: int, selection: DataSelection) -> Select:
    """`select_observations` without the period start it orders by: the five items of a
    stored record (`formats.rows.StoredRecords`) that columnar writers read in batches."""
    query = select_observations(dataflow_pk, selection)
    return query.with_only_columns(*list(query.selected_columns)[:5], maintain_column_froms=True)


def select_observation_keys(
    dataflow_pk: int,
    selection: DataSelection | None = None,
    *,
    not_written_by: int | None = None,
    provider: str | None = None,
) -> Select:
    """(series pk, period) of the current observations of a dataflow that a selection's
    keys, providers and period range match (all without one), leaving out, with
    `not_written_by`, those that load wrote: what a deletion by key, or a replacement,
    removes. `provider`: only that provider's observations."""
    conditions = [series.c.dataflow_pk == dataflow_pk]
    if provider is not None:
        conditions.append(series.c.provider == provider)
    if selection is not None:
        conditions += [
            *_selected_series(selection),
            *_provider_condition(selection),
            *_period_condition(selection),
        ]
    if not_written_by is not None:
        conditions.append(observations.c.load_pk != not_written_by)
    return (
        select(observations.c.series_pk, observations.c.period)
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(*conditions)
    )


def select_series(dataflow_pk: int, selection: DataSelection) -> Select:
    """Series with at least one observation the selection matches (for series-only answers)."""
    has_data = exists(
        select(observations.c.series_pk).where(
            observations.c.series_pk == series.c.pk,
            *_period_condition(selection),
            *_updated_condition(selection),
        )
    )
    return _window(
        select(series.c.series_key, series.c.attributes.label("series_attributes"))
        .where(
            series.c.dataflow_pk == dataflow_pk,
            *_selected_series(selection),
            *_provider_condition(selection),
            has_data,
        )
        .order_by(series.c.series_key),
        selection,
    )


def select_deletions(dataflow_pk: int, selection: DataSelection) -> Select:
    """Observations deleted by loads finished after `updated_after` and not written since."""
    assert selection.updated_after is not None
    later_loads = select(loads.c.pk).where(loads.c.finished > selection.updated_after)
    still_there = exists(
        select(observations.c.series_pk).where(
            observations.c.series_pk == observation_history.c.series_pk,
            observations.c.period == observation_history.c.period,
        )
    )
    return (
        select(series.c.series_key, observation_history.c.period)
        .select_from(
            series.join(observation_history, observation_history.c.series_pk == series.c.pk)
        )
        .where(
            series.c.dataflow_pk == dataflow_pk,
            _key_condition(selection.keys),
            *_provider_condition(selection),
            observation_history.c.deleted == true(),
            observation_history.c.superseded_by.in_(later_loads),
            ~still_there,
        )
        .distinct()
        .order_by(series.c.series_key, observation_history.c.period)
    )


def stream(conn: Connection, query: Select, batch: int = 2000) -> Iterator[tuple]:
    """Rows of `query`, as `stream_batches` reads them, one by one."""
    for records in stream_batches(conn, query, batch):
        yield from records


def stream_batches(conn: Connection, query: Select, batch: int = 2000) -> Iterator[Sequence[tuple]]:
    """Rows of `query`, in batches of at most `batch` (a server-side cursor on PostgreSQL:
    five round trips, BEGIN, DECLARE, FETCH, CLOSE, ROLLBACK; an answer known or found to
    be small is read in one statement instead, `read_all`). No batch is empty.

    On SQLite, whose cursor already steps through a result lazily, a query of text columns
    is read as the driver's plain tuples: building a SQLAlchemy Row per record cost about a
    third of the time of a large data answer. On PostgreSQL such a query is streamed
    through a psycopg server-side cursor of its own, for the same reason
    (`_postgresql_text_batches`).
    """
    text_only = all(isinstance(column.type, String) for column in query.selected_columns)
    if conn.dialect.name == "postgresql" and text_only:
        yield from _postgresql_text_batches(conn, query, batch)
        return
    if conn.dialect.name == "sqlite" and text_only:
        result = conn.execute(query)
        try:
            cursor = result.cursor  # text columns have no result processors to skip
            while records := cursor.fetchmany(batch):
                yield records
        finally:
            result.close()
        return
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
    try:
        yield from _batches(result.fetchmany, batch)
    finally:
        result.close()


def read_all(conn: Connection, query: Select, most: int | None = None) -> list[tuple] | None:
    """Every row of `query` in one statement, or, with `most`, None when it has more than
    `most` (then at most `most` + 1 are read): what a reader tries before it streams an
    answer of unknown size. A query of text columns is read as the driver's plain tuples
    (no Row per record), on PostgreSQL as a statement prepared at once (`_prepared`:
    planned once per connection, not per answer): where a server-side cursor costs five
    round trips (BEGIN, DECLARE, FETCH, CLOSE, ROLLBACK) and a plan per answer, an answer
    of a few thousand rows costs one. On an autocommit connection (`engine.single_read`)
    it is its own snapshot."""
    # The bound is written into the statement: as a parameter, PostgreSQL's generic plan of
    # the prepared statement would not know it and plan for the first tenth of an unknown
    # number of rows (a walk of every series in key order). It replaces a larger window's.
    limited = query if most is None else query.limit(literal_column(str(int(most) + 1)))
    text_only = all(isinstance(column.type, String) for column in query.selected_columns)
    if not text_only:
        records = [tuple(row) for row in conn.execute(limited)]
    else:  # the driver's tuples: text columns have no result processors to skip
        with _prepared(conn):
            result = conn.execute(limited)
        try:
            records = list(result.cursor.fetchall())
        finally:
            result.close()
    return records if most is None or len(records) <= most else None


@contextmanager
def _prepared(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, the statements executed in the block are prepared at once (psycopg's
    `prepare_threshold` 0 for the block; SQLAlchemy still compiles them once, from its
    cache), unless the operator turned prepared statements off (a pooler). Elsewhere,
    nothing: SQLite's driver keeps its statements compiled."""
    driver: Any = conn.connection.dbapi_connection if conn.dialect.name == "postgresql" else None
    threshold = getattr(driver, "prepare_threshold", None)
    if threshold is None:
        yield
        return
    driver.prepare_threshold = 0
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def _batches(fetchmany: Callable[[int], Sequence[tuple]], batch: int) -> Iterator[Sequence[tuple]]:
    """The records a cursor's `fetchmany` gives, `batch` at a time (no empty batch). A
    batch shorter than asked for is the last: no FETCH round trip to learn it."""
    while True:
        records = fetchmany(batch)
        if records:
            yield records
        if len(records) < batch:
            return


def _postgresql_text_batches(
    conn: Connection, query: Select, batch: int
) -> Iterator[Sequence[tuple]]:
    """The records of a query of text columns through a psycopg server-side cursor on the
    connection's own DBAPI connection: plain tuples of str, as SQLAlchemy gives them (text
    columns have no result processors), without a Row built per record, which cost about
    a fifth of a 1,800-observation answer. The cursor lives in the transaction psycopg
    opens for it, which the pool rolls back when the connection is returned."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    cursor = conn.connection.dbapi_connection.cursor(name="sdmxnode_records")  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), compiled.params)
        yield from _batches(cursor.fetchmany, batch)
    finally:
        cursor.close()


def last_change(conn: Connection, dataflow_pk: int) -> datetime | None:
    """When the data of a dataflow last changed (None: it never held any)."""
    return conn.execute(
        select(data_layouts.c.updated).where(data_layouts.c.dataflow_pk == dataflow_pk)
    ).scalar_one_or_none()


def dataflows_with_data(conn: Connection) -> list[tuple[int, datetime, int]]:
    """The dataflows holding at least one observation, with when their data last changed
    and the last load that changed it (whole seconds tell two loads apart only with it)."""
    # "Some series of the dataflow has an observation", as a LIMIT 1 subquery over its series
    # with an EXISTS per series: PostgreSQL plans the plain EXISTS over observations joined
    # with series as a join of every observation (0.4 s on the 434,648 of the demo data, on
    # every page listing dataflows with data), this form as index-only probes (0.3 ms).
    holds = (
        select(literal(1))
        .where(series.c.dataflow_pk == data_layouts.c.dataflow_pk)
        .where(exists().where(observations.c.series_pk == series.c.pk))
        .limit(1)
        .scalar_subquery()
        .is_not(None)
    )
    query = (
        select(
            data_layouts.c.dataflow_pk,
            data_layouts.c.updated,
            _last_finished_load(data_layouts.c.dataflow_pk),
        )
        .where(holds)
        .order_by(data_layouts.c.dataflow_pk)
    )
    return [(int(pk), updated, int(load or 0)) for pk, updated, load in conn.execute(query)]


def last_load(conn: Connection, dataflow_pk: int) -> int | None:
    """The pk of the last finished load of a dataflow's data (None: none)."""
    return conn.execute(select(_last_finished_load(dataflow_pk))).scalar_one_or_none()


def data_state(conn: Connection, dataflow_pk: int) -> Row | None:
    """A dataflow's layout, data set attributes, time of change, last finished load, the
    structure store's generation (`StructureStore.generation`) and its `data_mark`, in one
    statement (one round trip where a data answer took two); None when it never held data."""
    columns = _state_columns(dataflow_pk, _on_postgresql(conn))
    query = select(*columns).where(data_layouts.c.dataflow_pk == dataflow_pk)
    return conn.execute(query).first()


#: The labels of the data state's columns in `dataflows_with_state`.
STATE_LABELS = (
    "data_layout",
    "data_attributes",
    "data_updated",
    "data_last_load",
    "generation",
    "data_mark",
)


def dataflows_with_state(
    conn: Connection, agencies: Collection[str] | None, ids: Collection[str] | None
) -> list[Row]:
    """The dataflows of these agencies and ids (None: any), as `select_artefacts` gives
    them, each with its data state (`data_state`'s columns, labelled STATE_LABELS; NULL
    layout: it never held data): what a data query's first step needs, in one statement,
    where it took two, each a round trip on PostgreSQL. The statement is built once per
    shape (how many agencies and ids are given: none, one, more) with the names as bound
    parameters, not on every answer; one name is an equality, not an IN list, which
    SQLAlchemy would expand and render into the statement on every execution. It is
    prepared on PostgreSQL at once (`_prepared`), where psycopg would prepare it after five
    executions on a connection: until then each one cost a parse (0.35 ms) and a bind
    (0.54 ms) on every pooled connection."""
    agency_shape, agency_names = _names(agencies)
    id_shape, id_names = _names(ids)
    query = _dataflows_with_state(agency_shape, id_shape, _on_postgresql(conn))
    with _prepared(conn):
        return list(conn.execute(query, {"agencies": agency_names, "ids": id_names}).all())


def _names(names: Collection[str] | None) -> tuple[int, str | list[str]]:
    """How many names a lookup gives (0: any, 1: one, 2: more) and its parameter's value."""
    if names is None:
        return 0, []
    if len(names) == 1:
        return 1, next(iter(names))
    return 2, sorted(names)


@cache
def _dataflows_with_state(agency_shape: int, id_shape: int, postgresql: bool) -> Select:
    found = select_artefacts().where(
        artefacts.c.type == "Dataflow",
        _named(artefacts.c.agency_id, "agencies", agency_shape),
        _named(artefacts.c.id, "ids", id_shape),
    )
    columns = _state_columns(artefacts.c.pk, postgresql)
    return found.outerjoin(data_layouts, data_layouts.c.dataflow_pk == artefacts.c.pk).add_columns(
        *(column.label(name) for column, name in zip(columns, STATE_LABELS, strict=True))
    )


def _named(column: ColumnElement[str], parameter: str, shape: int) -> ColumnElement[bool]:
    """`column` is the name, or one of the names, the parameter gives (`_names`' shape)."""
    if shape == 0:
        return true()
    if shape == 1:
        return column == bindparam(parameter, type_=String)
    return column.in_(bindparam(parameter, expanding=True, type_=String))


def _state_columns(dataflow_pk: int | ColumnElement[int], postgresql: bool) -> list[ColumnElement]:
    return [
        data_layouts.c.layout,
        data_layouts.c.dataset_attributes,
        data_layouts.c.updated,
        _last_finished_load(dataflow_pk),
        _generation(),
        data_mark(dataflow_pk, postgresql),
    ]


def data_mark(dataflow_pk: int | ColumnElement[int], postgresql: bool) -> ScalarSelect[str]:
    """One text value that changes with the data state of the dataflow `dataflow_pk` names
    (a scalar subquery; NULL when it never held data): when its data last changed, its
    last finished load and the structure store's generation, and on PostgreSQL the row
    version (`xmin`) of its data row, which every committed load rewrites. Two loads of
    one dataflow in one second may commit out of the order of their pks on PostgreSQL
    (each waits only for the other's data row at its end), leaving the time of change and
    the last load as they were; the row version still changes. SQLite writers take turns.

    Read beside an answer's records (`marked`), it tells in the same statement, and the
    same snapshot, whether the state the answer was planned from still holds."""
    row = data_layouts.alias("marked_layout")  # its own row, in any enclosing query
    parts: list[ColumnElement[str]] = [
        func.coalesce(row.c.updated.cast(String), ""),
        # Of the row's dataflow, not `dataflow_pk`: a column of an enclosing query (the
        # artefacts of `dataflows_with_state`) named two subqueries down is not correlated,
        # and the load would be the last of any dataflow.
        func.coalesce(_last_finished_load(row.c.dataflow_pk).cast(String), ""),
        _generation().cast(String),
    ]
    if postgresql:
        parts.append(literal_column("marked_layout.xmin::text", String))
    mark = parts[0]
    for part in parts[1:]:
        mark = mark + "|" + part
    return select(mark).where(row.c.dataflow_pk == dataflow_pk).scalar_subquery()


def marked(conn: Connection, query: Select, dataflow_pk: int) -> Select:
    """`query` with the dataflow's `data_mark` as its last column."""
    return query.add_columns(_mark_column(dataflow_pk, _on_postgresql(conn)))


@lru_cache(maxsize=256)
def _mark_column(dataflow_pk: int, postgresql: bool) -> Label[str]:
    """The labelled `data_mark` of a dataflow, built once (about 1 ms a build, more than
    the rest of a one-series answer's statement)."""
    return data_mark(dataflow_pk, postgresql).label("data_mark")


def _on_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _generation() -> ScalarSelect[int]:
    """The structure store's generation (`StructureStore.generation`), a scalar subquery."""
    return select(func.coalesce(func.max(structure_state.c.generation), 0)).scalar_subquery()


def _last_finished_load(dataflow_pk: int | ColumnElement[int]) -> ScalarSelect:
    """The pk of the last finished load of the dataflow `dataflow_pk` names (a scalar
    subquery: a value, or a column of an outer query)."""
    return (
        select(func.max(loads.c.pk))
        .where(loads.c.dataflow_pk == dataflow_pk, loads.c.finished.is_not(None))
        .scalar_subquery()
    )


def count_up_to(conn: Connection, query: Select, limit: int) -> int:
    """The number of rows of `query`, counting no further than `limit` (bounded cost)."""
    bounded = query.order_by(None).limit(limit).subquery()
    return int(conn.execute(select(func.count()).select_from(bounded)).scalar_one())


def _matching(dataflow_pk: int, selection: DataSelection) -> list[ColumnElement[bool]]:
    """The conditions on series joined with observations that a selection sets (all but
    its window and first/last N): one list for the observations, their page marks' series
    sizes and their summary, so that the three always count the same rows."""
    return [*_series_matching(dataflow_pk, selection), *_observation_matching(selection)]


def _series_matching(dataflow_pk: int, selection: DataSelection) -> list[ColumnElement[bool]]:
    """The conditions of `_matching` on the series."""
    return [
        series.c.dataflow_pk == dataflow_pk,
        *_selected_series(selection),
        *_provider_condition(selection),
        *_from_key_condition(selection),
    ]


def _observation_matching(selection: DataSelection) -> list[ColumnElement[bool]]:
    """The conditions of `_matching` on the observations."""
    return [*_period_condition(selection), *_updated_condition(selection)]


def summarise(
    conn: Connection, dataflow_pk: int, selection: DataSelection
) -> tuple[int, int, str | None, str | None]:
    """Series count, observation count, first period start, last period end."""
    row = conn.execute(
        select(
            func.count(func.distinct(observations.c.series_pk)),
            func.count(),
            func.min(observations.c.period_start),
            func.max(observations.c.period_end),
        )
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(*_matching(dataflow_pk, selection))
    ).one()
    return int(row[0]), int(row[1]), row[2], row[3]


def distinct_values(
    conn: Connection, dataflow_pk: int, selection: DataSelection, position: int
) -> list[str]:
    """The values of key dimension `position` among series with matching observations."""
    column = series.c[f"d{position}"]
    has_data = exists(
        select(observations.c.series_pk).where(
            observations.c.series_pk == series.c.pk,
            *_period_condition(selection),
            *_updated_condition(selection),
        )
    )
    query = (
        select(column)
        .where(
            series.c.dataflow_pk == dataflow_pk,
            _key_condition(selection.keys),
            *_provider_condition(selection),
            has_data,
            column.is_not(None),
        )
        .distinct()
        .order_by(column)
    )
    return [value for (value,) in conn.execute(query)]


def held_providers(conn: Connection, dataflow_pk: int) -> list[str]:
    """The data providers of every series of a dataflow (with observations or not), sorted:
    those of any selection's data are among them."""
    query = (
        select(series.c.provider)
        .where(series.c.dataflow_pk == dataflow_pk)
        .distinct()
        .order_by(series.c.provider)
    )
    return [value for (value,) in conn.execute(query)]


def distinct_providers(conn: Connection, dataflow_pk: int, selection: DataSelection) -> list[str]:
    """The data providers of the series with observations the selection matches, sorted;
    for an `asOf` selection, of every series it matches (its observations may be gone now,
    their past kept in the history)."""
    has_data = exists(
        select(observations.c.series_pk).where(
            observations.c.series_pk == series.c.pk,
            *_period_condition(selection),
            *_updated_condition(selection),
        )
    )
    query = (
        select(series.c.provider)
        .where(
            series.c.dataflow_pk == dataflow_pk,
            *_selected_series(selection),
            *_provider_condition(selection),
            *([has_data] if selection.as_of is None else []),
        )
        .distinct()
        .order_by(series.c.provider)
    )
    return [value for (value,) in conn.execute(query)]


def list_loads(conn: Connection, dataflow_pk: int) -> list[tuple[int, datetime]]:
    """The committed loads of a dataflow, oldest first: (load pk, when it finished)."""
    rows = conn.execute(
        select(loads.c.pk, loads.c.finished)
        .where(loads.c.dataflow_pk == dataflow_pk, loads.c.finished.is_not(None))
        .order_by(loads.c.finished, loads.c.pk)
    )
    return [(row.pk, row.finished) for row in rows]


def select_written_by(dataflow_pk: int, selection: DataSelection, load_pk: int) -> Select:
    """Every observation version one load wrote, current or since superseded, in series
    and period order (for `includeHistory`). Series attributes are the current ones; the
    period range is left to the caller for superseded versions (the history keeps no
    period bounds)."""
    current = (
        select(
            series.c.series_key,
            series.c.attributes.label("series_attributes"),
            observations.c.period,
            observations.c.value,
            observations.c.attributes.label("observation_attributes"),
            observations.c.period_start,
        )
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(
            series.c.dataflow_pk == dataflow_pk,
            *_selected_series(selection),
            *_provider_condition(selection),
            observations.c.load_pk == load_pk,
        )
    )
    past = (
        select(
            series.c.series_key,
            series.c.attributes.label("series_attributes"),
            observation_history.c.period,
            observation_history.c.value,
            observation_history.c.attributes.label("observation_attributes"),
            observation_history.c.period.label("period_start"),
        )
        .select_from(
            series.join(observation_history, observation_history.c.series_pk == series.c.pk)
        )
        .where(
            series.c.dataflow_pk == dataflow_pk,
            *_selected_series(selection),
            *_provider_condition(selection),
            observation_history.c.load_pk == load_pk,
        )
    )
    both = union_all(current, past).subquery()
    return select(*both.c).order_by(both.c.series_key, both.c.period_start, both.c.period)


def select_deleted_by(dataflow_pk: int, selection: DataSelection, load_pk: int) -> Select:
    """The observations one load deleted (series key, period), in order."""
    return (
        select(series.c.series_key, observation_history.c.period)
        .select_from(
            series.join(observation_history, observation_history.c.series_pk == series.c.pk)
        )
        .where(
            series.c.dataflow_pk == dataflow_pk,
            *_selected_series(selection),
            *_provider_condition(selection),
            observation_history.c.deleted == true(),
            observation_history.c.superseded_by == load_pk,
        )
        .order_by(series.c.series_key, observation_history.c.period)
    )
