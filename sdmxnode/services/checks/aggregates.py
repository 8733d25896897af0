"""The aggregate check over stored data, and the switch that puts its rule into loads.

Memory: the stored data are read one hierarchical dimension at a time, sorted by the
database so that the figures of one group (one value of every other dimension and one
period) arrive together; the check holds the figures of that one group, at most one per code
of the dimension's code list (about 300 for IMDX:CL_AREA), whatever the size of the dataflow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sdmxnode.config import Settings
from sdmxnode.errors import BadRequest, NoResults
from sdmxnode.formats.rows import DatasetRows, StructureInfo
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.periods import period_range
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.storage.check_reads import select_hierarchy_groups
from sdmxnode.storage.data.layout import Layout
from sdmxnode.storage.data.reads import DataSelection
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.tables import ATTRIBUTE_SEPARATOR
from sdmxnode.validation.aggregates import (
    AggregateComparison,
    Hierarchy,
    check_aggregates,
    compare_group,
    figure,
    hierarchies_of,
    is_additive,
)
from sdmxnode.validation.report import Report

if TYPE_CHECKING:
    from sdmxnode.services.node import Node


@dataclass(frozen=True)
class CheckTarget:
    """A stored dataflow with data, as the checks need it."""

    dataflow: StoredArtefact
    structure: StructureInfo
    layout: Layout
    last_modified: datetime

    @property
    def name(self) -> str:
        """AGENCY:ID(VERSION) of the checked dataflow."""
        return self.dataflow.ref.identity


def find_check_target(node: Node, agency_id: str, id_: str, version: str = "") -> CheckTarget:
    """The dataflow a check names (latest version when none is given); NotFound when the
    node does not hold it, NoResults when it holds no data for it."""
    builder = StructureInfoBuilder(node.store, node.cache)
    ref = ArtefactRef("Dataflow", agency_id, id_, version)
    dataflow = builder.find_artefact(ref)
    layout = node.data.find_layout(dataflow.pk)
    if layout is None:
        raise NoResults(f"{agency_id}:{id_} has no data", where="dataflow")
    structure = builder(ref)
    with node.data.reading() as reader:
        changed = reader.last_change(dataflow.pk)
    moment = changed.replace(tzinfo=UTC) if changed else dataflow.updated
    return CheckTarget(dataflow, structure, layout, max(moment, dataflow.updated))


def period_selection(start: str | None, end: str | None) -> DataSelection:
    """The stored-data selection of a startPeriod / endPeriod pair (SDMX-REST syntax)."""
    return DataSelection(
        start=period_range(start, where="startPeriod")[0] if start else None,
        end=period_range(end, where="endPeriod")[1] if end else None,
    )


def parse_tolerance(text: str | None, default: float) -> float:
    """A relative tolerance from its text (None or empty: `default`); BadRequest otherwise."""
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise BadRequest(f"tolerance must be a number, not {text!r}", where="tolerance") from exc
    if not 0 <= value < 1:
        raise BadRequest(
            "tolerance is a share of the aggregate, from 0 to below 1", where="tolerance"
        )
    return value


def check_stored_aggregates(
    node: Node,
    target: CheckTarget,
    *,
    tolerance: float,
    selection: DataSelection | None = None,
    areas: frozenset[str] | None = None,
) -> Iterator[AggregateComparison]:
    """Every aggregate figure of the dataflow against its members' sum, per hierarchical
    dimension, group and period; `areas` keeps the aggregates with those codes."""
    selection = selection or DataSelection()
    width = len(target.layout.dimensions)
    unit_of = _unit_reader(target.layout)
    for hierarchy in hierarchies_of(target.structure):
        wanted = set(hierarchy.members) if areas is None else set(hierarchy.members) & areas
        with node.data.reading() as reader:
            held = set(reader.distinct_values(target.dataflow.pk, selection, hierarchy.position))
        if not wanted & held:
            continue
        if areas is None and not held & _members_of(wanted & held, hierarchy.members):
            continue  # no member of any aggregate has data (EDUCATION_LEV=_T alone)
        codes = None if areas is None else _with_descendants(wanted, hierarchy.members)
        query = select_hierarchy_groups(
            target.dataflow.pk, selection, width=width, position=hierarchy.position, codes=codes
        )
        for comparison in _compare_stream(node, query, hierarchy, unit_of, tolerance, width):
            if comparison.aggregate in wanted:
                yield comparison


def _compare_stream(
    node: Node,
    query: Any,
    hierarchy: Hierarchy,
    unit_of: Callable[[tuple, str | None], tuple[str | None, str | None]],
    tolerance: float,
    width: int,
) -> Iterator[AggregateComparison]:
    position = hierarchy.position
    current: tuple | None = None
    last_key: tuple = ()
    by_unit: dict[str, dict[str, float]] = {}
    with node.data.reading() as reader:
        for record in reader.stream(query):
            key = record[:width]
            group = (*key[:position], *key[position + 1 :], record[width + 1])
            if group != current:
                if current is not None:
                    yield from _flush(hierarchy, by_unit, tolerance, last_key, current[-1])
                current, by_unit = group, {}
            last_key = tuple("" if i == position else v for i, v in enumerate(key))
            unit, unit_mult = unit_of(key, record[width])
            if not is_additive(unit):
                continue
            number = figure(record[width + 2], unit_mult)
            if number is not None:
                by_unit.setdefault(str(unit), {})[key[position]] = number
        if current is not None:
            yield from _flush(hierarchy, by_unit, tolerance, last_key, current[-1])


def _flush(
    hierarchy: Hierarchy,
    by_unit: Mapping[str, Mapping[str, float]],
    tolerance: float,
    key: tuple,
    period: str,
) -> Iterator[AggregateComparison]:
    for unit, values in sorted(by_unit.items()):
        yield from compare_group(hierarchy, values, tolerance, key=key, period=period, unit=unit)


def _unit_reader(
    layout: Layout,
) -> Callable[[tuple, str | None], tuple[str | None, str | None]]:
    """(unit, unit multiplier) of a stored series from its key and attribute string."""
    unit_dim = _position(layout.dimensions, "UNIT_MEASURE")
    unit_attr = _position(layout.series_attributes, "UNIT_MEASURE")
    mult_attr = _position(layout.series_attributes, "UNIT_MULT")

    def read(key: tuple, attributes: str | None) -> tuple[str | None, str | None]:
        values = attributes.split(ATTRIBUTE_SEPARATOR) if attributes else []
        unit = key[unit_dim] if unit_dim is not None else _at(values, unit_attr)
        return unit, _at(values, mult_attr)

    return read


def _position(names: tuple[str, ...], name: str) -> int | None:
    return names.index(name) if name in names else None


def _at(values: list[str], index: int | None) -> str | None:
    if index is None or index >= len(values):
        return None
    return values[index] or None


def _members_of(codes: set[str], tree: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    return _with_descendants(set().union(*(tree[c] for c in codes)), tree) if codes else frozenset()


def _with_descendants(codes: set[str], tree: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    found: set[str] = set()
    todo = list(codes)
    while todo:
        code = todo.pop()
        if code in found:
            continue
        found.add(code)
        todo.extend(tree.get(code, ()))
    return frozenset(found)


def aggregate_switch(settings: Settings) -> Callable[[DatasetRows], bool]:
    """Whether the message rule applies to a data set: its dataflow ('AGENCY:ID') is listed
    in the AGGREGATE_CHECKS setting, or the setting is '*'."""
    listed = {part.strip() for part in settings.aggregate_checks.split(",") if part}

    def applies(dataset: DatasetRows) -> bool:
        if "*" in listed:
            return True
        flow = dataset.structure.dataflow or ""
        name = flow.split("(", 1)[0]
        ref = dataset.structure_ref
        return name in listed or (ref.kind == "dataflow" and f"{ref.agency_id}:{ref.id}" in listed)

    return applies


def watch_aggregates(
    datasets: Iterable[DatasetRows], report: Report, settings: Settings | None
) -> Iterator[DatasetRows]:
    """The data sets of a message with the aggregate rule on those the settings switch on
    (none without settings)."""
    if settings is None or not settings.aggregate_checks.strip():
        return iter(datasets)
    return check_aggregates(
        datasets,
        report,
        applies=aggregate_switch(settings),
        tolerance=settings.aggregate_tolerance,
    )
