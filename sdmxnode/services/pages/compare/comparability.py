"""The comparability page: which definition each reporting country's data use, side by side.

Built from the stored series (their key values and series attributes) and the data set
attributes of a dataflow, against the components of its DSD that describe definitions. The
regions and groupings of the area code list are aggregates: their figures sum countries that
may count migrants differently, so they are shown apart and never "differ".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sdmxnode.errors import NotFound
from sdmxnode.rest.data import parse_data_query_v1
from sdmxnode.services.data.queries import iter_rows, plan_data_query
from sdmxnode.services.node import Node
from sdmxnode.services.pages import N_
from sdmxnode.services.pages.catalogue import get_artefact, model_of, text_in
from sdmxnode.services.pages.dataflow import DataflowView
from sdmxnode.services.structures.queries import follow_references

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
#: The components that answer "foreign-born or foreign citizens?", best first: the summary
#: starts with the first of them whose values vary between countries.
CRITERION_COMPONENTS = ("MIG_DEF_CRITERION", "DATA_TYPE_IMS", "COUNTRY_BIRTH", "CITIZENSHIP")
#: Dimensions that name the reporting country, the first the DSD has wins.
COUNTRY_DIMENSIONS = ("REF_AREA", "COUNTERPART_AREA")
#: The annotation IMDX:CL_AREA gives every region and grouping (its M49 level): it marks the
#: groupings whose members the code list does not list, such as the least developed countries.
REGION_ANNOTATION = "M49_LEVEL"
#: The rows the table shows (`show=`): reporting countries only, or aggregates too.
SHOW_CHOICES = ("countries", "all")
#: Sort keys besides a component id (`sort=`, `-` first for descending).
SORT_KEYS = ("", "name", "code")
#: The summary's name for the countries that report no value of a component (the page
#: translates it; its code is "").
NOT_REPORTED = N_("not reported")


@dataclass(frozen=True)
class CountryDefinitions:
    """One reporting country or aggregate: the values it uses per definition component."""

    code: str
    name: str
    values: dict[str, list[tuple[str, str]]]  # component -> [(code, name)], empty: not reported
    differs: frozenset[str]  # components whose values differ from the most common ones
    aggregate: bool = False  # a region or grouping of the area code list


@dataclass(frozen=True)
class DefinitionCount:
    """How many reporting countries use one value of a component."""

    component: str
    code: str  # "" for NOT_REPORTED
    name: str  # the code's name; NOT_REPORTED (a catalogue message) for the code ""
    count: int

    @property
    def filter_value(self) -> str:
        """The `definition=` value that keeps these countries."""
        return f"{self.component}:{self.code}"


@dataclass(frozen=True)
class Comparison:
    """Definitions side by side for every reporting country of a dataflow."""

    country_dimension: str | None
    components: list[tuple[str, str]]  # (id, name) of the components someone reports
    common: dict[str, list[tuple[str, str]]]  # component -> most common values of countries
    countries: list[CountryDefinitions]  # countries and aggregates, in code list order
    descriptions: dict[str, str] = field(default_factory=dict)  # component -> one line
    hidden: list[tuple[str, str]] = field(default_factory=list)  # (id, name): nothing reported
    summary: dict[str, list[DefinitionCount]] = field(default_factory=dict)  # varying ones

    @property
    def reporting(self) -> list[CountryDefinitions]:
        """The reporting countries (aggregates left out)."""
        return [c for c in self.countries if not c.aggregate]

    @property
    def aggregates(self) -> list[CountryDefinitions]:
        """The regions and groupings with data."""
        return [c for c in self.countries if c.aggregate]

    @property
    def non_comparable(self) -> list[CountryDefinitions]:
        """The countries whose definitions differ from the most common ones."""
        return [c for c in self.countries if c.differs]

    @property
    def headline(self) -> str | None:
        """The component the summary starts with (the one answering birth or citizenship)."""
        return next(iter(self.summary), None)


@dataclass(frozen=True)
class CompareOptions:
    """What the table shows and in which order, from the page's query parameters."""

    show: str = "countries"  # one of SHOW_CHOICES
    definition: tuple[str, str] | None = None  # (component, code): countries using it
    only_differs: bool = False
    sort: str = ""  # "", "name", "code" or a component id
    descending: bool = False

    @property
    def sort_parameter(self) -> str:
        """The `sort=` value that gives this order."""
        return ("-" if self.descending else "") + self.sort

    def sort_link(self, key: str) -> str:
        """The `sort=` value of a column header: ascending, or descending when the table is
        already sorted ascending by that column."""
        return f"-{key}" if self.sort == key and not self.descending else key


def parse_compare_options(args: Mapping[str, str], comparison: Comparison) -> CompareOptions:
    """The table's options from query parameters; values the page does not offer are ignored
    (the default applies), so that an old or hand-edited link still shows a table."""
    show = args.get("show", "")
    sort = args.get("sort", "").strip()
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    columns = {c for c, _ in comparison.components}
    if sort not in SORT_KEYS and sort not in columns:
        sort, descending = "", False
    definition = None
    text = args.get("definition", "").strip()
    if text:
        component, separator, code = text.partition(":")
        if not separator:  # a bare code: of the headline component
            component, code = comparison.headline or "", text
        if component in comparison.summary:
            definition = (component, code)
    return CompareOptions(
        show if show in SHOW_CHOICES else "countries",
        definition,
        args.get("only") == "differs",
        sort,
        descending,
    )


def select_rows(comparison: Comparison, options: CompareOptions) -> list[CountryDefinitions]:
    """The rows of the table: filtered by `options`, then sorted (a stable sort, so rows
    that tie keep the code list's order)."""
    rows = comparison.countries if options.show == "all" else comparison.reporting
    if options.definition is not None:
        component, code = options.definition
        rows = [
            r
            for r in rows
            if (code in {c for c, _ in r.values[component]})
            or (code == "" and not r.values[component])
        ]
    if options.only_differs:
        rows = [r for r in rows if r.differs]
    if options.sort == "name":
        rows = sorted(rows, key=lambda r: r.name.casefold(), reverse=options.descending)
    elif options.sort == "code":
        rows = sorted(rows, key=lambda r: r.code, reverse=options.descending)
    elif options.sort:
        component = options.sort
        reported = [r for r in rows if r.values[component]]
        reported.sort(
            key=lambda r: [name.casefold() for _, name in r.values[component]],
            reverse=options.descending,
        )
        rows = reported + [r for r in rows if not r.values[component]]  # blanks last
    elif options.descending:
        rows = list(reversed(rows))
    return rows


def compare_definitions(node: Node, view: DataflowView, language: str = "en") -> Comparison:
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
    aggregates = find_aggregates(node, view, country, set(found))
    reported = [c for c in wanted if any(values[c] for values in found.values())]
    common: dict[str, tuple[str, ...]] = {}
    for component in reported:
        counts = Counter(
            tuple(sorted(values[component]))
            for code, values in found.items()
            if code not in aggregates
        )
        common[component] = counts.most_common(1)[0][0] if counts else ()

    def named(component: str, codes: Iterable[str]) -> list[tuple[str, str]]:
        names = view.labels.codes.get(component, {})
        return [(code, names.get(code, code)) for code in sorted(codes)]

    order = list(view.labels.codes.get(country, {}))
    position = {code: i for i, code in enumerate(order)}
    countries = [
        CountryDefinitions(
            code,
            view.labels.codes.get(country, {}).get(code, code),
            {c: named(c, values[c]) for c in wanted},
            frozenset()
            if code in aggregates
            else frozenset(c for c in reported if tuple(sorted(values[c])) != common[c]),
            code in aggregates,
        )
        for code, values in sorted(
            found.items(), key=lambda kv: (position.get(kv[0], 1 << 30), kv[0])
        )
    ]
    return Comparison(
        country,
        [(c, name) for c, name in components if c in reported],
        {c: named(c, common[c]) for c in reported},
        countries,
        component_descriptions(node, view, language),
        [(c, name) for c, name in components if c not in reported],
        _summary([c for c in countries if not c.aggregate], reported),
    )


def _summary(
    countries: list[CountryDefinitions], reported: list[str]
) -> dict[str, list[DefinitionCount]]:
    """Per component whose values vary between countries (the criterion first): how many
    countries use each value, most used first; a country using two values counts for both."""
    ordered = [c for c in CRITERION_COMPONENTS if c in reported]
    ordered += [c for c in reported if c not in ordered]
    summary: dict[str, list[DefinitionCount]] = {}
    for component in ordered:
        counts: Counter[tuple[str, str]] = Counter()
        for country in countries:
            for code, name in country.values[component] or [("", NOT_REPORTED)]:
                counts[(code, name)] += 1
        if len(counts) > 1:
            summary[component] = [
                DefinitionCount(component, code, name, count)
                for (code, name), count in sorted(counts.items(), key=lambda kv: -kv[1])
            ]
    return summary


def find_aggregates(
    node: Node, view: DataflowView, dimension: str, with_data: set[str]
) -> set[str]:
    """The codes of `dimension` with data that are aggregates: regions and groupings of its
    code list (codes with members: children or a MEMBERS annotation, as the aggregate check
    reads them; or codes the list annotates with their M49 level, `REGION_ANNOTATION`). A
    region none of whose members has data is the finest area the dataflow reports, and so
    counts as a country (the Channel Islands in UN DESA's table, without Jersey and Guernsey)."""
    component = next(d for d in view.structure.dimensions if d.id == dimension)
    tree = dict(component.hierarchy)
    marked = set(tree) | _annotated_regions(node, component.codelist)
    aggregates = set()
    for code in marked & with_data:
        members = _descendants(code, tree)
        if not tree.get(code) or members & with_data:
            aggregates.add(code)
    return aggregates


def _descendants(code: str, tree: Mapping[str, tuple[str, ...]]) -> set[str]:
    found: set[str] = set()
    todo = list(tree.get(code, ()))
    while todo:
        member = todo.pop()
        if member not in found:
            found.add(member)
            todo.extend(tree.get(member, ()))
    return found


def _annotated_regions(node: Node, codelist: str | None) -> set[str]:
    """The codes of a code list ('AGENCY:ID(VERSION)') annotated as regions or groupings."""
    if not codelist or ":" not in codelist:
        return set()
    agency, _, rest = codelist.partition(":")
    id_, _, version = rest.partition("(")
    try:
        artefact = get_artefact(node, "Codelist", agency, id_, version.rstrip(")") or None)
    except NotFound:
        return set()
    return {
        code_id
        for code_id, code in model_of(node, artefact).items.items()
        if any(a.type == REGION_ANNOTATION for a in getattr(code, "annotations", None) or [])
    }


def component_descriptions(node: Node, view: DataflowView, language: str) -> dict[str, str]:
    """One line per definition component: the description of its concept, from the concept
    schemes the dataflow's DSD uses ("" where the concept has none)."""
    generation = node.store.generation()
    key = ("compare-descriptions", generation, view.artefact.ref.identity, language)
    return node.cache.derived(key, lambda: _descriptions(node, view, language))


def _descriptions(node: Node, view: DataflowView, language: str) -> dict[str, str]:
    schemes = [
        a
        for a in follow_references(node.store, [view.artefact], ["descendants"])
        if a.ref.type == "ConceptScheme"
    ]
    concepts: dict[str, Any] = {}
    for scheme in schemes:
        for concept_id, concept in model_of(node, scheme).items.items():
            concepts.setdefault(concept_id, concept)
    return {
        component: text_in(concepts[component].description, language)
        for component in DEFINITION_COMPONENTS
        if component in concepts
    }
