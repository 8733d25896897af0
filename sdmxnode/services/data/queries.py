"""Data queries: from a parsed query to a DataResult streaming rows out of the store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import chain, islice, product
from typing import cast

from sdmxnode.errors import NoResults, SemanticError
from sdmxnode.formats.rows import (
    DataResult,
    RecordLayout,
    StoredRecords,
    StoredRows,
    StructureInfo,
    compiled,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.data import DataQuery
from sdmxnode.rest.periods import period_range
from sdmxnode.rest.queries import DataSelectionQuery
from sdmxnode.rest.versions import VersionSelector
from sdmxnode.services.data.as_of import as_of_records, as_of_series
from sdmxnode.services.data.filters import narrow_keys, row_filter
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import selected_providers
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.queries import follow_references, select_versions
from sdmxnode.storage.data import DataState, in_batches
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.data.reads import (
    DataSelection,
    KeySet,
    StoredQuery,
    select_deleted_by,
    select_deletions,
    select_observation_records,
    select_observations,
    select_series,
    select_series_sizes,
    select_written_by,
)
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.tables import ATTRIBUTE_SEPARATOR
from sdmxnode.validation.periods import period_bounds

#: A query naming at most this many full series keys reads its records at once.
FEW_SERIES = 10
#: An answer of unknown size is first read at once up to this many records (PostgreSQL).
FEW_ROWS = 5000


@dataclass(frozen=True)
class DataPlan:
    """A data query bound to one stored dataflow: what to select and which columns to give."""

    dataflow: StoredArtefact
    structure_ref: ArtefactRef
    structure: StructureInfo
    layout: Layout
    selection: DataSelection
    columns: tuple[str, ...]
    series_only: bool
    last_modified: datetime
    dimension_at_observation: str
    row_filter: Callable[[tuple], bool] | None = None
    #: The dataflow's digest, its data's last load and data mark (`reads.data_mark`): they
    #: change with every change, where `last_modified` (whole seconds) cannot tell two loads
    #: in one second apart, nor the last load two loads of one dataflow that commit out of
    #: the order of their numbers (PostgreSQL: the mark's row version tells them apart).
    version: str = ""
    #: The data set level attribute values stored with the data, read with the plan.
    dataset_attributes: dict[str, str] = field(default_factory=dict)
    #: The structure store's generation the plan's StructureInfo was taken at (labels too).
    generation: int | None = None
    #: The data state the plan was made from (its load, time of change and generation):
    #: what a kept download (`bulk`) is keyed by and checked against once written.
    state: DataState | None = None

    def etag(self, *parts: str) -> str:
        """An entity tag of the answer: the dataflow, its data's last change and `parts`."""
        digest = hashlib.sha256(
            "|".join(
                (str(self.dataflow.pk), self.last_modified.isoformat(), self.version, *parts)
            ).encode()
        )
        return digest.hexdigest()[:32]


def find_dataflows(
    node: Node,
    agencies: Sequence[str] | None,
    ids: Sequence[str] | None,
    versions: VersionSelector,
) -> list[StoredArtefact]:
    """Stored dataflows matching agency, id and version selectors."""
    return select_versions(node.store.find_artefacts({"Dataflow"}, agencies, ids), versions)


def plan_data_query(
    node: Node, dataflow: StoredArtefact, query: DataQuery, state: DataState | None = None
) -> DataPlan:
    """Bind a parsed data query to a stored dataflow: structure, layout, selection, columns
    (`state`: the dataflow's data state, when the caller has just read it)."""
    state = state or node.data.data_state(dataflow.pk)
    if state is None:
        raise NoResults(f"{dataflow.ref} has no data", where="flowRef")
    layout = state.layout
    ref = dataflow.ref
    generation = state.generation if state.generation is not None else node.store.generation()
    structure = StructureInfoBuilder(node.store, node.cache)(ref, generation)
    filters = query.key_filters(len(structure.dimensions), [d.id for d in structure.dimensions])
    key_sets: list[KeySet] | None = [f.values for f in filters] if filters is not None else None
    key_sets, row_filters = narrow_keys(key_sets, query.filters, structure)
    selection = DataSelection(
        keys=key_sets,
        start=period_range(query.start_period, where="startPeriod")[0]
        if query.start_period
        else None,
        end=period_range(query.end_period, where="endPeriod")[1] if query.end_period else None,
        updated_after=_naive_utc(query.updated_after),
        first_n=query.first_n,
        last_n=query.last_n,
        series_keys=_full_keys(key_sets, len(structure.dimensions)),
        as_of=_naive_utc(query.as_of),
        providers=selected_providers(node, dataflow, query),
    )
    series_only = query.detail in ("serieskeysonly", "nodata")
    columns = _columns(structure, query)
    time_id = structure.time_dimension.id if structure.time_dimension else None
    obs_dim = query.dimension_at_observation or (time_id or "AllDimensions")
    dimension_ids = [d.id for d in structure.dimensions] + ([time_id] if time_id else [])
    if obs_dim != "AllDimensions" and obs_dim not in dimension_ids:
        raise SemanticError(
            f"dimensionAtObservation {obs_dim!r} is not a dimension of {structure.dsd}",
            where="dimensionAtObservation",
        )
    changed, load = state.updated, state.last_load
    last_modified = max(
        (changed or dataflow.updated.replace(tzinfo=None)).replace(tzinfo=UTC), dataflow.updated
    )
    return DataPlan(
        dataflow=dataflow,
        structure_ref=ref,
        structure=structure,
        layout=layout,
        selection=selection,
        columns=columns,
        series_only=series_only,
        last_modified=last_modified,
        version=f"{dataflow.digest}|load {load}|{state.mark or ''}",
        dataset_attributes=state.dataset_attributes,
        generation=generation,
        state=state,
        dimension_at_observation=obs_dim,
        row_filter=row_filter(row_filters, columns, time_id),
    )


def _full_keys(
    key_sets: list[KeySet] | None, width: int, limit: int = 1000
) -> frozenset[str] | None:
    """The series keys that `key_sets` name when each fixes every dimension to one or a
    few values (at most `limit` keys in all), else None."""
    if key_sets is None:
        return None
    found: set[str] = set()
    for key in key_sets:
        if len(key) != width or any(values is None for values in key):
            return None
        count = 1
        for values in key:
            count *= len(values)  # type: ignore[arg-type]
        if len(found) + count > limit:
            return None
        found.update(".".join(parts) for parts in product(*(sorted(v) for v in key)))  # type: ignore[arg-type]
    return frozenset(found)


def _columns(structure: StructureInfo, query: DataQuery) -> tuple[str, ...]:
    """The columns a query asks for: `detail` (1.5) or `attributes` / `measures` (2.x)."""
    attributes = query.attributes
    wanted_attributes: set[str]
    all_attributes = {a.id for a in structure.attributes}
    if attributes in ("dsd", "all"):
        wanted_attributes = all_attributes
    elif attributes in ("none", "msd"):
        wanted_attributes = set()
    elif attributes in ("dataset", "series", "obs"):
        level = {"dataset": {"dataset"}, "series": {"series", "group"}, "obs": {"observation"}}
        wanted_attributes = {
            a.id for a in structure.attributes if a.attachment in level[str(attributes)]
        }
    else:
        wanted_attributes = set(attributes) & all_attributes
    measures = query.measures
    all_measures = {m.id for m in structure.measures}
    wanted_measures = (
        all_measures
        if measures == "all"
        else set()
        if measures == "none"
        else set(measures) & all_measures
    )
    if not wanted_measures and query.detail not in ("serieskeysonly", "nodata"):
        wanted_measures = all_measures  # 'measures=none' alone is 1.5 'nodata'
    return tuple(
        c
        for c in structure.columns
        if (c not in all_attributes or c in wanted_attributes)
        and (c not in all_measures or c in wanted_measures)
    )


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # SDMX-REST: no offset means the server's local time
    return moment.astimezone(UTC).replace(tzinfo=None)


def data_result(
    node: Node,
    plan: DataPlan,
    *,
    languages: Sequence[str] = (),
    rows: Iterator[tuple] | None = None,
    release: Callable[[], None] | None = None,
) -> DataResult:
    """The DataResult of a plan; its rows (`rows`, as `open_rows` gives them, else
    `iter_rows`) stream from the database when iterated; its labels in the first of
    `languages` the structures carry (else English); its `records` for writers that build
    columns (`stored_records`), `release` closing what `rows` holds open (`open_rows`)."""
    return DataResult(
        structure_ref=plan.structure_ref,
        structure=plan.structure,
        columns=plan.columns,
        rows=iter_rows(node, plan) if rows is None else rows,
        dimension_at_observation=plan.dimension_at_observation,
        series_only=plan.series_only,
        labels=StructureInfoBuilder(node.store, node.cache).labels(
            plan.structure_ref, languages, plan.generation
        ),
        dataset_attributes=plan.dataset_attributes,
        records=stored_records(node, plan),
        release=release,
    )


def stored_records(node: Node, plan: DataPlan) -> StoredRecords | None:
    """The plan's stored records in batches, for writers that build whole columns (Parquet,
    Arrow), or None where only the row stream gives the answer exactly: a filter the
    database cannot apply (`row_filter`), `asOf` (read from the history), series-only
    answers, and several measures in one stored value."""
    layout = plan.layout
    if (
        plan.row_filter is not None
        or plan.selection.as_of is not None
        or plan.series_only
        or len(layout.measures) > 1
    ):
        return None
    return StoredRecords(
        dimensions=layout.dimensions,
        time_dimension=layout.time_dimension,
        measures=layout.measures,
        series_attributes=layout.series_attributes,
        observation_attributes=layout.observation_attributes,
        separator=ATTRIBUTE_SEPARATOR,
        batches=partial(_record_batches, node, plan),
    )


def _record_batches(node: Node, plan: DataPlan, size: int) -> Iterator[Sequence[tuple]]:
    """The plan's stored records for a columnar writer, in batches of at most `size` (the
    query built only when one reads them: most answers are written from their rows)."""
    return _read_batches(
        node, plan, partial(select_observation_records, plan.dataflow.pk, plan.selection), size
    )


def deletions_result(node: Node, plan: DataPlan) -> DataResult:
    """Observations deleted since `updatedAfter`, as a data set with action Delete."""
    return DataResult(
        structure_ref=plan.structure_ref,
        structure=plan.structure,
        columns=plan.columns,
        rows=_deleted_rows(node, plan, select_deletions(plan.dataflow.pk, plan.selection)),
        dimension_at_observation=plan.dimension_at_observation,
        action="Delete",
    )


def iter_rows(node: Node, plan: DataPlan) -> Iterator[tuple]:
    """Stored rows expanded to the plan's columns (attribute strings split once per row):
    a StoredRows (writers may build their output from its records) unless a filter the
    database cannot apply narrows them, or they are read as of a past moment. Nothing is
    read before the rows are."""
    expand = _row_builder(plan)
    keep = plan.row_filter
    as_of = plan.selection.as_of
    if as_of is not None:
        past = as_of_series if plan.series_only else as_of_records
        rows = expand(past(node.data, plan.dataflow.pk, plan.selection, as_of))
        return rows if keep is None else filter(keep, rows)
    stored = StoredRows(_stored_batches(node, plan), record_layout(plan), expand)
    return stored if keep is None else filter(keep, stored)


def open_rows(
    node: Node, plan: DataPlan, records: Sequence[tuple] | None = None
) -> tuple[Iterator[tuple], Callable[[], None]] | None:
    """The rows of a plan (as `iter_rows`, not `asOf`) with what gives back the connection
    they hold before they are read to the end (for a writer that reads the plan's
    `stored_records` instead), or None when the store holds no matching record: the first
    batch of records is read before this returns, so that whether there is an answer and
    the answer itself are one query on one connection, which stays checked out until the
    rows are read to the end, dropped or released. Like a count, it looks at the stored
    records: a filter the database cannot apply (`row_filter`) may still leave no row.
    `records`: the plan's records, read already (`prefetch_records`)."""
    if plan.selection.as_of is not None:
        raise ValueError("an asOf answer is read from the history: use iter_rows")
    batches = _stored_batches(node, plan) if records is None else in_batches(records)
    first = next(batches, None)
    if first is None:
        return None
    rows = StoredRows(chain((first,), batches), record_layout(plan), _row_builder(plan))
    keep = plan.row_filter
    release = cast(Generator[Sequence[tuple], None, None], batches).close  # a generator, started
    return (rows if keep is None else filter(keep, rows)), release


def prefetch_records(node: Node, plan: DataPlan) -> tuple[list[tuple] | None, str | None]:
    """The records `open_rows` reads for the plan, read in one statement with the
    dataflow's data mark (`DataStore.marked_records`), for a plan made from a data state
    read earlier, which holds if the mark is that state's; (None, None) unless the plan
    names at most FEW_SERIES series keys (then `open_rows` reads them at once too: a
    series' observations are its periods). Every record carries the mark, which cost a
    SQLite one-area answer of 1,826 records about 0.8 ms: more than the statement it
    spares."""
    keys = plan.selection.series_keys
    if keys is None or len(keys) > FEW_SERIES:
        return None, None
    return node.data.marked_records(_stored_query(plan), plan.dataflow.pk)


def _stored_batches(node: Node, plan: DataPlan) -> Iterator[Sequence[tuple]]:
    """The stored records the plan selects (current data), in batches (`_read_batches`;
    an observations answer of unknown size is tried in the form for a small one)."""
    small = None
    if not plan.series_only:
        small = partial(select_observations, plan.dataflow.pk, plan.selection, series_first=True)
    return _read_batches(node, plan, partial(_stored_query, plan), small=small)


def _stored_query(plan: DataPlan) -> StoredQuery:
    """The query of the stored records the plan selects (current data)."""
    if plan.series_only:
        return select_series(plan.dataflow.pk, plan.selection)
    return select_observations(plan.dataflow.pk, plan.selection)


def _read_batches(
    node: Node,
    plan: DataPlan,
    query: Callable[[], StoredQuery],
    size: int = 2000,
    *,
    small: Callable[[], StoredQuery] | None = None,
) -> Iterator[Sequence[tuple]]:
    """The records of the query `query` builds (one of the plan's), in batches of at most
    `size` (`DataStore.record_batches`): read at once when the plan names at most FEW_SERIES
    series keys (a series' observations are its periods: few enough to hold in memory) or
    a window of at most FEW_ROWS, the connection back in the pool while they are written;
    else streamed, an answer of unknown size after a try of FEW_ROWS at once where the
    engine gains by it (not a larger window: the try would step over its offset twice),
    in the form `small` builds, if given."""
    keys = plan.selection.series_keys
    limit = plan.selection.limit
    if (keys is not None and len(keys) <= FEW_SERIES) or (limit is not None and limit <= FEW_ROWS):
        yield from node.data.record_batches(query, size, whole=True)
    elif limit is not None:  # a larger window: a try would step over its offset twice
        yield from node.data.record_batches(query, size)
    else:
        yield from node.data.record_batches(query, size, probe=FEW_ROWS, small=small)


def record_layout(plan: DataPlan) -> RecordLayout:
    """Where each of the plan's columns comes from in a stored record."""
    layout = plan.layout
    cells: list[tuple[str, int]] = []
    for column in plan.columns:
        if column in layout.dimensions:
            cells.append(("key", layout.dimensions.index(column)))
        elif column == layout.time_dimension:
            cells.append(("time", 0))
        elif column in layout.measures:
            index = layout.measures.index(column)
            cells.append(("value", 0) if len(layout.measures) == 1 else ("measure", index))
        elif column in layout.series_attributes:
            cells.append(("series", layout.series_attributes.index(column)))
        elif column in layout.observation_attributes:
            cells.append(("observation", layout.observation_attributes.index(column)))
        else:
            cells.append(("none", 0))
    return RecordLayout(
        cells=tuple(cells),
        dimensions=len(layout.dimensions),
        series_width=len(layout.series_attributes),
        observation_width=len(layout.observation_attributes),
        separator=ATTRIBUTE_SEPARATOR,
        series_only=plan.series_only,
    )


def _row_builder(plan: DataPlan) -> Callable[[Iterable[tuple]], Iterator[tuple]]:
    """A generator function from stored records to output row tuples (ending with 0).

    It is generated once per query from the layout: a series' key and attributes are split
    when the series changes (records come series by series), and each observation costs
    one split of its attribute string and one tuple display, with no per-column loop: this
    is the hot path of every data answer.
    """
    layout = record_layout(plan)
    items: list[str] = []
    series_items: list[str] = []  # assignments made once per series
    for kind, index in layout.cells:
        if kind == "key":
            series_items.append(f"d{index} = k[{index}] or None")
            items.append(f"d{index}")
        elif kind == "time":
            items.append("p")
        elif kind == "value":
            items.append("v")
        elif kind == "measure":
            items.append(f"_at(m, {index})")
        elif kind == "series":
            series_items.append(f"s{index} = s[{index}] or None")
            items.append(f"s{index}")
        elif kind == "observation":
            items.append(f"(o[{index}] or None)")
        else:
            items.append("None")
    if plan.series_only:
        head = "p = v = m = None; o = _no_obs"
    else:
        multi = "m = v.split(_sep) if v else ()" if len(plan.layout.measures) > 1 else "m = None"
        head = f"p = r[2]; v = r[3]; o = r[4].split(_sep) if r[4] else _no_obs; {multi}"
    per_series = "".join(f"            {line}\n" for line in series_items)
    source = (
        "def expand(records):\n"
        "    key = attributes = None\n"
        "    for r in records:\n"
        "        if r[0] != key or r[1] != attributes:\n"
        "            key, attributes = r[0], r[1]\n"
        f"            k = key.split('.', {max(layout.dimensions - 1, 0)})\n"
        "            s = attributes.split(_sep) if attributes else _no_series\n"
        f"{per_series}"
        f"        {head}\n"
        f"        yield ({', '.join(items)}{', ' if items else ''}0)\n"
    )
    namespace = {
        "_sep": layout.separator,
        "_no_series": ("",) * layout.series_width,
        "_no_obs": ("",) * layout.observation_width,
        "_at": lambda values, index: values[index] or None if index < len(values) else None,
    }
    exec(compiled(source, "<row builder>"), namespace)  # noqa: S102 - generated above
    expand: Callable[[Iterable[tuple]], Iterator[tuple]] = namespace["expand"]  # type: ignore[assignment]
    return expand


def find_query_dataflow(node: Node, query: DataSelectionQuery) -> StoredArtefact:
    """The one stored dataflow with data that a query's context, agency, id and version name.

    A `datastructure` context names the dataflows of that DSD, a `provisionagreement` one
    the dataflow of the agreement. This node answers one dataflow per data query: several
    matches with data are a semantic error listing them.
    """
    return find_query_data(node, query)[0]


def find_query_data(node: Node, query: DataSelectionQuery) -> tuple[StoredArtefact, DataState]:
    """The one stored dataflow with data that a query names (`find_query_dataflow`), with
    the state of its data read on the way (for `plan_data_query`)."""
    if query.context in ("dataflow", "*"):
        # The dataflows and their data states in one statement (one round trip).
        found = node.data.find_dataflows_with_state(query.agencies, query.ids)
        flows = select_versions([flow for flow, _ in found], query.versions)
        states = {flow.pk: state for flow, state in found}
    else:
        type_ = "DataStructure" if query.context == "datastructure" else "ProvisionAgreement"
        named = node.store.find_artefacts({type_}, query.agencies, query.ids)
        chosen = select_versions(named, query.versions)
        related = follow_references(node.store, chosen, ["parents", "children"])
        flows = [a for a in related if a.ref.type == "Dataflow"]
        states = {f.pk: node.data.data_state(f.pk) for f in flows}
    with_data = [f for f in flows if states[f.pk] is not None]
    if not with_data:
        raise NoResults("no dataflow with data matches the query", where="flowRef")
    if len(with_data) > 1:
        names = ", ".join(f.ref.identity for f in with_data)
        raise SemanticError(
            f"the query matches several dataflows with data ({names}); this node answers "
            "one dataflow per data query: name its agency, id and version",
            where="flowRef",
        )
    state = states[with_data[0].pk]
    assert state is not None
    return with_data[0], state


def held_observations(node: Node, plan: DataPlan) -> int:
    """How many observations the plan's dataflow holds in all: counted once per version of
    its data (the plan's `version` names its last load) and kept in the model cache."""

    return node.cache.derived(
        ("held observations", plan.dataflow.pk, plan.version),
        lambda: node.data.count_observations(plan.dataflow.pk),
    )


def held_providers(node: Node, plan: DataPlan) -> list[str]:
    """The data providers of every series of the plan's dataflow ('' unattributed), sorted:
    read once per version of its data, as `held_observations`. Only a load adds series."""

    def read() -> list[str]:
        with node.data.reading() as reader:
            return reader.held_providers(plan.dataflow.pk)

    return list(node.cache.derived(("held providers", plan.dataflow.pk, plan.version), read))


def count_rows(node: Node, plan: DataPlan, limit: int, *, deletions: bool = False) -> int:
    """How many rows the plan selects, counting no further than `limit`."""
    if plan.selection.as_of is not None and not deletions:
        return sum(1 for _ in islice(iter_rows(node, plan), limit))
    if deletions:
        query = select_deletions(plan.dataflow.pk, plan.selection)
    elif plan.series_only:
        query = select_series(plan.dataflow.pk, plan.selection)
    else:
        query = select_observations(plan.dataflow.pk, plan.selection)
    with node.data.reading() as reader:
        return reader.count_up_to(query, limit)


def series_sizes(node: Node, plan: DataPlan) -> Iterator[tuple[str, int]]:
    """(series key, rows) of each series of the plan's answer, in the order it gives them
    (observations with neither first/lastNObservations nor a window), streamed."""
    query = select_series_sizes(plan.dataflow.pk, plan.selection)
    with node.data.reading() as reader:
        for key, size in reader.stream(query):
            yield key, int(size)


def history_result(node: Node, plan: DataPlan, languages: Sequence[str] = ()) -> DataResult | None:
    """`includeHistory=true`: one data set per load of the dataflow that wrote matching
    observations (action Replace, `validFromDate` the load's time), then one per load that
    deleted some (action Delete), oldest first; None when no load matches.

    SDMX-REST 1.5 `4_4_data_queries.md` and 2.x `data.md` ("includeHistory"). The history
    keeps observation values and attributes; series attributes are the current ones.
    """
    with node.data.reading() as reader:
        loads = reader.list_loads(plan.dataflow.pk)
    after, as_of = plan.selection.updated_after, plan.selection.as_of
    results: list[DataResult] = []
    deletions: list[DataResult] = []
    for load_pk, finished in loads:
        if (after is not None and finished <= after) or (as_of is not None and finished > as_of):
            continue
        moment = finished.replace(tzinfo=UTC).isoformat()
        written = select_written_by(plan.dataflow.pk, plan.selection, load_pk)
        deleted = select_deleted_by(plan.dataflow.pk, plan.selection, load_pk)
        with node.data.reading() as reader:
            has_written = bool(reader.count_up_to(written, 1))
            has_deleted = bool(reader.count_up_to(deleted, 1))
        if has_written:
            result = _result(node, plan, _history_rows(node, plan, written), "Replace", languages)
            result.valid_from = moment
            results.append(result)
        if has_deleted:
            result = _result(node, plan, _deleted_rows(node, plan, deleted), "Delete", languages)
            result.valid_from = moment
            deletions.append(result)
    ordered = results + deletions
    if not ordered:
        return None
    first = ordered[0]
    first.following = ordered[1:]
    return first


def _result(
    node: Node, plan: DataPlan, rows: Iterator[tuple], action: str, languages: Sequence[str]
) -> DataResult:
    return DataResult(
        structure_ref=plan.structure_ref,
        structure=plan.structure,
        columns=plan.columns,
        rows=rows,
        dimension_at_observation=plan.dimension_at_observation,
        action=action,
        labels=StructureInfoBuilder(node.store, node.cache).labels(
            plan.structure_ref, languages, plan.generation
        ),
    )


def _history_rows(node: Node, plan: DataPlan, query: StoredQuery) -> Iterator[tuple]:
    expand = _row_builder(plan)
    start, end = plan.selection.start, plan.selection.end
    time_index = (
        plan.columns.index(plan.layout.time_dimension)
        if plan.layout.time_dimension in plan.columns
        else None
    )
    keep = plan.row_filter
    with node.data.reading() as reader:
        for row in expand(reader.stream(query)):
            if time_index is not None and (start or end):
                period_start, period_end = period_bounds(row[time_index])
                if (start and period_end < start) or (end and period_start > end):
                    continue
            if keep is None or keep(row):
                yield row


def _deleted_rows(node: Node, plan: DataPlan, query: StoredQuery) -> Iterator[tuple]:
    """Rows of deleted observations: key and period only (measures, attributes None)."""
    dims = len(plan.layout.dimensions)
    time_index = (
        plan.columns.index(plan.layout.time_dimension)
        if plan.layout.time_dimension in plan.columns
        else None
    )
    width = len(plan.columns)
    with node.data.reading() as reader:
        for key, period in reader.stream(query):
            row: list[str | None] = [None] * width
            row[:dims] = key.split(".")
            if time_index is not None:
                row[time_index] = period
            yield (*row, 0)
