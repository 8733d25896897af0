"""What the explorer shows beside the figures: units and multipliers, observation status
flags, series notes and sources, links to each country's reference metadata, the order of
the series and the chart's title, all read from the stored data and its DSD."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sdmxnode.formats.rows import Labels, StructureInfo
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.node import Node
from sdmxnode.services.pages import N_
from sdmxnode.storage.metadata.reads import MetadataReads

#: SDMX cross-domain concepts: the unit of measure, the unit multiplier (a power of ten),
#: the observation status and the reference area (SDMX Glossary 2.1, "Cross-domain concepts").
UNIT_MEASURE = "UNIT_MEASURE"
UNIT_MULT = "UNIT_MULT"
OBS_STATUS = "OBS_STATUS"
REF_AREA = "REF_AREA"


#: The orders the table and chart can show series in (`?sort=`): the code lists' order (their
#: hierarchy: the world, its regions, then countries), the series' names A-Z, the latest
#: value (largest first).
SORTS = {
    "list": N_("code list order"),
    "name": N_("name (A–Z)"),
    "value": N_("latest value (largest first)"),
}
DEFAULT_SORT = "list"
#: The most lines the chart draws (the table shows every series the explorer reads).
CHART_LINES = 10


@dataclass(frozen=True)
class Unit:
    """The unit of measure and multiplier of some series, as codes and names."""

    code: str
    name: str
    multiplier: str
    multiplier_name: str

    @property
    def text(self) -> str:
        """'Persons' or 'Persons, thousands' (the multiplier named when not units)."""
        if not self.multiplier or self.multiplier == "0":
            return self.name or self.code
        return f"{self.name or self.code} ({self.multiplier_name or '10^' + self.multiplier})"


@dataclass(frozen=True)
class NoteColumn:
    """An attribute reported for some of the shown series: its id and name."""

    id: str
    name: str


def flag_attribute(structure: StructureInfo) -> str | None:
    """The observation status attribute of the DSD (OBS_STATUS), if it has one."""
    ids = {a.id for a in structure.attributes}
    return OBS_STATUS if OBS_STATUS in ids else None


def unit_of(values: Mapping[str, str], labels: Labels) -> Unit | None:
    """The unit of a series from its attribute values, None if it reports none."""
    code, multiplier = values.get(UNIT_MEASURE, ""), values.get(UNIT_MULT, "")
    if not code and not multiplier:
        return None
    return Unit(
        code,
        labels.codes.get(UNIT_MEASURE, {}).get(code, code),
        multiplier,
        labels.codes.get(UNIT_MULT, {}).get(multiplier, multiplier),
    )


def flag_legend(used: Iterable[str], labels: Labels) -> list[tuple[str, str]]:
    """(code, name) of the status codes `used`, in the status code list's order."""
    present = set(used)
    names = labels.codes.get(OBS_STATUS, {})
    legend = [(code, name) for code, name in names.items() if code in present]
    return legend + [(code, code) for code in sorted(present - set(names))]


def note_columns(
    structure: StructureInfo,
    labels: Labels,
    reported: Iterable[Mapping[str, str]],
    units_vary: bool = False,
) -> list[NoteColumn]:
    """The series and data set attributes (notes, sources, definitions...) that at least
    one of the `reported` series' values gives, in DSD order; the unit and multiplier too
    when the series do not all share one."""
    given = {attribute for values in reported for attribute, value in values.items() if value}
    return [
        NoteColumn(a.id, labels.components.get(a.id, a.id))
        for a in structure.attributes
        if a.attachment != "observation"
        and a.id in given
        and (units_vary or a.id not in (UNIT_MEASURE, UNIT_MULT))
    ]


def value_text(attribute: str, value: str, labels: Labels) -> str:
    """An attribute value as people read it: a code's name (with its code), or the text."""
    name = labels.codes.get(attribute, {}).get(value)
    return f"{name} ({value})" if name and name != value else value


def area_metadata(
    node: Node, structure: StructureInfo, flow: ArtefactRef, areas: Iterable[str]
) -> dict[str, tuple[str, str, str]]:
    """Per reference area among `areas`, the reference metadata set (agency, id, version)
    documenting its data of `flow`: the sets targeting both the dataflow and the area's code
    (as the comparability page finds them), looked up for these areas only."""
    area = next((d for d in structure.dimensions if d.id == REF_AREA), None)
    scheme = _codelist_ref(area.codelist if area else None)
    wanted = {a for a in areas if a}
    if scheme is None or not wanted:
        return {}
    found: dict[str, tuple[str, str, str]] = {}
    for agency, id_, version, item in MetadataReads.sharing(node.store).find_item_targets(
        flow, scheme, wanted
    ):
        found.setdefault(item, (agency, id_, version))
    return found


def _codelist_ref(text: str | None) -> ArtefactRef | None:
    """'AGENCY:ID(VERSION)' -> the code list's ArtefactRef."""
    if not text or ":" not in text or "(" not in text:
        return None
    agency, _, rest = text.partition(":")
    id_, _, version = rest.partition("(")
    return ArtefactRef("Codelist", agency, id_, version.rstrip(")"))


def code_order(dimensions: Sequence[str], labels: Labels) -> dict[str, dict[str, int]]:
    """Per dimension, each code's position in its code list (a hierarchical list's order)."""
    return {d: {code: i for i, code in enumerate(labels.codes.get(d, {}))} for d in dimensions}


def list_position(
    key: str, dimensions: Sequence[str], order: Mapping[str, Mapping[str, int]]
) -> tuple[tuple[int, str], ...]:
    """A sort key putting series in their codes' code-list order, dimension by dimension
    (codes the lists lack after those they hold, by code)."""
    positions = []
    for dimension, code in zip(dimensions, key.split("."), strict=False):
        positions.append((order.get(dimension, {}).get(code, 1 << 30), code))
    return tuple(positions)


def latest_value(values: Mapping[str, float | None]) -> float | None:
    """The value of the latest period that has one."""
    for period in sorted(values, reverse=True):
        if values[period] is not None:
            return values[period]
    return None


#: The chart title's words (interface messages, translated by the `translate` given).
TITLE_BY = N_("%(title)s, by %(dimensions)s")
TITLE_AND = N_("%(first)s and %(second)s")


def chart_title(
    name: str,
    labels: Labels,
    dimensions: Sequence[str],
    parts: Sequence[str],
    units: Sequence[Unit],
    translate: Callable[[str], str] = str,
) -> str:
    """A title saying what the selection is: the dataflow, each dimension fixed to one code
    (other than a total), what the lines are by, and the unit; its words through
    `translate` (the page's gettext)."""
    fixed, by = [], []
    for dimension, part in zip(dimensions, parts, strict=True):
        codes = [c for c in part.split("+") if c]
        if len(codes) == 1:
            if codes[0] not in ("_T", "_Z"):
                fixed.append(labels.codes.get(dimension, {}).get(codes[0], codes[0]))
        else:
            by.append(labels.components.get(dimension, dimension).lower())
    title = name
    if fixed:
        title += ": " + ", ".join(fixed)
    if by:
        joined = by[0]
        for more in by[1:]:
            joined = translate(TITLE_AND) % {"first": joined, "second": more}
        title = translate(TITLE_BY) % {"title": title, "dimensions": joined}
    if len(units) == 1:
        title += f" ({units[0].text})"
    elif units:
        title += " (" + "; ".join(u.text for u in units) + ")"
    return title
