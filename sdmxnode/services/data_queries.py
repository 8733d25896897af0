"""Data queries: from a parsed query to a DataResult streaming rows out of the store."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sdmxnode.errors import BadRequest, NoResults, SemanticError
from sdmxnode.formats.data_rows import DataResult, StructureInfo, StructureRef
from sdmxnode.services.node import Node
from sdmxnode.services.structure_info import StructureInfoBuilder
from sdmxnode.storage.data_layout import Layout
from sdmxnode.storage.data_reads import (
    DataSelection,
    KeySet,
    last_change,
    select_deletions,
    select_observations,
    select_series,
    stream,
)
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.tables import ATTRIBUTE_SEPARATOR

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataPlan:
    """A data query bound to one stored dataflow: what to select and which columns to give."""

    dataflow: StoredArtefact
    structure_ref: StructureRef
    structure: StructureInfo
    layout: Layout
    selection: DataSelection
    columns: tuple[str, ...]
    series_only: bool
    with_observations: bool
    last_modified: datetime
    dimension_at_observation: str
    row_filter: Callable[[tuple], bool] | None = None

    def etag(self, *parts: str) -> str:
        digest = hashlib.sha256(
            "|".join((str(self.dataflow.pk), self.last_modified.isoformat(), *parts)).encode()
        )
        return digest.hexdigest()[:32]


def find_dataflows(
    node: Node, agencies: Sequence[str] | None, ids: Sequence[str] | None, versions
) -> list[StoredArtefact]:
    """Stored dataflows matching agency, id and version selectors."""
    candidates = node.store.find_artefacts({"Dataflow"}, agencies, ids)
    groups: dict[tuple[str, str], list[StoredArtefact]] = {}
    for artefact in candidates:
        groups.setdefault((artefact.ref.agency_id, artefact.ref.id), []).append(artefact)
    found = []
    for group in groups.values():
        wanted = set(versions.select([(a.ref.version, a.is_final) for a in group]))
        found.extend(a for a in group if a.ref.version in wanted)
    return found


def plan_data_query(
    node: Node,
    dataflow: StoredArtefact,
    *,
    keys: Sequence[Sequence[str | None]] | None,
    start: str | None,
    end: str | None,
    updated_after: datetime | None,
    first_n: int | None,
    last_n: int | None,
    detail: str,
    dimension_at_observation: str | None,
    period_range: Callable[[str], tuple[str, str]],
    row_filter: Callable[[tuple], bool] | None = None,
) -> DataPlan:
    """Bind a query to a dataflow: its structure, layout, key sets and columns."""
    layout = node.data.find_layout(dataflow.pk)
    if layout is None:
        raise NoResults(f"{dataflow.ref} has no data", where="flowRef")
    ref = StructureRef("dataflow", dataflow.ref.agency_id, dataflow.ref.id, dataflow.ref.version)
    structure = StructureInfoBuilder(node.store, node.cache)(ref)
    key_sets = _key_sets(keys, structure) if keys is not None else None
    selection = DataSelection(
        keys=key_sets,
        start=period_range(start)[0] if start else None,
        end=period_range(end)[1] if end else None,
        updated_after=_naive_utc(updated_after),
        first_n=first_n,
        last_n=last_n,
    )
    series_only = detail in ("serieskeysonly", "nodata")
    with_attributes = detail in ("full", "nodata")
    columns = structure.columns
    if not with_attributes:
        attributes = {a.id for a in structure.attributes}
        columns = tuple(c for c in columns if c not in attributes)
    obs_dim = dimension_at_observation or (
        structure.time_dimension.id if structure.time_dimension else "AllDimensions"
    )
    if obs_dim not in ("AllDimensions", *columns[: len(structure.dimensions) + 1]):
        raise SemanticError(
            f"dimensionAtObservation {obs_dim!r} is not a dimension of {structure.dsd}",
            where="dimensionAtObservation",
        )
    with node.data.engine.connect() as conn:
        changed = last_change(conn, dataflow.pk)
    last_modified = (changed or dataflow.updated.replace(tzinfo=None)).replace(tzinfo=UTC)
    return DataPlan(
        dataflow,
        ref,
        structure,
        layout,
        selection,
        columns,
        series_only,
        not series_only,
        max(last_modified, dataflow.updated),
        obs_dim,
        row_filter,
    )


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # SDMX-REST: no offset means the server's local time
    return moment.astimezone(UTC).replace(tzinfo=None)


def _key_sets(keys: Sequence[Sequence[str | None]], structure: StructureInfo) -> list[KeySet]:
    count = len(structure.dimensions)
    sets: list[KeySet] = []
    for key in keys:
        parts = list(key)
        if len(parts) > count:
            raise BadRequest(
                f"the key {'.'.join(p or '' for p in parts)!r} has {len(parts)} positions; "
                f"{structure.dsd} has {count} dimensions "
                f"({'.'.join(d.id for d in structure.dimensions)})",
                where="key",
            )
        parts += [None] * (count - len(parts))
        sets.append(
            tuple(None if part in (None, "", "*") else frozenset(part.split("+")) for part in parts)
        )
    return sets


def data_result(node: Node, plan: DataPlan) -> DataResult:
    """The DataResult of a plan; its rows stream from the database when iterated."""
    return DataResult(
        structure_ref=plan.structure_ref,
        structure=plan.structure,
        columns=plan.columns,
        rows=iter_rows(node, plan),
        dimension_at_observation=plan.dimension_at_observation,
        series_only=plan.series_only,
    )


def deletions_result(node: Node, plan: DataPlan) -> DataResult:
    """Observations deleted since `updatedAfter`, as a data set with action Delete."""
    layout = plan.layout
    dims = len(layout.dimensions)
    time_index = plan.columns.index(layout.time_dimension) if layout.time_dimension else None
    width = len(plan.columns)

    def rows() -> Iterator[tuple]:
        with node.data.engine.connect() as conn:
            for key, period in stream(conn, select_deletions(plan.dataflow.pk, plan.selection)):
                row: list[str | None] = [None] * width
                row[:dims] = key.split(".")
                if time_index is not None:
                    row[time_index] = period
                yield (*row, 0)

    return DataResult(
        structure_ref=plan.structure_ref,
        structure=plan.structure,
        columns=plan.columns,
        rows=rows(),
        dimension_at_observation=plan.dimension_at_observation,
        action="Delete",
    )


def iter_rows(node: Node, plan: DataPlan) -> Iterator[tuple]:
    """Stored rows expanded to the plan's columns (attribute strings split once per row)."""
    build = _row_builder(plan)
    query = (
        select_series(plan.dataflow.pk, plan.selection)
        if plan.series_only
        else select_observations(plan.dataflow.pk, plan.selection)
    )
    keep = plan.row_filter
    with node.data.engine.connect() as conn:
        for record in stream(conn, query):
            row = build(record)
            if keep is None or keep(row):
                yield row


def _row_builder(plan: DataPlan) -> Callable[[tuple], tuple]:
    """A function from a stored record to an output row tuple (ends with location 0).

    The function is generated once per query from the layout, so that expanding a row is
    one split per attribute string and one tuple display, with no per-column loop: this is
    the hot path of every data answer.
    """
    layout = plan.layout
    dims = len(layout.dimensions)
    items: list[str] = []
    for column in plan.columns:
        if column in layout.dimensions:
            items.append(f"(k[{layout.dimensions.index(column)}] or None)")
        elif column == layout.time_dimension:
            items.append("p")
        elif column in layout.measures:
            index = layout.measures.index(column)
            items.append("v" if len(layout.measures) == 1 else f"_at(m, {index})")
        elif column in layout.series_attributes:
            items.append(f"(s[{layout.series_attributes.index(column)}] or None)")
        elif column in layout.observation_attributes:
            items.append(f"(o[{layout.observation_attributes.index(column)}] or None)")
        else:
            items.append("None")
    series_width = len(layout.series_attributes)
    obs_width = len(layout.observation_attributes)
    if plan.series_only:
        head = "p = v = m = None; o = _no_obs"
    else:
        multi = "m = v.split(_sep) if v else ()" if len(layout.measures) > 1 else "m = None"
        head = f"p = r[2]; v = r[3]; o = r[4].split(_sep) if r[4] else _no_obs; {multi}"
    source = (
        "def build(r):\n"
        f"    k = r[0].split('.', {max(dims - 1, 0)})\n"
        "    s = r[1].split(_sep) if r[1] else _no_series\n"
        f"    {head}\n"
        f"    return ({', '.join(items)}{', ' if items else ''}0)\n"
    )
    namespace = {
        "_sep": ATTRIBUTE_SEPARATOR,
        "_no_series": ("",) * series_width,
        "_no_obs": ("",) * obs_width,
        "_at": lambda values, index: values[index] or None if index < len(values) else None,
    }
    exec(compile(source, "<row builder>", "exec"), namespace)  # noqa: S102 - generated above
    return namespace["build"]
