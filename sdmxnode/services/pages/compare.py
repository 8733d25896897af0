"""The comparability page: which definition each reporting country's data use, side by side.

Built from the stored series (their key values and series attributes) and the data set
attributes of a dataflow, against the components of its DSD that describe definitions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sdmxnode.rest.data import parse_data_query_v1
from sdmxnode.services.data.queries import iter_rows, plan_data_query
from sdmxnode.services.node import Node
from sdmxnode.services.pages.dataflow import DataflowView

#: Components that say how a figure was defined or measured (migration-structures.md),
#: shown in this order when the DSD has them.
DEFINITION_COMPONENTS = (
    "COUNTRY_BIRTH",
    "CITIZENSHIP",
    "MIG_DEF_CRITERION",
    "RESIDENCE_CRITERION",
    "AGE_DEF",
    "SOURCE_TYPE",
    "DATA_TYPE_IMS",
    "REF_PERIOD_DETAIL",
    "REVISION",
)
#: Dimensions that name the reporting country, the first the DSD has wins.
COUNTRY_DIMENSIONS = ("REF_AREA", "COUNTERPART_AREA")


@dataclass(frozen=True)
class CountryDefinitions:
    """One reporting country: the values it uses per definition component."""

    code: str
    name: str
    values: dict[str, list[tuple[str, str]]]  # component -> [(code, name)], empty: not reported
    differs: frozenset[str]  # components whose values differ from the most common ones


@dataclass(frozen=True)
class Comparison:
    """Definitions side by side for every reporting country of a dataflow."""

    country_dimension: str | None
    components: list[tuple[str, str]]  # (id, name)
    common: dict[str, list[tuple[str, str]]]  # component -> most common values
    countries: list[CountryDefinitions]

    @property
    def non_comparable(self) -> list[CountryDefinitions]:
        """The countries whose definitions differ from the most common ones."""
        return [c for c in self.countries if c.differs]


def compare_definitions(node: Node, view: DataflowView) -> Comparison:
    """The definition components of each reporting country in the dataflow's data."""
    structure = view.structure
    dimensions = [d.id for d in structure.dimensions]
    country = next((d for d in COUNTRY_DIMENSIONS if d in dimensions), None)
    present = {c.id for c in structure.dimensions + structure.attributes}
    wanted = [c for c in DEFINITION_COMPONENTS if c in present]
    components = [(c, view.labels.components.get(c, c)) for c in wanted]
    if view.availability is None or country is None or not wanted:
        return Comparison(country, components, {}, [])
    query = parse_data_query_v1(view.flow_ref, None, None, {"detail": "nodata"})
    plan = plan_data_query(node, view.artefact, query)
    dataset_attributes = node.data.dataset_attributes(view.artefact.pk)
    indexes = {c: plan.columns.index(c) for c in wanted if c in plan.columns}
    country_index = plan.columns.index(country)
    found: dict[str, dict[str, set[str]]] = {}
    for row in iter_rows(node, plan):
        per_country = found.setdefault(str(row[country_index]), {c: set() for c in wanted})
        for component in wanted:
            value = row[indexes[component]] if component in indexes else None
            value = value or dataset_attributes.get(component)
            if value:
                per_country[component].add(str(value))
    common: dict[str, tuple[str, ...]] = {}
    for component in wanted:
        counts = Counter(tuple(sorted(v[component])) for v in found.values())
        common[component] = counts.most_common(1)[0][0] if counts else ()

    def named(component: str, codes: set[str] | tuple[str, ...]) -> list[tuple[str, str]]:
        names = view.labels.codes.get(component, {})
        return [(code, names.get(code, code)) for code in sorted(codes)]

    order = list(view.labels.codes.get(country, {}))
    position = {code: i for i, code in enumerate(order)}
    countries = [
        CountryDefinitions(
            code,
            view.labels.codes.get(country, {}).get(code, code),
            {c: named(c, values[c]) for c in wanted},
            frozenset(c for c in wanted if tuple(sorted(values[c])) != common[c]),
        )
        for code, values in sorted(
            found.items(), key=lambda kv: (position.get(kv[0], 1 << 30), kv[0])
        )
    ]
    return Comparison(country, components, {c: named(c, common[c]) for c in wanted}, countries)
