"""Mirror statistics: a country's immigration from a partner against that partner's emigration.

For a bilateral flow dataflow (IMDX:DSD_MIG_FLOW: `REF_AREA` reports, `FLOW_TYPE` says IMM or
EMI, `PREV_NEXT_RES` is the country of previous residence of immigrants or of next residence
of emigrants), the flow B -> A is reported twice: by A as immigration from B and by B as
emigration to A. Each pair agrees on every other dimension (sex, age, duration, ...) and the
period. Both figures, their difference (immigration minus emigration) and ratio (immigration
over emigration) come with each side's definition attributes (`MIG_DEF_CRITERION`,
`SOURCE_TYPE`, ...), so that an asymmetry can be read against its cause. A flow whose mirror
is not reported is listed alone. Partners that are not countries (totals, regions, `FOR`,
`_U`) have no mirror and are left out.

Data providers (issue 17): when several providers report the same side of a flow (a
national office and an international estimate of the same immigration), each of their
figures is paired with each figure of the other side, every pair naming the provider of
each side; the same figure then shows on several rows, side by side with the others.

Memory: the database sorts the flows by corridor, other dimensions, period, direction and
provider; the check holds the reports of one flow and period at a time.

Stocks by country of birth cannot be mirrored with the node's structures: IMDX:DSD_MIG_STOCK
has no measure of an origin country's emigrants (nationals or natives abroad), only the
destination's stocks (`STOCK`, `PCT_POP`, `PCT_FEM`, `MEDIAN_AGE`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sdmxnode.errors import SemanticError
from sdmxnode.services.checks.aggregates import CheckTarget
from sdmxnode.services.node import Node
from sdmxnode.storage.check_reads import select_corridors
from sdmxnode.storage.data.reads import DataSelection
from sdmxnode.storage.tables import ATTRIBUTE_SEPARATOR
from sdmxnode.validation.aggregates import figure

REPORTER = "REF_AREA"
DIRECTION = "FLOW_TYPE"
PARTNERS = ("PREV_NEXT_RES", "COUNTERPART_AREA")
INFLOW, OUTFLOW = "IMM", "EMI"
#: Series attributes that say how a flow was defined and measured.
DEFINITION_ATTRIBUTES = (
    "MIG_DEF_CRITERION",
    "SOURCE_TYPE",
    "RESIDENCE_CRITERION",
    "REF_PERIOD_DETAIL",
    "UNIT_MEASURE",
)


#: The columns of a mirror report, in order.
MIRROR_COLUMNS = (
    "origin",
    "destination",
    "breakdown",
    "period",
    "immigration",
    "emigration",
    "difference",
    "ratio",
    "status",
    "same_definition",
    "immigration_key",
    "emigration_key",
    "immigration_provider",
    "emigration_provider",
    *(f"{side}_{name}" for side in ("immigration", "emigration") for name in DEFINITION_ATTRIBUTES),
)


@dataclass(frozen=True)
class MirrorPair:
    """The flow origin -> destination in one period, as both countries report it."""

    origin: str
    destination: str
    breakdown: tuple[tuple[str, str], ...]  # the other dimensions' values
    period: str
    immigration: float | None  # reported by the destination (None: not reported)
    emigration: float | None  # reported by the origin
    immigration_key: str | None
    emigration_key: str | None
    immigration_definition: tuple[tuple[str, str], ...]
    emigration_definition: tuple[tuple[str, str], ...]
    #: The data providers ('AGENCY:ID', '' unattributed) of each side (None: not reported).
    immigration_provider: str | None = None
    emigration_provider: str | None = None

    @property
    def difference(self) -> float | None:
        """Immigration (destination's figure) minus emigration (origin's figure)."""
        if self.immigration is None or self.emigration is None:
            return None
        return self.immigration - self.emigration

    @property
    def ratio(self) -> float | None:
        """Immigration over emigration (None when either is missing or emigration is 0)."""
        if self.immigration is None or not self.emigration:
            return None
        return self.immigration / self.emigration

    @property
    def status(self) -> str:
        """paired, no_immigration_report or no_emigration_report: which reports the corridor has."""
        if self.immigration is None:
            return "no_immigration_report"
        if self.emigration is None:
            return "no_emigration_report"
        return "paired"

    @property
    def same_definition(self) -> bool | None:
        """Whether both sides give the same definition attributes (None: one side absent)."""
        if self.immigration is None or self.emigration is None:
            return None
        return self.immigration_definition == self.emigration_definition

    def to_record(self) -> dict[str, Any]:
        """The pair as a flat record (the columns of MIRROR_COLUMNS)."""
        record: dict[str, Any] = {
            "origin": self.origin,
            "destination": self.destination,
            "breakdown": " ".join(f"{k}={v}" for k, v in self.breakdown),
            "period": self.period,
            "immigration": self.immigration,
            "emigration": self.emigration,
            "difference": self.difference,
            "ratio": self.ratio,
            "status": self.status,
            "same_definition": self.same_definition,
            "immigration_key": self.immigration_key,
            "emigration_key": self.emigration_key,
            "immigration_provider": self.immigration_provider,
            "emigration_provider": self.emigration_provider,
        }
        for side, given in (
            ("immigration", dict(self.immigration_definition)),
            ("emigration", dict(self.emigration_definition)),
        ):
            for name in DEFINITION_ATTRIBUTES:
                record[f"{side}_{name}"] = given.get(name)
        return record


@dataclass(frozen=True)
class _Roles:
    reporter: int
    direction: int
    partner: int
    others: tuple[int, ...]


def mirror_roles(target: CheckTarget) -> _Roles:
    """Where reporter, direction and partner sit in the key; SemanticError for a dataflow
    that is not a bilateral flow dataflow."""
    dimensions = target.layout.dimensions
    partner = next((p for p in PARTNERS if p in dimensions), None)
    if REPORTER not in dimensions or DIRECTION not in dimensions or partner is None:
        raise SemanticError(
            f"{target.name} is not a bilateral flow dataflow: mirror statistics need the "
            f"dimensions {REPORTER}, {DIRECTION} and one of {', '.join(PARTNERS)}",
            where="dataflow",
        )
    fixed = (dimensions.index(REPORTER), dimensions.index(DIRECTION), dimensions.index(partner))
    others = tuple(i for i in range(len(dimensions)) if i not in fixed)
    return _Roles(*fixed, others)


def mirror_pairs(
    node: Node,
    target: CheckTarget,
    *,
    selection: DataSelection | None = None,
    country: str | None = None,
) -> Iterator[MirrorPair]:
    """Every reported bilateral flow with its mirror, by corridor and period; `country`
    keeps the corridors it takes part in."""
    roles = mirror_roles(target)
    layout = target.layout
    width = len(layout.dimensions)
    reporter = target.structure.dimensions[roles.reporter]
    aggregates = {code for code, _ in reporter.hierarchy}
    countries = (reporter.codes or frozenset()) - aggregates
    definition = [
        (name, layout.series_attributes.index(name))
        for name in DEFINITION_ATTRIBUTES
        if name in layout.series_attributes
    ]
    mult_index = (
        layout.series_attributes.index("UNIT_MULT")
        if "UNIT_MULT" in layout.series_attributes
        else None
    )
    query = select_corridors(
        target.dataflow.pk,
        selection or DataSelection(),
        width=width,
        reporter=roles.reporter,
        direction=roles.direction,
        partner=roles.partner,
        inflow=INFLOW,
        outflow=OUTFLOW,
        country=country,
    )
    pending: list[tuple] = []
    with node.data.reading() as reader:
        for record in reader.stream(query):
            origin, destination = record[0], record[1]
            if origin not in countries or destination not in countries:
                continue
            key = record[2 : 2 + width]
            attributes = record[2 + width]
            values = attributes.split(ATTRIBUTE_SEPARATOR) if attributes else []
            side = (
                origin,
                destination,
                tuple((layout.dimensions[i], key[i]) for i in roles.others),
                record[3 + width],
                key[roles.direction],
                figure(record[4 + width], _at(values, mult_index)),
                ".".join(v or "" for v in key),
                tuple((name, _at(values, i)) for name, i in definition if _at(values, i)),
                record[5 + width],
            )
            if pending and pending[0][:4] != side[:4]:
                yield from _pairs(pending)
                pending = []
            pending.append(side)
        if pending:
            yield from _pairs(pending)


def _pairs(reports: list[tuple]) -> Iterator[MirrorPair]:
    """The pairs of one flow and period: each provider's immigration figure with each
    provider's emigration figure (one pair when each side has one report or none)."""
    none: list[tuple | None] = [None]
    inflows: list[tuple | None] = [r for r in reports if r[4] == INFLOW] or none
    outflows: list[tuple | None] = [r for r in reports if r[4] == OUTFLOW] or none
    for inflow in inflows:
        for outflow in outflows:
            yield _pair(reports[0], inflow, outflow)


def _pair(first: tuple, inflow: tuple | None, outflow: tuple | None) -> MirrorPair:
    return MirrorPair(
        origin=first[0],
        destination=first[1],
        breakdown=first[2],
        period=first[3],
        immigration=inflow[5] if inflow else None,
        emigration=outflow[5] if outflow else None,
        immigration_key=inflow[6] if inflow else None,
        emigration_key=outflow[6] if outflow else None,
        immigration_definition=inflow[7] if inflow else (),
        emigration_definition=outflow[7] if outflow else (),
        immigration_provider=inflow[8] if inflow else None,
        emigration_provider=outflow[8] if outflow else None,
    )


def _at(values: list[str], index: int | None) -> str | None:
    if index is None or index >= len(values):
        return None
    return values[index] or None
