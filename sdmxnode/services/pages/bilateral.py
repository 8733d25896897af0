"""The origin-and-destination page of a bilateral stock dataflow: for one country, where its
emigrants live (its code as country of birth, every destination) and where its immigrants
come from (its code as destination, every origin), and one corridor seen from both ends.

A bilateral stock dataflow is one whose structure has a destination (`REF_AREA`) and an
origin (`COUNTRY_BIRTH`) dimension and whose data give origins that are countries (the 2017
origin-by-destination table; the 2019 demo data have only the foreign-born total). The
figures are read from the stored data by two data queries, one per view (the key fixes the
country and takes the totals of every other dimension); nothing is computed but the
ranking, and the totals shown are the stored ones (the world row, the FB column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sdmxnode.errors import BadRequest, NoResults
from sdmxnode.rest.data import parse_data_query_v1
from sdmxnode.services.data.queries import iter_rows, plan_data_query
from sdmxnode.services.node import Node
from sdmxnode.services.pages import N_
from sdmxnode.services.pages.dataflow import DataflowView
from sdmxnode.services.pages.explorer.exploration import number_of
from sdmxnode.services.pages.explorer.selection import TOTAL_CODES

DESTINATION, ORIGIN = "REF_AREA", "COUNTRY_BIRTH"
#: Origin codes that are no countries: totals and residual origins (shown apart).
SUMMARY_ORIGINS = ("FB", "_T", "NB", "NAT", "FOR", "STLS", "_U", "_Z", "OTH_NORTH", "OTH_SOUTH")
#: Partners listed in each view's table; the chart draws the first CHART_LINES.
TOP = 15
CHART_LINES = 5
WORLD = "1"
#: The views' titles and totals, and the corridor's rows: interface messages the page
#: translates (placeholders: the chosen country; the corridor's two ends).
EMIGRANTS_TITLE = N_("Where people born in %(country)s live")
IMMIGRANTS_TITLE = N_("Where the immigrants of %(country)s were born")
ALL_DESTINATIONS = N_("World (all destinations)")
ALL_ORIGINS = N_("Foreign-born (all origins)")
BORN_LIVING = N_("Born in %(origin)s, living in %(residence)s")


@dataclass(frozen=True)
class Partner:
    """One destination (emigrant view) or origin (immigrant view) with its figures."""

    code: str
    name: str
    values: dict[str, float]

    def at(self, period: str) -> float | None:
        """The figure of `period`, None when there is none."""
        return self.values.get(period)


@dataclass(frozen=True)
class Side:
    """One view: the country's partners ranked by their latest figure, and the total."""

    title: str  # EMIGRANTS_TITLE or IMMIGRANTS_TITLE (the page fills in the country)
    partners: list[Partner]  # countries, largest first in the latest period
    total: Partner | None  # the stored total (world destination, foreign-born origin)
    residuals: list[Partner] = field(default_factory=list)  # residual or unknown origins
    count: int = 0  # partners with a figure above zero in the latest period

    @property
    def top(self) -> list[Partner]:
        """The TOP largest partners, among those with a figure above zero in the latest
        period (the first `count` of `partners`)."""
        return self.partners[: min(TOP, self.count)]

    def chart_data(self, periods: list[str]) -> dict[str, object]:
        """The largest partners' time series, in the explorer chart's layout."""
        return {
            "periods": periods,
            "series": [
                {"key": p.code, "label": p.name, "values": p.values} for p in self.top[:CHART_LINES]
            ],
        }


@dataclass(frozen=True)
class BilateralView:
    """What the page shows for one dataflow and (when chosen) one country and partner."""

    countries: list[tuple[str, str]]  # countries with data as destination or origin
    country: str | None = None
    country_name: str = ""
    periods: list[str] = field(default_factory=list)
    latest: str = ""
    emigrants: Side | None = None
    immigrants: Side | None = None
    partner: str | None = None
    partner_name: str = ""
    #: The corridor from both ends: country-born in partner, partner-born in country
    #: (named BORN_LIVING, which the page fills in with the two countries).
    corridor: tuple[Partner, Partner] | None = None
    #: The SDMX key of each view ('emigrants', 'immigrants').
    keys: dict[str, str] = field(default_factory=dict)


def is_bilateral(view: DataflowView) -> bool:
    """Whether the dataflow has destination and origin dimensions and data by origin
    country."""
    dimensions = {d.id for d in view.structure.dimensions}
    if not {DESTINATION, ORIGIN} <= dimensions or view.availability is None:
        return False
    origins = view.availability.values.get(ORIGIN, [])
    return any(_is_country(code) for code in origins)


def _is_country(code: str) -> bool:
    return not code.isdigit() and code not in SUMMARY_ORIGINS


def get_bilateral_view(
    node: Node, view: DataflowView, country: str | None, partner: str | None = None
) -> BilateralView:
    """The page's content; BadRequest for a country or partner without data."""
    assert view.availability is not None
    names = view.labels.codes.get(DESTINATION, {})
    held = set(view.availability.values.get(DESTINATION, [])) | set(
        view.availability.values.get(ORIGIN, [])
    )
    countries = sorted(
        ((code, names.get(code, code)) for code in held if _is_country(code)),
        key=lambda item: item[1],
    )
    if country is None:
        return BilateralView(countries)
    if country not in held or not _is_country(country):
        raise BadRequest(f"{country!r} is no country with data in {view.name}", where="country")
    country_name = names.get(country, country)
    keys = {
        "emigrants": view_key(view, {ORIGIN: country}, DESTINATION),
        "immigrants": view_key(view, {DESTINATION: country}, ORIGIN),
    }
    emigrants = _read(node, view, keys["emigrants"], DESTINATION)
    immigrants = _read(node, view, keys["immigrants"], ORIGIN)
    periods = sorted({p for side in (emigrants, immigrants) for v in side.values() for p in v})
    latest = periods[-1] if periods else ""
    result = BilateralView(
        countries,
        country,
        country_name,
        periods,
        latest,
        _side(
            EMIGRANTS_TITLE,
            emigrants,
            names,
            latest,
            total=emigrants.get(WORLD),
            total_name=ALL_DESTINATIONS,
        ),
        _side(
            IMMIGRANTS_TITLE,
            immigrants,
            view.labels.codes.get(ORIGIN, names),
            latest,
            total=immigrants.get("FB"),
            total_name=ALL_ORIGINS,
        ),
        keys=keys,
    )
    if partner is None:
        return result
    if partner not in held or not _is_country(partner) or partner == country:
        raise BadRequest(f"{partner!r} is no other country with data", where="partner")
    partner_name = names.get(partner, partner)
    outward = Partner(partner, BORN_LIVING, emigrants.get(partner, {}))
    inward = Partner(country, BORN_LIVING, immigrants.get(partner, {}))
    return replace(result, partner=partner, partner_name=partner_name, corridor=(outward, inward))


def _side(
    title: str,
    by_code: dict[str, dict[str, float]],
    names: Mapping[str, str],
    latest: str,
    *,
    total: dict[str, float] | None,
    total_name: str,
) -> Side:
    partners = [
        Partner(code, names.get(code, code), values)
        for code, values in by_code.items()
        if _is_country(code)
    ]
    partners.sort(key=lambda p: (-(p.at(latest) or 0.0), p.name))
    residuals = [
        Partner(code, names.get(code, code), values)
        for code, values in by_code.items()
        if code in SUMMARY_ORIGINS and code not in ("FB", "_T")
    ]
    return Side(
        title,
        partners,
        Partner("", total_name, total) if total else None,
        residuals,
        sum(1 for p in partners if (p.at(latest) or 0) > 0),
    )


def view_key(view: DataflowView, fixed: dict[str, str], varying: str) -> str:
    """The SDMX key of one view: `fixed` dimensions set, `varying` open, every other
    dimension at its total (or its only value)."""
    assert view.availability is not None
    parts = []
    for dimension in view.structure.dimensions:
        if dimension.id in fixed:
            parts.append(fixed[dimension.id])
        elif dimension.id == varying:
            parts.append("")
        else:
            held = view.availability.values.get(dimension.id, [])
            total = next((c for c in TOTAL_CODES if c in held), None)
            parts.append(total or (held[0] if len(held) == 1 else ""))
    return ".".join(parts)


def _read(node: Node, view: DataflowView, key: str, varying: str) -> dict[str, dict[str, float]]:
    """Figures of the selection `key` by code of `varying` and period."""
    query = parse_data_query_v1(view.flow_ref, key, None, {"detail": "dataonly"})
    try:
        plan = plan_data_query(node, view.artefact, query)
    except NoResults:
        return {}
    columns = plan.columns
    position = [d.id for d in view.structure.dimensions].index(varying)
    time_id = plan.structure.time_dimension.id if plan.structure.time_dimension else None
    measure = plan.structure.measures[0].id if plan.structure.measures else None
    if time_id is None or measure not in columns:
        return {}
    time_index, value_index = columns.index(time_id), columns.index(measure)
    found: dict[str, dict[str, float]] = {}
    for row in iter_rows(node, plan):
        number = number_of(row[value_index])
        if number is not None:
            found.setdefault(str(row[position]), {})[str(row[time_index])] = number
    return found
