"""The explorer's selection: a key in SDMX syntax (one part per dimension, codes joined by
`+`), the filters it is chosen with (each dimension's codes with data given the other
choices, in code-list hierarchy order) and the time range."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sdmxnode.errors import BadRequest, NoResults
from sdmxnode.rest.availability import parse_availability_query_v1
from sdmxnode.services.data.availability import find_availability
from sdmxnode.services.node import Node
from sdmxnode.services.pages.dataflow import DataflowView
from sdmxnode.services.pages.explorer.hierarchy import (
    aggregates_with_members,
    code_parents,
    region_members,
    tree_options,
)

#: Codes preferred as the default selection of a dimension (totals).
TOTAL_CODES = ("_T", "_Z")


@dataclass(frozen=True)
class Filter:
    """One dimension's filter: its options (the codes with data given the other dimensions'
    choices, plus the codes chosen here) and the code or '+'-joined codes chosen."""

    dimension: str
    name: str
    options: list[tuple[str, str]]
    selected: str  # '' = all
    #: Chosen codes that have no data with the other dimensions' choices.
    without_data: tuple[str, ...] = ()
    #: The options' depth in the code list's hierarchy (code -> level, 0 at the top) and
    #: nearest ancestor among the options (code -> parent code); `options` come in that order.
    levels: Mapping[str, int] = field(default_factory=dict)
    parents: Mapping[str, str] = field(default_factory=dict)
    #: Each aggregate among the options -> its members among the options (the dimension's
    #: hierarchy, as the aggregate check reads it).
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Each chosen aggregate with the chosen codes below it: charted together.
    aggregates_with_members: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def chosen(self) -> list[str]:
        """The chosen codes (none: all)."""
        return [code for code in self.selected.split("+") if code]

    def name_of(self, code: str) -> str:
        """The name of one of the options (its code when it has none)."""
        return next((name for c, name in self.options if c == code), code)


def key_from_choices(dimensions: Sequence[str], choices: Mapping[str, str]) -> str:
    """An SDMX key with the chosen code(s) of each dimension, empty where all are wanted."""
    return ".".join(choices.get(d, "").strip() for d in dimensions)


def default_key(view: DataflowView) -> str:
    """A first selection: the total (else the first code with data) of every dimension."""
    parts = []
    for dimension in view.structure.dimensions:
        codes = [code for code, _ in view.available_codes(dimension.id)]
        total = next((c for c in TOTAL_CODES if c in codes), None)
        parts.append(total or (codes[0] if codes else ""))
    return ".".join(parts)


def split_key(key: str, width: int) -> list[str]:
    """The parts of `key`, one per dimension ('' for all), or BadRequest naming the count."""
    parts = key.split(".") if key else []
    if key and len(parts) != width:
        raise BadRequest(
            f"the key {key!r} has {len(parts)} parts; this dataflow has {width} dimensions",
            where="key",
        )
    return parts or [""] * width


def narrowed_codes(node: Node, view: DataflowView, parts: Sequence[str]) -> dict[str, set[str]]:
    """Per dimension, the codes with data given the other dimensions' choices (`parts`, one
    per dimension, '' for all): the availability of the key in mode `available`."""
    dimensions = [d.id for d in view.structure.dimensions]
    if view.availability is None:
        return {d: set() for d in dimensions}
    if not any(parts):
        return {d: set(view.availability.values.get(d, [])) for d in dimensions}
    try:
        return _available(node, view, parts, None, "available")
    except NoResults:
        pass
    # The whole selection has no data: ask each dimension with its own choice left open.
    found: dict[str, set[str]] = {}
    for position, dimension in enumerate(dimensions):
        others = [part if i != position else "" for i, part in enumerate(parts)]
        try:
            found.update(_available(node, view, others, dimension, "exact"))
        except NoResults:
            found[dimension] = set()
    return found


def _available(
    node: Node, view: DataflowView, parts: Sequence[str], dimension: str | None, mode: str
) -> dict[str, set[str]]:
    key = ".".join(parts) if any(parts) else None
    query = parse_availability_query_v1(view.flow_ref, key, None, dimension, {"mode": mode})
    values = find_availability(node, query).values
    return {d: set(codes) for d, codes in values.items()}


def filters_for(node: Node, view: DataflowView, parts: list[str]) -> list[Filter]:
    """One filter per dimension, its options narrowed by the other dimensions' choices and
    ordered as the code list's hierarchy (parents first, each code under its parent)."""
    narrowed = narrowed_codes(node, view, parts)
    components = {c.id: c for c in view.components}
    generation = node.store.generation()
    filters = []
    for dimension, part in zip(view.structure.dimensions, parts, strict=True):
        chosen = [code for code in part.split("+") if code]
        with_data = narrowed.get(dimension.id, set())
        names = view.labels.codes.get(dimension.id, {})
        listed = with_data | set(chosen)
        options = [(code, name) for code, name in names.items() if code in listed]
        options += [(code, code) for code in sorted(listed - set(names))]
        tree = tree_options(options, code_parents(node, components.get(dimension.id), generation))
        hierarchy = dict(dimension.hierarchy)
        filters.append(
            Filter(
                dimension.id,
                view.labels.components.get(dimension.id, dimension.id),
                [(option.code, option.name) for option in tree],
                part,
                tuple(code for code in chosen if code not in with_data),
                levels={option.code: option.level for option in tree},
                parents={option.code: option.parent for option in tree if option.parent},
                members=region_members(hierarchy, [option.code for option in tree]),
                aggregates_with_members=aggregates_with_members(hierarchy, chosen),
            )
        )
    return filters


#: The explorer's time-range fields: the SDMX-REST 1.5 data query parameters of the same names.
PERIOD_PARAMETERS = ("startPeriod", "endPeriod", "lastNObservations")


def period_choices(args: Mapping[str, str]) -> dict[str, str]:
    """The time range a request asks for (the PERIOD_PARAMETERS given and not empty)."""
    return {name: args[name].strip() for name in PERIOD_PARAMETERS if args.get(name, "").strip()}
