"""The mirror-statistics page: one country's corridors, both reports of each flow side by side.

Built on `mirror_pairs` (streamed from the database, sorted by corridor): each pair is seen
from the chosen country, as an inflow (the country is the destination) or an outflow (it is
the origin), with its partner, both reports, their difference and ratio, and the definition
attributes of each side. The page holds at most MAX_ROWS pairs and says so when it stops.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sdmxnode.errors import BadRequest, SemanticError
from sdmxnode.services.checks.aggregates import CheckTarget, find_check_target
from sdmxnode.services.checks.mirror import (
    DEFINITION_ATTRIBUTES,
    REPORTER,
    MirrorPair,
    mirror_pairs,
    mirror_roles,
)
from sdmxnode.services.node import Node
from sdmxnode.services.pages.dataflow import DataflowView

#: The most corridor-years the page tabulates and charts.
MAX_ROWS = 2000
#: Definition attributes always shown (when the DSD has them); the others of
#: DEFINITION_ATTRIBUTES only when the two sides of some pair differ on them.
SHOWN_DEFINITIONS = ("MIG_DEF_CRITERION", "SOURCE_TYPE")
INFLOW, OUTFLOW = "inflow", "outflow"


@dataclass(frozen=True)
class CorridorYear:
    """One pair seen from the chosen country."""

    partner: str
    partner_name: str
    period: str
    direction: str  # INFLOW (partner -> country) or OUTFLOW (country -> partner)
    breakdown: str  # the other dimensions' values, 'FREQ=A SEX=F AGE=_T ...'
    immigration: float | None  # the destination's report
    emigration: float | None  # the origin's report
    difference: float | None
    ratio: float | None
    status: str
    immigration_definition: dict[str, str]
    emigration_definition: dict[str, str]
    #: The data providers of each side ('AGENCY:ID'; '' unattributed, None not reported).
    immigration_provider: str | None = None
    emigration_provider: str | None = None

    @property
    def corridor(self) -> str:
        """What tells this row's corridor apart: partner, direction, breakdown and, when
        the data name them, the providers of both sides."""
        corridor = f"{self.direction}:{self.partner}:{self.breakdown}"
        if self.immigration_provider or self.emigration_provider:
            corridor += f":{self.immigration_provider or ''}/{self.emigration_provider or ''}"
        return corridor

    def differs(self, attribute: str) -> bool:
        """Whether both sides report `attribute` and give it different values."""
        mine = self.immigration_definition.get(attribute)
        theirs = self.emigration_definition.get(attribute)
        return mine is not None and theirs is not None and mine != theirs


@dataclass(frozen=True)
class MirrorView:
    """What the page shows for one dataflow and (when chosen) one country."""

    countries: list[tuple[str, str, int]]  # (code, name, corridor-years) with corridors
    country: str | None
    country_name: str
    rows: list[CorridorYear] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)  # (attribute, name)
    truncated: bool = False

    @property
    def has_breakdowns(self) -> bool:
        """Whether the rows differ by other dimensions than partner and direction."""
        return len({row.breakdown for row in self.rows}) > 1

    @property
    def periods(self) -> list[str]:
        """Every period of the rows, in order."""
        return sorted({row.period for row in self.rows})

    def chart_data(self) -> dict[str, object]:
        """The rows by corridor, for the chart: both reports and the difference by period."""
        corridors: dict[str, dict[str, object]] = {}
        for row in self.rows:
            entry = corridors.setdefault(
                row.corridor,
                {
                    "partner": row.partner,
                    "partner_name": row.partner_name,
                    "direction": row.direction,
                    "breakdown": row.breakdown,
                    "immigration": {},
                    "emigration": {},
                    "difference": {},
                },
            )
            for side in ("immigration", "emigration", "difference"):
                value = getattr(row, side)
                if value is not None:
                    entry[side][row.period] = value  # type: ignore[index]
        return {
            "country": self.country,
            "country_name": self.country_name,
            "periods": self.periods,
            "breakdowns": self.has_breakdowns,
            "corridors": list(corridors.values()),
        }


def bilateral_target(node: Node, view: DataflowView) -> CheckTarget | None:
    """The dataflow as the mirror check needs it, or None when it has no data or is not a
    bilateral flow dataflow (the pages link to the mirror page only when it is)."""
    if view.availability is None:
        return None
    ref = view.artefact.ref
    target = find_check_target(node, ref.agency_id, ref.id, ref.version)
    try:
        mirror_roles(target)
    except SemanticError:
        return None
    return target


def _names(view: DataflowView) -> dict[str, str]:
    return dict(view.labels.codes.get(REPORTER, {}))


def list_mirror_countries(
    node: Node, view: DataflowView, target: CheckTarget
) -> list[tuple[str, str, int]]:
    """(code, name, corridor-years) of every country taking part in a corridor, by name
    (one streamed pass over the dataflow's flows)."""
    counts: Counter[str] = Counter()
    for pair in mirror_pairs(node, target):
        counts[pair.origin] += 1
        counts[pair.destination] += 1
    names = _names(view)
    named = [(code, names.get(code, code), count) for code, count in counts.items()]
    return sorted(named, key=lambda item: (item[1].casefold(), item[0]))


def get_mirror_view(
    node: Node, view: DataflowView, target: CheckTarget, country: str | None
) -> MirrorView:
    """The countries with corridors and, for `country`, each corridor-year (at most MAX_ROWS,
    by partner, direction, breakdown and period); BadRequest when `country` is not a code of
    the reporting dimension."""
    mirror_roles(target)
    countries = list_mirror_countries(node, view, target)
    if not country:
        return MirrorView(countries, None, "")
    names = _names(view)
    reporter = next(d for d in target.structure.dimensions if d.id == REPORTER)
    if reporter.codes is not None and country not in reporter.codes:
        raise BadRequest(f"{country!r} is not a code of {REPORTER}", where="country")
    rows: list[CorridorYear] = []
    truncated = False
    for pair in mirror_pairs(node, target, country=country):
        if len(rows) >= MAX_ROWS:
            truncated = True
            break
        rows.append(_seen_from(pair, country, names))
    rows.sort(key=lambda r: (r.partner_name.casefold(), r.partner, r.direction, r.breakdown))
    return MirrorView(
        countries,
        country,
        names.get(country, country),
        rows,
        _definitions(view, rows),
        truncated,
    )


def _seen_from(pair: MirrorPair, country: str, names: dict[str, str]) -> CorridorYear:
    inflow = pair.destination == country
    partner = pair.origin if inflow else pair.destination
    return CorridorYear(
        partner=partner,
        partner_name=names.get(partner, partner),
        period=pair.period,
        direction=INFLOW if inflow else OUTFLOW,
        breakdown=" ".join(f"{k}={v}" for k, v in pair.breakdown),
        immigration=pair.immigration,
        emigration=pair.emigration,
        difference=pair.difference,
        ratio=pair.ratio,
        status=pair.status,
        immigration_definition=dict(pair.immigration_definition),
        emigration_definition=dict(pair.emigration_definition),
        immigration_provider=pair.immigration_provider,
        emigration_provider=pair.emigration_provider,
    )


def _definitions(view: DataflowView, rows: list[CorridorYear]) -> list[tuple[str, str]]:
    present = {a.id for a in view.structure.attributes}
    shown = [
        name
        for name in DEFINITION_ATTRIBUTES
        if name in present and (name in SHOWN_DEFINITIONS or any(row.differs(name) for row in rows))
    ]
    return [(name, view.labels.components.get(name, name)) for name in shown]
