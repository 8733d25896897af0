"""Aggregate consistency: each aggregate code's figure against the sum of its members' figures.

An aggregate is a code of a dimension's code list that other codes name as their `Parent`,
or that lists its members in a `MEMBERS` annotation (`StructureInfo` gives both as
`Component.hierarchy`). Figures are compared within a *group*: observations that agree on
every other dimension, on the unit of measure and on the period.

Only additive measures are compared: a series is additive when its `UNIT_MEASURE` is a count
or an amount (`ADDITIVE_UNITS`: persons, numbers, currencies); percentages, rates, ranks,
years and series without a unit are left out, since their aggregates are not sums. Figures
are scaled by `10 ** UNIT_MULT` when the series gives one.

A member without a figure is reported as missing, never guessed; a missing member that is
itself an aggregate is replaced by its own members when some of those have figures (M49
"Americas" is not in the UN DESA table, its two sub-regions are), and is listed as expanded.

`check_aggregates` is the message rule (warnings): it buffers, per hierarchical dimension,
one float per observation whose code takes part in some aggregate, since the members of a
group are spread over the whole message; at most `max_figures` of them, after which the rule
stops with one AGGREGATE_NOT_CHECKED warning. The check of stored data streams instead
(`sdmxnode.services.checks.aggregates`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sdmxnode.formats.rows import DatasetRows, StructureInfo
from sdmxnode.validation.report import Report

#: Units of measure (IMDX:CL_UNIT_MEASURE and the usual SDMX ids) whose figures add up.
ADDITIVE_UNITS = frozenset({"PS", "PERSONS", "NUMBER", "NUM", "USD", "EUR", "CUR_LCU", "XDC"})
DEFAULT_TOLERANCE = 0.001
DEFAULT_MAX_FIGURES = 2_000_000

OK = "ok"
MISMATCH = "mismatch"
NO_MEMBERS = "no_members"


#: The columns of an aggregate report, in order.
AGGREGATE_COLUMNS = (
    "dimension",
    "aggregate",
    "series_key",
    "period",
    "unit",
    "value",
    "members_sum",
    "difference",
    "relative_difference",
    "status",
    "members",
    "missing",
    "expanded",
)


@dataclass(frozen=True)
class Hierarchy:
    """The aggregates of one key dimension: aggregate code -> member codes."""

    dimension: str
    position: int  # index among the key dimensions
    members: Mapping[str, tuple[str, ...]]

    @property
    def codes(self) -> frozenset[str]:
        """Every code that is an aggregate or a member of one."""
        found = set(self.members)
        for members in self.members.values():
            found.update(members)
        return frozenset(found)


@dataclass(frozen=True)
class AggregateComparison:
    """One aggregate of one group and period against the sum of its members."""

    dimension: str
    aggregate: str
    series_key: str  # the aggregate's series key
    period: str
    unit: str
    value: float
    members_sum: float | None  # None when no member has a figure
    members: tuple[str, ...]  # members whose figures were summed
    missing: tuple[str, ...]  # members without a figure
    expanded: tuple[str, ...]  # missing aggregate members replaced by their own members
    tolerance: float

    @property
    def difference(self) -> float | None:
        """Aggregate minus the members' sum."""
        return None if self.members_sum is None else self.value - self.members_sum

    @property
    def relative_difference(self) -> float | None:
        """The difference as a share of the aggregate (None for a zero aggregate)."""
        difference = self.difference
        if difference is None or self.value == 0:
            return None
        return difference / abs(self.value)

    @property
    def status(self) -> str:
        """OK, MISMATCH (outside the tolerance) or NO_MEMBERS (no member figures)."""
        difference = self.difference
        if difference is None:
            return NO_MEMBERS
        return OK if abs(difference) <= self.tolerance * abs(self.value) else MISMATCH

    def to_record(self) -> dict[str, Any]:
        """The comparison as a flat record (the columns of AGGREGATE_COLUMNS)."""
        return {
            "dimension": self.dimension,
            "aggregate": self.aggregate,
            "series_key": self.series_key,
            "period": self.period,
            "unit": self.unit,
            "value": self.value,
            "members_sum": self.members_sum,
            "difference": self.difference,
            "relative_difference": self.relative_difference,
            "status": self.status,
            "members": list(self.members),
            "missing": list(self.missing),
            "expanded": list(self.expanded),
        }


def hierarchies_of(structure: StructureInfo) -> list[Hierarchy]:
    """The hierarchical key dimensions of a structure."""
    return [
        Hierarchy(dimension.id, position, dict(dimension.hierarchy))
        for position, dimension in enumerate(structure.dimensions)
        if dimension.hierarchy
    ]


def is_additive(unit: str | None) -> bool:
    """Whether figures in this unit of measure add up (counts do, rates and shares do not)."""
    return unit is not None and unit in ADDITIVE_UNITS


def figure(value: str | None, unit_mult: str | None) -> float | None:
    """An observation value as a number scaled by UNIT_MULT, or None (missing, NaN, text)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    if unit_mult:
        try:
            number *= 10 ** int(unit_mult)
        except ValueError:
            return None
    return number


def compare_group(
    hierarchy: Hierarchy,
    values: Mapping[str, float],
    tolerance: float,
    *,
    key: tuple[str, ...],
    period: str,
    unit: str,
) -> Iterator[AggregateComparison]:
    """Each aggregate with a figure in `values` (code -> figure of one group and period)
    against its members; `key` holds the group's other dimension values, the hierarchy's
    position included (any value)."""
    for aggregate in sorted(hierarchy.members, key=_code_order):
        if aggregate not in values:
            continue
        present: list[str] = []
        missing: list[str] = []
        expanded: list[str] = []
        _resolve(
            hierarchy.members[aggregate],
            values,
            hierarchy.members,
            present,
            missing,
            expanded,
            {aggregate},
        )
        parts = list(key)
        parts[hierarchy.position] = aggregate
        yield AggregateComparison(
            dimension=hierarchy.dimension,
            aggregate=aggregate,
            series_key=".".join(parts),
            period=period,
            unit=unit,
            value=values[aggregate],
            members_sum=math.fsum(values[m] for m in present) if present else None,
            members=tuple(present),
            missing=tuple(missing),
            expanded=tuple(expanded),
            tolerance=tolerance,
        )


def _resolve(
    members: tuple[str, ...],
    values: Mapping[str, float],
    tree: Mapping[str, tuple[str, ...]],
    present: list[str],
    missing: list[str],
    expanded: list[str],
    seen: set[str],
) -> None:
    for member in members:
        if member in seen:
            continue
        seen.add(member)
        if member in values:
            present.append(member)
        elif member in tree and _has_figures(tree[member], values, tree, set(seen)):
            expanded.append(member)
            _resolve(tree[member], values, tree, present, missing, expanded, seen)
        else:
            missing.append(member)


def _has_figures(
    members: tuple[str, ...],
    values: Mapping[str, float],
    tree: Mapping[str, tuple[str, ...]],
    seen: set[str],
) -> bool:
    for member in members:
        if member in seen:
            continue
        seen.add(member)
        if member in values or (member in tree and _has_figures(tree[member], values, tree, seen)):
            return True
    return False


def _code_order(code: str) -> tuple[int, str]:
    return (0, f"{int(code):09d}") if code.isdigit() else (1, code)


def number_text(number: float | None) -> str:
    """A figure for people and CSV: integers without a decimal point."""
    if number is None:
        return ""
    if number.is_integer() and abs(number) < 1e17:
        return str(int(number))
    return repr(number)


def finding_message(comparison: AggregateComparison) -> str:
    """The finding text of a mismatch: the aggregate, its members' sum and the difference."""
    relative = comparison.relative_difference
    share = f", {relative:+.3%}" if relative is not None else ""
    text = (
        f"{comparison.dimension} {comparison.aggregate} = {number_text(comparison.value)} but "
        f"its members sum to {number_text(comparison.members_sum)} (difference "
        f"{number_text(comparison.difference)}{share}; tolerance {comparison.tolerance:g})"
    )
    if comparison.missing:
        text += f"; members without a figure: {' '.join(comparison.missing)}"
    if comparison.expanded:
        text += f"; replaced by their members: {' '.join(comparison.expanded)}"
    return text


def check_aggregates(
    datasets: Iterable[DatasetRows],
    report: Report,
    *,
    applies: Callable[[DatasetRows], bool],
    tolerance: float = DEFAULT_TOLERANCE,
    max_figures: int = DEFAULT_MAX_FIGURES,
) -> Iterator[DatasetRows]:
    """Each data set of a message; those `applies` accepts get their rows watched, and
    AGGREGATE_MISMATCH warnings go to `report` once their rows are exhausted."""
    for dataset in datasets:
        hierarchies = hierarchies_of(dataset.structure) if applies(dataset) else []
        if not hierarchies or dataset.action == "Delete":
            yield dataset
            continue
        yield dataclasses.replace(
            dataset,
            rows=_watched_rows(dataset, hierarchies, report, tolerance, max_figures),
        )


# C901 allowed: a loop over every row of a load with the aggregate rule, kept in one function
# (a function call per row costs more than the branches it would hide).
def _watched_rows(  # noqa: C901
    dataset: DatasetRows,
    hierarchies: list[Hierarchy],
    report: Report,
    tolerance: float,
    max_figures: int,
) -> Iterator[tuple]:
    columns = dataset.columns
    positions = [_index(columns, d.id) for d in dataset.structure.dimensions]
    time_index = _index(
        columns, dataset.structure.time_dimension.id if dataset.structure.time_dimension else None
    )
    value_index = _index(
        columns, dataset.structure.measures[0].id if dataset.structure.measures else None
    )
    unit_index = _index(columns, "UNIT_MEASURE")
    mult_index = _index(columns, "UNIT_MULT")
    if value_index is None or unit_index is None:
        yield from dataset.rows
        return
    codes = [h.codes for h in hierarchies]
    groups: list[dict[tuple, dict[str, float]]] = [{} for _ in hierarchies]
    held = 0
    stopped = False
    for row in dataset.rows:
        yield row
        if stopped:
            continue
        unit = row[unit_index]
        if not is_additive(unit):
            continue
        number = figure(row[value_index], row[mult_index] if mult_index is not None else None)
        if number is None:
            continue
        period = row[time_index] if time_index is not None else ""
        for index, hierarchy in enumerate(hierarchies):
            at = positions[hierarchy.position]
            code = row[at] if at is not None else None
            if code not in codes[index]:
                continue
            rest = tuple("" if i is None or i == at else (row[i] or "") for i in positions)
            groups[index].setdefault((rest, unit, period), {})[code] = number
            held += 1
        if held > max_figures:
            stopped = True
            groups = []
            report.warning(
                "AGGREGATE_NOT_CHECKED",
                f"aggregates not checked: the message holds more than {max_figures} figures "
                "that take part in aggregates; check the stored data instead "
                "(GET /checks/aggregates/...)",
            )
    for index, hierarchy in enumerate(hierarchies if not stopped else []):
        for (rest, unit, period), values in groups[index].items():
            for comparison in compare_group(
                hierarchy, values, tolerance, key=rest, period=period, unit=unit
            ):
                if comparison.status == MISMATCH:
                    report.warning(
                        "AGGREGATE_MISMATCH",
                        finding_message(comparison),
                        series_key=comparison.series_key,
                        period=period or None,
                        component=hierarchy.dimension,
                    )


def _index(columns: tuple[str, ...], name: str | None) -> int | None:
    return columns.index(name) if name is not None and name in columns else None
