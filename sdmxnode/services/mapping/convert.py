"""Converting data sets row by row through a conversion plan, streaming, with findings.

Each data set of the map's source structure becomes a data set of its target dataflow whose
rows are plain tuples in the target's column order, the source line kept last, so that the
normal validation and load apply unchanged and name the source line. Per target component
the value is fixed (FixedValueMap), mapped (ComponentMap through a RepresentationMap),
copied (a ComponentMap without one, or, implicitly, the source component of the same id)
or converted from a date (DatePatternMap); any other target component is empty.

The work per row is a dictionary lookup: every mapped value depends on the source values of
the mapped components only (and, for rules with a validity, the period), so each distinct
combination is mapped once and the target row is picked from the cached values and the
source row by one `itemgetter`.

Findings (errors; the row is left out and nothing is stored):
- UNMAPPED_VALUE: a source value no rule of the representation map maps, once per
  component and value, at its first line (further rows with it are counted as suppressed);
- MAP_COLLISION: two different source series landing on one target series and period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from operator import itemgetter
from typing import Any

from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.rows import DatasetRows, StructureResolver
from sdmxnode.formats.sdmxml.maps import ComponentMapping
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.mapping.dates import DateConverter
from sdmxnode.services.mapping.plan import ConversionPlan, find_maps_between, plan_conversion
from sdmxnode.storage.structures import StructureStore
from sdmxnode.validation.report import Report

__all__ = ["convert_datasets", "convert_for_dataflow"]

_FAILED: Any = object()


def convert_datasets(
    datasets: Iterable[DatasetRows], plan: ConversionPlan, report: Report
) -> Iterator[DatasetRows]:
    """The data sets of `datasets` converted to the plan's target dataflow. A data set of
    another structure than the map's source is an error (its rows are read, not kept)."""
    for dataset in datasets:
        if not plan.converts(dataset.structure):
            source = plan.source.dataflow or plan.source.dsd
            report.error(
                "MAP_NOT_APPLICABLE",
                f"{dataset.source}: a data set for "
                f"{dataset.structure.dataflow or dataset.structure.dsd}, but "
                f"StructureMap {plan.structure_map.ref.identity} converts data of {source}",
            )
            for _ in dataset.rows:
                pass
            continue
        yield _Converter(plan, dataset, report).converted()


def convert_for_dataflow(
    datasets: Iterable[DatasetRows],
    store: StructureStore,
    resolve: StructureResolver,
    dataflow: ArtefactRef,
    report: Report,
) -> Iterator[DatasetRows]:
    """The data sets of a message sent to `dataflow`: those of `dataflow` as they are; one
    of another structure converted through the StructureMap the node holds from that
    structure onto `dataflow`, when it holds exactly one (else it passes unchanged, and the
    load names the mismatch)."""
    try:
        target = resolve(dataflow).dataflow or ""
    except SdmxNodeError:  # the load reports the unknown dataflow itself
        yield from datasets
        return
    plans: dict[str, ConversionPlan | None] = {}
    for dataset in datasets:
        structure = dataset.structure
        if structure.dataflow == target:
            yield dataset
            continue
        source = structure.dataflow or structure.dsd
        if source not in plans:
            maps = find_maps_between(store, structure, target)
            plans[source] = plan_conversion(store, resolve, maps[0]) if len(maps) == 1 else None
        plan = plans[source]
        if plan is None:
            yield dataset
        else:
            yield _Converter(plan, dataset, report).converted()


class _Converter:
    """One data set's conversion: the compiled row function and its caches."""

    def __init__(self, plan: ConversionPlan, dataset: DatasetRows, report: Report) -> None:
        self.plan = plan
        self.dataset = dataset
        self.report = report
        target = plan.target
        self.target_columns = target.columns
        source_index = {c: i for i, c in enumerate(dataset.columns)}
        self.source_index = source_index
        self.source_dimensions = tuple(
            source_index[d.id] for d in dataset.structure.dimensions if d.id in source_index
        )
        time = dataset.structure.time_dimension
        self.source_time = source_index.get(time.id) if time else None
        named = {t for m in plan.structure_map.components for t in m.targets}
        named |= {f.component for f in plan.structure_map.fixed_values if not f.on_source}
        named |= {t for d in plan.structure_map.date_patterns for t in d.targets}
        # mapped components: their inputs (source indices) and where their outputs go
        self.maps: list[tuple[ComponentMapping, tuple[int, ...]]] = []
        inputs: list[int] = []
        produced: dict[str, tuple[int, int]] = {}  # target id -> (map number, position)
        for component_map in plan.structure_map.components:
            indices = tuple(source_index.get(s, -1) for s in component_map.sources)
            for position, target_id in enumerate(component_map.targets):
                produced.setdefault(target_id, (len(self.maps), position))
            self.maps.append((component_map, indices))
            inputs.extend(i for i in indices if i >= 0)
        self.inputs = tuple(dict.fromkeys(inputs))
        self.input_getter = _getter(self.inputs)
        self.dated = any(
            m.representation_map is not None and plan.mappers[m.representation_map].dated
            for m, _ in self.maps
        )
        fixed = {
            f.component: (f.values[0] if f.values else None)
            for f in plan.structure_map.fixed_values
            if not f.on_source
        }
        self.dates = [DateConverter(d, source_index) for d in plan.structure_map.date_patterns]
        # cached values: one per target column that is mapped or fixed, in this order
        self.cached_columns: list[str] = []
        picks: list[int] = []
        width = 0
        cached_plan: list[tuple[str, Any]] = []
        for column in self.target_columns:
            if column in produced:
                cached_plan.append(("map", produced[column]))
            elif column in fixed:
                cached_plan.append(("fixed", fixed[column]))
            elif any(column in d.targets for d in plan.structure_map.date_patterns):
                cached_plan.append(("date", column))
            elif column not in named and column in source_index:
                picks.append(-1)  # placeholder: a copy from the source row
                continue
            else:
                cached_plan.append(("none", None))
            picks.append(-2)  # placeholder: a cached value
        self.cached_plan = cached_plan
        width = len(cached_plan)
        # positions in cached + row: cached values first, their 'shared' flag, the source row
        positions = []
        cached_number = 0
        for column, pick in zip(self.target_columns, picks, strict=True):
            if pick == -2:
                positions.append(cached_number)
                cached_number += 1
            else:
                positions.append(width + 1 + source_index[column])
        if dataset.action_column is not None:
            positions.append(width + 1 + dataset.action_column)
        positions.append(-1)  # the source location
        self.assemble = itemgetter(*positions)
        self.width = width
        target_dimensions = {d.id for d in target.dimensions}
        self.key_positions = tuple(
            i for i, c in enumerate(self.target_columns) if c in target_dimensions
        )
        self.key_getter = _getter(self.key_positions)
        self.time_position = (
            self.target_columns.index(target.time_dimension.id)
            if target.time_dimension and target.time_dimension.id in self.target_columns
            else None
        )
        #: Where a row lands (target key and period) and which source series it comes from.
        self.place_getter = _getter(
            self.key_positions + ((self.time_position,) if self.time_position is not None else ())
        )
        self.source_getter = _getter(self.source_dimensions)
        self.watch_all = self._loses_source_keys(produced, fixed, target_dimensions)
        self.cache: dict[Any, Any] = {}
        self.seen: dict[tuple, tuple[int, tuple]] = {}
        self.reported: set[tuple[str, tuple]] = set()

    def _loses_source_keys(
        self, produced: dict[str, tuple[int, int]], fixed: dict, target_dimensions: set[str]
    ) -> bool:
        """True when some source key dimension reaches no target key dimension: then any
        two source series may land on one target series."""
        kept: set[str] = set()
        for component_map, _ in self.maps:
            if any(t in target_dimensions for t in component_map.targets):
                kept.update(component_map.sources)
        for column in target_dimensions:
            if column not in produced and column not in fixed and column in self.source_index:
                kept.add(column)
        return any(d.id not in kept for d in self.dataset.structure.dimensions)

    def converted(self) -> DatasetRows:
        target = self.plan.target
        return replace(
            self.dataset,
            structure_ref=self.plan.target_ref,
            structure=target,
            columns=target.columns,
            rows=self.rows(self.dataset.rows),
            dataset_attributes=self._dataset_attributes(),
            unknown_columns=(),
            given=(),
            action_column=len(target.columns) if self.dataset.action_column is not None else None,
            conversion=self.plan.provenance,
        )

    def _dataset_attributes(self) -> dict[str, str]:
        """The data-set level attributes, converted like any row's (on a row of them)."""
        given = self.dataset.dataset_attributes
        if not given:
            return {}
        row = (
            tuple(given.get(c) for c in self.dataset.columns)
            + ((None,) if self.dataset.action_column is not None else ())
            + (0,)
        )
        values = self._values(row, None, quiet=True)
        if values is _FAILED:
            return {}
        converted = self.assemble(values + row)
        wanted = {a.id for a in self.plan.target.attributes if a.attachment == "dataset"}
        return {
            c: v
            for c, v in zip(self.target_columns, converted, strict=False)
            if c in wanted and v is not None
        }

    def rows(self, rows: Iterator[tuple]) -> Iterator[tuple]:
        """The target rows of `rows` (the hot loop: locals only, one lookup per row)."""
        cache = self.cache
        get_inputs = self.input_getter
        assemble = self.assemble
        dated = self.dated or bool(self.dates)
        time = self.source_time
        watch_all = self.watch_all
        place_of, source_of = self.place_getter, self.source_getter
        claim = self.seen.setdefault
        values_of = self._values
        for row in rows:
            if dated:
                values = values_of(row, row[time] if time is not None else None)
                if values is _FAILED:
                    continue
            else:
                key = get_inputs(row)
                values = cache.get(key)
                if values is None:
                    values = cache[key] = values_of(row, None)
                    if values is _FAILED:
                        continue
                elif values is _FAILED:  # reported at its first row
                    self.report.suppressed += 1
                    continue
            out = assemble(values + row)
            if watch_all or values[-1]:
                source = source_of(row)
                first = claim(place_of(out), (row[-1], source))
                if first[1] != source:
                    self._collision(row, out, source, first)
                    continue
            yield out

    def _values(self, row: tuple, period: str | None, *, quiet: bool = False) -> Any:
        """The cached part of the target row for `row`'s mapped values, with a last flag:
        True when another source series may give the same target values; or _FAILED."""
        mapped: list[tuple[str | None, ...]] = []
        shared = False
        for component_map, indices in self.maps:
            values = tuple(row[i] if i >= 0 else None for i in indices)
            rm = component_map.representation_map
            if rm is None or any(v is None or v == "" for v in values):
                mapped.append(values if rm is None else tuple(None for _ in component_map.targets))
                continue
            mapper = self.plan.mappers[rm]
            targets = mapper.map(values, period)  # type: ignore[arg-type]
            if targets is None:
                if not quiet:
                    self._unmapped(component_map, values, row)
                return _FAILED
            shared = shared or mapper.is_shared(targets)
            mapped.append(targets)
        out: list[Any] = []
        for kind, detail in self.cached_plan:
            if kind == "map":
                number, position = detail
                values = mapped[number]
                out.append(values[position] if values and position < len(values) else None)
            elif kind == "fixed":
                out.append(detail)
            elif kind == "date":
                out.append(self._date(detail, row, quiet))
            else:
                out.append(None)
        return (*out, shared)

    def _date(self, column: str, row: tuple, quiet: bool) -> str | None:
        for converter in self.dates:
            if column in converter.mapping.targets:
                value, problem = converter.convert(row)
                if problem and not quiet:
                    self.report.error("BAD_PERIOD", problem, line=row[-1] or None, component=column)
                return value
        return None

    def _unmapped(self, component_map: ComponentMapping, values: tuple, row: tuple) -> None:
        key = (",".join(component_map.sources), values)
        if key in self.reported:
            self.report.suppressed += 1
            return
        self.reported.add(key)
        rm = component_map.representation_map
        shown = ", ".join(repr(v) for v in values)
        self.report.error(
            "UNMAPPED_VALUE",
            f"{'/'.join(component_map.sources)} {shown}: no rule of RepresentationMap "
            f"{rm.identity if rm else ''} maps it (StructureMap "
            f"{self.plan.structure_map.ref.identity}); nothing was converted for this value",
            line=row[-1] or None,
            series_key=self._source_key(row),
            component=component_map.sources[0],
        )

    def _source_key(self, row: tuple) -> str:
        return ".".join(str(row[i] or "") for i in self.source_dimensions)

    def _collision(
        self, row: tuple, out: tuple, source_key: tuple, first: tuple[int, tuple]
    ) -> None:
        """Report a second source series landing on a target series and period already
        written by another (MAP_COLLISION); a source's own duplicate is left to validation
        (the row's place is then claimed by the same source key)."""
        period = out[self.time_position] if self.time_position is not None else ""
        target_key = self.key_getter(out)
        self.report.error(
            "MAP_COLLISION",
            f"source series {'.'.join(str(v or '') for v in source_key)} (line {row[-1]}) and "
            f"{'.'.join(str(v or '') for v in first[1])} (line {first[0]}) both become target "
            f"series {'.'.join(str(v or '') for v in target_key)} for period {period!r} through "
            f"StructureMap {self.plan.structure_map.ref.identity}",
            line=row[-1] or None,
            series_key=".".join(str(v or "") for v in target_key),
            period=period or None,
        )


def _getter(positions: tuple[int, ...]) -> Callable[[tuple], tuple]:
    """A function picking `positions` of a row as a tuple (also for one or no position)."""
    if not positions:
        return lambda row: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return itemgetter(*positions)
