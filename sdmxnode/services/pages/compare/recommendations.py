"""The comparability page's definitions from reference metadata: each country's metadata set
for the dataflow, read against the UN 1998 recommendations on international migration
statistics (Rev. 1).

The recommendations count as international migrants in a stock the foreign-born or the
foreign citizens whose usual residence is in the country, usual residence meaning at least
12 months. A country's definition **departs** from them when its metadata set reports:

- no migrant definition criterion of country of birth (`BIRTH`) or citizenship (`CITIZEN`):
  the criterion is unknown (`_U`), missing, or another one only (`OTHER`, `LEGAL`, `PERM`,
  a duration such as `P3M`);
- a duration criterion under 12 months (`P3M`, `P6M`) next to it;
- a duration threshold (`DURATION_THRESHOLD`, months) other than 12;
- a residence criterion (`RESIDENCE_CRITERION`) other than 12 months' usual residence
  (`R12M`, `R12M_MOST`): legal or de facto residence, other, unknown;
- an imputed estimate (`IMPUTED` = `Y`): no national data, so no national definition.

Refugees added to the count (`POP_INCLUDED` = `REF`) are not a departure: refugees living in
the country for 12 months or more are migrants under the recommendations. Attributes a set
does not report are not held against it (only the criterion is required by the MSD).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sdmxnode.formats.metadata import MetadataSet, ReportedAttribute
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.node import Node
from sdmxnode.services.pages import N_
from sdmxnode.services.pages.dataflow import DataflowView
from sdmxnode.services.pages.metadata import (
    DeclaredAttribute,
    NameBook,
    flow_metadata_sets,
    msd_attributes,
    text_for,
)

#: The attribute that says whom a country counts as a migrant (birth, citizenship, ...).
CRITERION = "MIG_DEF_CRITERION"
RECOMMENDED_CRITERIA = frozenset({"BIRTH", "CITIZEN"})
SHORT_DURATIONS = frozenset({"P3M", "P6M"})
RECOMMENDED_RESIDENCE = frozenset({"R12M", "R12M_MOST"})
RECOMMENDED_MONTHS = "12"
#: The attributes the page shows, in this order.
SHOWN = (
    "MIG_DEF_CRITERION",
    "POP_INCLUDED",
    "RESIDENCE_CRITERION",
    "DURATION_THRESHOLD",
    "IMPUTED",
)


@dataclass(frozen=True)
class Departure:
    """One way a definition departs from the recommendations: an interface message (marked
    for the catalogue, translated by the page) and the values of its placeholders."""

    message: str
    values: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        """The message in English."""
        return self.message % self.values


@dataclass(frozen=True)
class MetadataDefinition:
    """One country's definition as its metadata set reports it."""

    area: str
    area_name: str
    set_agency: str
    set_id: str
    set_version: str
    set_name: str
    values: dict[str, list[tuple[str, str]]]  # attribute -> [(code, name)]
    departures: list[Departure]  # how it departs from the UN 1998 recommendations; [] if not


@dataclass(frozen=True)
class ValueCount:
    """How many countries' metadata sets report one value of an attribute."""

    attribute: str
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class MetadataComparison:
    """The definitions from metadata, with the names of the attributes shown."""

    columns: list[tuple[str, str]]  # (attribute id, its concept's name)
    definitions: list[MetadataDefinition]

    @property
    def departing(self) -> list[MetadataDefinition]:
        """The countries whose definition departs from the recommendations."""
        return [d for d in self.definitions if d.departures]

    @property
    def criteria(self) -> list[ValueCount]:
        """How many countries count migrants by each criterion (`MIG_DEF_CRITERION`: birth,
        citizenship, ...), most used first; a country reporting two criteria counts for both."""
        return self.value_counts(CRITERION)

    def value_counts(self, attribute: str) -> list[ValueCount]:
        """How many countries report each value of `attribute`, most reported first."""
        counts: Counter[tuple[str, str]] = Counter(
            value for d in self.definitions for value in dict.fromkeys(d.values.get(attribute, []))
        )
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [ValueCount(attribute, code, name, n) for (code, name), n in ranked]

    def select(self, only_departing: bool, criterion: str | None) -> list[MetadataDefinition]:
        """The definitions the table shows: those departing from the recommendations only, or
        those reporting `criterion` only, when asked."""
        rows = self.departing if only_departing else self.definitions
        if criterion:
            rows = [d for d in rows if criterion in {c for c, _ in d.values.get(CRITERION, [])}]
        return rows


def _reported(metadata_set: MetadataSet) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    pending: list[ReportedAttribute] = [a for r in metadata_set.reports for a in r.attributes]
    while pending:
        attribute = pending.pop(0)
        if attribute.value is not None:
            found.setdefault(attribute.id, []).append(attribute.value)
        pending.extend(attribute.attributes)
    return found


def departures(reported: dict[str, list[str]]) -> list[Departure]:
    """How a definition (attribute id -> reported values) departs from the recommendations."""
    why = []
    criteria = set(reported.get("MIG_DEF_CRITERION", []))
    if not criteria & RECOMMENDED_CRITERIA:
        why.append(Departure(N_("criterion unknown or not birth or citizenship")))
    if criteria & SHORT_DURATIONS:
        why.append(Departure(N_("duration under 12 months")))
    for months in reported.get("DURATION_THRESHOLD", []):
        if months.strip() != RECOMMENDED_MONTHS:
            message = N_("duration threshold %(months)s months, not 12")
            why.append(Departure(message, {"months": months}))
    for residence in reported.get("RESIDENCE_CRITERION", []):
        if residence not in RECOMMENDED_RESIDENCE:
            message = N_("residence criterion %(residence)s, not 12 months' usual residence")
            why.append(Departure(message, {"residence": residence}))
    if "Y" in reported.get("IMPUTED", []):
        why.append(Departure(N_("imputed: no national data")))
    return why


def metadata_definitions(node: Node, view: DataflowView, language: str) -> MetadataComparison:
    """Each country's definition from the metadata sets targeting the dataflow, in the order
    of the area code list; attribute and code names from the sets' MSD."""
    book = NameBook(node, language)
    declared: dict[ArtefactRef, dict[str, DeclaredAttribute]] = {}
    found = []
    for metadata_set, area in flow_metadata_sets(node, view.artefact.ref):
        if metadata_set.structure not in declared:
            declared[metadata_set.structure] = msd_attributes(node, metadata_set.structure, book)
        known = declared[metadata_set.structure]
        reported = _reported(metadata_set)
        values = {}
        for attribute in SHOWN:
            names = known[attribute].codes if attribute in known else {}
            values[attribute] = [(v, names.get(v, v)) for v in reported.get(attribute, [])]
        area_names = view.labels.codes.get("REF_AREA", {})
        found.append(
            MetadataDefinition(
                area,
                area_names.get(area, area),
                metadata_set.agency_id,
                metadata_set.id,
                metadata_set.version,
                text_for(metadata_set.names, language) or metadata_set.id,
                values,
                departures(reported),
            )
        )
    order = {code: i for i, code in enumerate(view.labels.codes.get("REF_AREA", {}))}
    found.sort(key=lambda d: (order.get(d.area, 1 << 30), d.area, d.set_id))
    names = {a: d.name for known in declared.values() for a, d in known.items()}
    return MetadataComparison([(a, names.get(a, a)) for a in SHOWN], found)
