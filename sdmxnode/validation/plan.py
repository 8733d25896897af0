"""What to check in each column of a data set, worked out once before its rows stream by."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from sdmxnode.formats.rows import Component, DatasetRows
from sdmxnode.validation.values import MISSING_VALUES, describe_type, number_check

Getter = Callable[[tuple], tuple]
_SHOWN_CODES = 12


@dataclass(frozen=True)
class ValueRule:
    """How the values of one column are checked: codes, constraints, number type."""

    index: int  # position in the row
    component: Component
    scope: str  # 'dimension' | 'measure' | 'dataset' | 'series' | 'observation'
    codes: frozenset[str] | None
    allowed: frozenset[str] | None  # from content constraints; None: unconstrained
    ok: frozenset[str] | None  # codes (and allowed) when coded: the fast path
    number: Callable[[str], bool] | None
    key_positions: tuple[int, ...] = ()  # series/group: the key positions it attaches to

    @property
    def mandatory(self) -> bool:
        """Whether the component must have a value (its assignment status is Mandatory)."""
        return self.component.mandatory

    def problem(self, value: str, dataflow: str | None) -> tuple[str, str] | None:
        """(finding code, message) for a value that breaks this rule, else None."""
        cid = self.component.id
        if self.codes is not None and value not in self.codes:
            return "UNKNOWN_CODE", (
                f"{cid} = {value!r} is not a code of {self.component.codelist}; "
                f"allowed: {_sample(self.codes)}"
            )
        if self.allowed is not None and value not in self.allowed:
            where = f"dataflow {dataflow}" if dataflow else "the DSD"
            return "NOT_ALLOWED", (
                f"{cid} = {value!r} is not allowed by the content constraints of {where}; "
                f"allowed: {_sample(self.allowed)}"
            )
        if self.number is not None and value not in MISSING_VALUES and not self.number(value):
            return "NOT_NUMERIC", (
                f"{cid} = {value!r} is not {describe_type(self.component.text_type)}"
            )
        return None


def _sample(values: frozenset[str]) -> str:
    ordered = sorted(values)
    if len(ordered) <= _SHOWN_CODES:
        return ", ".join(ordered)
    return ", ".join(ordered[:_SHOWN_CODES]) + f", ... ({len(ordered)} in all)"


@dataclass
class RowPlan:
    """Positions, rules and fast getters for one data set's rows."""

    dimension_ids: tuple[str, ...]
    key_of: Getter
    dimension_rules: tuple[ValueRule | None, ...]  # by key position; None: nothing to check
    absent_dimensions: tuple[str, ...]  # DSD dimensions with no column at all
    freq_position: int | None
    time_index: int | None
    measure_indices: tuple[int, ...]
    measure_codes: tuple[tuple[int, frozenset[str], ValueRule], ...]  # coded measures
    measure_numbers: tuple[tuple[int, Callable[[str], bool], ValueRule], ...]
    series_rules: tuple[ValueRule, ...]  # data-set, group and series level attributes
    series_values: Getter | None
    observation_rules: tuple[ValueRule, ...]  # coded or mandatory observation attributes
    observation_values: Getter | None
    #: numeric uncoded observation attributes: (index, predicate, rule)
    observation_numbers: tuple[tuple[int, Callable[[str], bool], ValueRule], ...]
    unknown_columns: tuple[tuple[int, str], ...]
    dimensions_out_of_order: bool
    action_index: int | None
    #: Every data-set, group and series attribute of the data set (free text included):
    #: one value per series (or group, or data set), checked for conflicts between rows.
    held_rules: tuple[ValueRule, ...] = ()
    held_values: Getter | None = None
    #: Whether every series rule's column is among the held ones: rows with the same held
    #: values then have the same series values.
    series_within_held: bool = False
    #: A row's key values, then its held values, in one tuple (the fast path's getter);
    #: None when the data set lacks a column for some dimension.
    series_of: Getter | None = None


def getter(indices: list[int]) -> Getter | None:
    """A callable returning the tuple of a row's values at `indices` (None if no index)."""
    if not indices:
        return None
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return itemgetter(*indices)


def _key_getter(dimension_indices: list[int | None], some_absent: bool) -> Getter:
    """The series key of a row: its dimension values in DSD order, None for absent ones."""
    present = [i for i in dimension_indices if i is not None]
    if some_absent:
        return _padded_key(dimension_indices) if present else (lambda row: ())
    return getter(present) or (lambda row: ())


def _attached_positions(
    attribute: Component, scope: str, dimension_positions: dict[str, int]
) -> tuple[int, ...]:
    """The key positions a series attribute depends on; () for the whole key."""
    related = [dimension_positions.get(d) for d in attribute.related_dimensions]
    if scope == "series" and related and len(related) < len(dimension_positions):
        if all(p is not None for p in related):
            return tuple(sorted(p for p in related if p is not None))
    return ()


def plan_rows(dataset: DatasetRows) -> RowPlan:
    """Work out the checks for `dataset`'s rows from its columns and structure."""
    structure = dataset.structure
    index = {column: i for i, column in enumerate(dataset.columns)}
    dimension_ids = tuple(d.id for d in structure.dimensions)
    dimension_positions = {d: p for p, d in enumerate(dimension_ids)}

    def rule(component: Component, scope: str, positions: tuple[int, ...] = ()) -> ValueRule:
        allowed = structure.allowed.get(component.id)
        codes = component.codes
        ok = None
        if codes is not None:
            ok = codes & allowed if allowed is not None else codes
        number = None if codes is not None else number_check(component.text_type)
        if scope != "measure" and component.text_type is None:
            number = None  # an attribute without type is free text
        return ValueRule(
            index[component.id], component, scope, codes, allowed, ok, number, positions
        )

    dimension_indices = [index.get(d) for d in dimension_ids]
    absent = tuple(d for d, i in zip(dimension_ids, dimension_indices, strict=True) if i is None)
    key_of = _key_getter(dimension_indices, bool(absent))
    dimension_rules = tuple(
        rule(d, "dimension") if d.id in index else None for d in structure.dimensions
    )
    time = structure.time_dimension
    measures = [m for m in structure.measures if m.id in index]
    measure_rules = [rule(m, "measure") for m in measures]
    series_rules: list[ValueRule] = []
    held_rules: list[ValueRule] = []  # every data-set/series/group attribute given
    observation_rules: list[ValueRule] = []
    observation_numbers: list[ValueRule] = []
    for attribute in structure.attributes:
        if attribute.id not in index:
            continue
        if attribute.attachment == "observation":
            checked = rule(attribute, "observation")
            if checked.ok is not None or checked.mandatory:
                observation_rules.append(checked)
            elif checked.number is not None:
                observation_numbers.append(checked)
            continue
        scope = "dataset" if attribute.attachment == "dataset" else "series"
        positions = _attached_positions(attribute, scope, dimension_positions)
        checked = rule(attribute, scope, positions)
        if all(d in dimension_positions for d in attribute.related_dimensions):
            held_rules.append(checked)  # one value per series/group (not per period)
        if checked.ok is not None or checked.number is not None or checked.mandatory:
            series_rules.append(checked)
    known = set(structure.columns)
    unknown = tuple(
        (i, column)
        for i, column in enumerate(dataset.columns)
        if column not in known and i != dataset.action_column
    )
    in_message = [c for c in dataset.columns if c in dimension_positions]
    return RowPlan(
        dimension_ids=dimension_ids,
        key_of=key_of,
        dimension_rules=dimension_rules,
        absent_dimensions=absent,
        freq_position=dimension_positions.get("FREQ"),
        time_index=index.get(time.id) if time is not None else None,
        measure_indices=tuple(index[m.id] for m in measures),
        measure_codes=tuple((r.index, r.ok, r) for r in measure_rules if r.ok is not None),
        measure_numbers=_numbers(measure_rules),
        series_rules=tuple(series_rules),
        series_values=getter([r.index for r in series_rules]),
        observation_rules=tuple(observation_rules),
        observation_values=getter([r.index for r in observation_rules]),
        observation_numbers=_numbers(observation_numbers),
        unknown_columns=unknown,
        dimensions_out_of_order=in_message
        != sorted(in_message, key=dimension_positions.__getitem__),
        action_index=dataset.action_column,
        held_rules=tuple(held_rules),
        held_values=getter([r.index for r in held_rules]),
        series_within_held={r.index for r in series_rules} <= {r.index for r in held_rules},
        series_of=None
        if absent
        else getter(
            [*(i for i in dimension_indices if i is not None), *(r.index for r in held_rules)]
        ),
    )


def _padded_key(indices: list[int | None]) -> Getter:
    """A key getter for data sets that lack a column for some dimension (None there)."""
    pairs = tuple(indices)
    return lambda row: tuple(row[i] if i is not None else None for i in pairs)


def _numbers(rules: list[ValueRule]) -> tuple[tuple[int, Callable[[str], bool], ValueRule], ...]:
    return tuple((r.index, r.number, r) for r in rules if r.number is not None)
