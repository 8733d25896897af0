"""SDMX-REST 2.x component filters (`c[COMPONENT]=op:value`) applied to data rows.

Dimension filters made only of `eq` terms narrow the key sets, so they become SQL
predicates; everything else (other operators, attributes, measures) is evaluated on each
row as it streams (2.x `data.md`, "Filtering data").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sdmxnode.errors import BadRequest
from sdmxnode.formats.rows import StructureInfo
from sdmxnode.rest.filters import ComponentFilter
from sdmxnode.rest.periods import period_range
from sdmxnode.storage.data.reads import KeySet


def narrow_keys(
    key_sets: list[KeySet] | None, filters: Sequence[ComponentFilter], structure: StructureInfo
) -> tuple[list[KeySet] | None, list[ComponentFilter]]:
    """Fold `eq`-only dimension filters into the key sets; the filters left for rows."""
    dimensions = [d.id for d in structure.dimensions]
    known = set(structure.columns)
    rest: list[ComponentFilter] = []
    for component_filter in filters:
        if component_filter.component not in known:
            raise BadRequest(
                f"c[{component_filter.component}]: {structure.dsd} has no such component",
                where=f"c[{component_filter.component}]",
            )
        equal_only = all(
            operator == "eq" for clause in component_filter.clauses for operator, _ in clause
        )
        single_terms = all(len(clause) == 1 for clause in component_filter.clauses)
        if component_filter.component in dimensions and equal_only and single_terms:
            position = dimensions.index(component_filter.component)
            values = frozenset(value for clause in component_filter.clauses for _, value in clause)
            key_sets = _intersect(key_sets, position, values, len(dimensions))
        else:
            rest.append(component_filter)
    return key_sets, rest


def _intersect(
    key_sets: list[KeySet] | None, position: int, values: frozenset[str], width: int
) -> list[KeySet]:
    if key_sets is None:
        key_sets = [tuple([None] * width)]
    narrowed = []
    for key in key_sets:
        current = key[position]
        new = values if current is None else current & values
        narrowed.append(key[:position] + (new,) + key[position + 1 :])
    return narrowed


def row_filter(
    filters: Sequence[ComponentFilter], columns: Sequence[str], time_dimension: str | None
) -> Callable[[tuple], bool] | None:
    """A predicate over output rows for the filters SQL did not apply (None: keep all)."""
    tests = []
    for component_filter in filters:
        if component_filter.component not in columns:
            continue  # e.g. an attribute filter with attributes=none: nothing to compare
        index = columns.index(component_filter.component)
        is_time = component_filter.component == time_dimension
        clauses = [
            [_term(operator, value, is_time) for operator, value in clause]
            for clause in component_filter.clauses
        ]
        tests.append((index, clauses))
    if not tests:
        return None

    def keep(row: tuple) -> bool:
        for index, clauses in tests:
            value = row[index]
            if not any(all(term(value) for term in clause) for clause in clauses):
                return False
        return True

    return keep


def _term(operator: str, wanted: str, is_time: bool) -> Callable[[str | None], bool]:
    if operator in ("co", "nc", "sw", "ew"):
        check = {
            "co": lambda v: wanted in v,
            "nc": lambda v: wanted not in v,
            "sw": lambda v: v.startswith(wanted),
            "ew": lambda v: v.endswith(wanted),
        }[operator]
        return lambda value: value is not None and check(value)
    if is_time:
        start, end = period_range(wanted, where="c[TIME_PERIOD]")

        def compare_time(value: str | None) -> bool:
            if value is None:
                return False
            v_start, v_end = period_range(value, where="TIME_PERIOD")
            return {
                "eq": v_start == start and v_end == end,
                "ne": not (v_start == start and v_end == end),
                "lt": v_end < start,
                "le": v_start <= end,
                "gt": v_start > end,
                "ge": v_end >= start,
            }[operator]

        return compare_time

    def compare(value: str | None) -> bool:
        if value is None:
            return operator == "ne"
        left: object = value
        right: object = wanted
        try:
            left, right = float(value), float(wanted)
        except ValueError:
            pass
        return {
            "eq": left == right,
            "ne": left != right,
            "lt": left < right,  # type: ignore[operator]
            "le": left <= right,  # type: ignore[operator]
            "gt": left > right,  # type: ignore[operator]
            "ge": left >= right,  # type: ignore[operator]
        }[operator]

    return compare
