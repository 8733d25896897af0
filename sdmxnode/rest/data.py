"""SDMX-REST data queries (1.5 `/data/{flowRef}/{key}/{providerRef}`, 2.x `/data/{context}/...`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from datetime import datetime

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.filters import TIME_PERIOD, ComponentFilter, parse_component_filters
from sdmxnode.rest.flows import parse_flow_ref, parse_flow_v2
from sdmxnode.rest.parameters import (
    COMPONENT_ID,
    check_parameters,
    parse_boolean,
    parse_choice,
    parse_dimension_at_observation,
    parse_positive_integer,
)
from sdmxnode.rest.periods import check_period_order, parse_date_time, parse_period_pair
from sdmxnode.rest.queries import DataSelectionQuery, selection_fields

# 1.5 `detail` values (OpenAPI `detail` enum), default first.
DETAILS_V1: tuple[str, ...] = ("full", "dataonly", "serieskeysonly", "nodata")
# 2.x `attributes` and `measures` keywords (`data.md`), defaults `dsd` and `all`.
ATTRIBUTE_KEYWORDS: tuple[str, ...] = ("dsd", "msd", "dataset", "series", "obs", "all", "none")
MEASURE_KEYWORDS: tuple[str, ...] = ("all", "none")
# How 1.5 `detail` reads in 2.x terms, and back (the spec gives no formal mapping,
# checklist B4): dataonly drops attributes, nodata drops measures (observations),
# serieskeysonly drops both.
_DETAIL_AS_V2: dict[str, tuple[str, str]] = {
    "full": ("dsd", "all"),
    "dataonly": ("none", "all"),
    "serieskeysonly": ("none", "none"),
    "nodata": ("dsd", "none"),
}
PARAMETERS_V1: frozenset[str] = frozenset(
    {
        "startPeriod",
        "endPeriod",
        "updatedAfter",
        "firstNObservations",
        "lastNObservations",
        "dimensionAtObservation",
        "detail",
        "includeHistory",
    }
)
PARAMETERS_V2: frozenset[str] = frozenset(
    {
        "c",
        "updatedAfter",
        "firstNObservations",
        "lastNObservations",
        "dimensionAtObservation",
        "attributes",
        "measures",
        "includeHistory",
        "asOf",
    }
)
# Parameters of the 1.5 line that mean something else on 2.x: say what to use instead.
HINTS_V2: Mapping[str, str] = {
    "startPeriod": "on the 2.x API use c[TIME_PERIOD]=ge:<period>",
    "endPeriod": "on the 2.x API use c[TIME_PERIOD]=le:<period>",
    "detail": "on the 2.x API use attributes= and measures= (e.g. attributes=none)",
}
# Standard 2.2 parameters the node does not implement (answered with 501).
NOT_IMPLEMENTED_V2: Mapping[str, str] = {
    "offset": "paging (SDMX-REST 2.2) is not implemented",
    "limit": "paging (SDMX-REST 2.2) is not implemented",
    "sort": "sorting (SDMX-REST 2.2) is not implemented; data come sorted by series key",
    "reportingYearStartDay": "only reporting years starting on 1 January are supported",
}


@dataclass(frozen=True)
class DataQuery(DataSelectionQuery):
    """One data query, from either API line; None means "any" / "not given".

    The selection fields are DataSelectionQuery's. `detail` and `attributes` / `measures`
    are both filled on either line: 1.5 `detail` maps to 2.x terms (dataonly = attributes
    none, nodata = measures none, serieskeysonly = both none) and 2.x values map back.
    `dimension_at_observation`: None for the default (the time dimension if the DSD has
    one, else AllDimensions); checked against the DSD by the caller. `as_of` (2.x `asOf`):
    the data as they stood at that moment (timezone-aware), None for now.
    """

    first_n: int | None
    last_n: int | None
    dimension_at_observation: str | None
    detail: str  # full | dataonly | serieskeysonly | nodata
    attributes: str | tuple[str, ...]
    measures: str | tuple[str, ...]
    include_history: bool
    as_of: datetime | None = None


def as_data_query(selection: DataSelectionQuery) -> DataQuery:
    """The data query that selects what `selection` selects, with every other parameter at
    its default (full detail, all observations, no history)."""
    return DataQuery(
        **{f.name: getattr(selection, f.name) for f in fields(DataSelectionQuery)},
        first_n=None,
        last_n=None,
        dimension_at_observation=None,
        detail="full",
        attributes="dsd",
        measures="all",
        include_history=False,
    )


def parse_data_query_v1(
    flow_ref: str,
    key: str | None,
    provider_ref: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> DataQuery:
    """Parse a 1.5 data query `/data/{flowRef}/{key}/{providerRef}` (checklist A3).

    Omitted key and providerRef segments are None (= `all`). Query parameters:
    `startPeriod`, `endPeriod` (any period_range form; start after end is an error),
    `updatedAfter`, `firstNObservations`, `lastNObservations` (positive integers),
    `dimensionAtObservation`, `detail`, `includeHistory`. Others raise BadRequest unless
    listed in `ignored_parameters` (those the caller handles, e.g. `format`).
    """
    check_parameters(args, PARAMETERS_V1, ignored_parameters, query="data query")
    flow = parse_flow_ref(flow_ref)
    start, end = parse_period_pair(args.get("startPeriod"), args.get("endPeriod"))
    detail = parse_choice(args.get("detail"), DETAILS_V1, where="detail")
    attributes, measures = _DETAIL_AS_V2[detail]
    return DataQuery(
        **selection_fields(
            1,
            flow,
            key,
            provider_ref,
            (start, end),
            (),
            args.get("updatedAfter"),
        ),
        first_n=parse_positive_integer(args.get("firstNObservations"), where="firstNObservations"),
        last_n=parse_positive_integer(args.get("lastNObservations"), where="lastNObservations"),
        dimension_at_observation=parse_dimension_at_observation(args.get("dimensionAtObservation")),
        detail=detail,
        attributes=attributes,
        measures=measures,
        include_history=parse_boolean(args.get("includeHistory"), where="includeHistory"),
    )


def parse_data_query_v2(
    context: str | None,
    agency: str | None,
    id: str | None,
    version: str | None,
    key: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> DataQuery:
    """Parse a 2.x data query `/data/{context}/{agencyID}/{resourceID}/{version}/{key}` (B4).

    Omitted segments are None and take their defaults (`*` each; version `*` = all
    versions). Query parameters: `c[COMPONENT]` filters, `updatedAfter`,
    `firstNObservations`, `lastNObservations`, `dimensionAtObservation`, `attributes`,
    `measures`, `includeHistory`, `asOf` (an xs:dateTime; not with `updatedAfter`, which
    raises NotImplementedSdmx). The 1.5 `startPeriod`, `endPeriod` and `detail` raise
    BadRequest pointing to their 2.x forms; the 2.2 `offset`, `limit`, `sort` and
    `reportingYearStartDay` raise NotImplementedSdmx.
    """
    check_parameters(
        args,
        PARAMETERS_V2,
        ignored_parameters,
        query="data query",
        hints=HINTS_V2,
        not_implemented=NOT_IMPLEMENTED_V2,
    )
    flow = parse_flow_v2(context, agency, id, version)
    start, end, filters = time_range_from_filters(parse_component_filters(args))
    attributes = parse_attributes(args.get("attributes"))
    measures = parse_measures(args.get("measures"))
    as_of = _parse_as_of(args)
    return DataQuery(
        **selection_fields(2, flow, key, None, (start, end), filters, args.get("updatedAfter")),
        first_n=parse_positive_integer(args.get("firstNObservations"), where="firstNObservations"),
        last_n=parse_positive_integer(args.get("lastNObservations"), where="lastNObservations"),
        dimension_at_observation=parse_dimension_at_observation(args.get("dimensionAtObservation")),
        detail=detail_of(attributes, measures),
        attributes=attributes,
        measures=measures,
        include_history=parse_boolean(args.get("includeHistory"), where="includeHistory"),
        as_of=as_of,
    )


def _parse_as_of(args: Mapping[str, str]) -> datetime | None:
    """`asOf` (OpenAPI: string, format date-time): BadRequest when it is no date-time,
    NotImplementedSdmx with `updatedAfter` (the changes between two past moments)."""
    text = args.get("asOf")
    if text is None:
        return None
    moment = parse_date_time(text, where="asOf")
    if args.get("updatedAfter") is not None:
        raise NotImplementedSdmx(
            "asOf with updatedAfter (the changes between two past moments) is not supported "
            "by this node: send asOf alone, or updatedAfter alone",
            where="asOf",
        )
    return moment


def parse_attributes(text: str | None) -> str | tuple[str, ...]:
    """2.x `attributes`: one keyword (`dsd` default, `msd`, `dataset`, `series`, `obs`, `all`,
    `none`) as a string, or several keywords and/or attribute ids (joined by ',') as a tuple.

    `none` cannot be combined; `all` absorbs anything combined with it.
    """
    return _parse_selection(text, ATTRIBUTE_KEYWORDS, where="attributes")


def parse_measures(text: str | None) -> str | tuple[str, ...]:
    """2.x `measures`: `all` (default) or `none` as a string, or measure ids as a tuple."""
    return _parse_selection(text, MEASURE_KEYWORDS, where="measures")


def detail_of(attributes: str | tuple[str, ...], measures: str | tuple[str, ...]) -> str:
    """The 1.5 `detail` that a 2.x attributes / measures selection corresponds to."""
    if attributes == "none":
        return "serieskeysonly" if measures == "none" else "dataonly"
    return "nodata" if measures == "none" else "full"


def time_range_from_filters(
    filters: tuple[ComponentFilter, ...],
) -> tuple[str | None, str | None, tuple[ComponentFilter, ...]]:
    """Take the 2.x time range `c[TIME_PERIOD]=ge:X+le:Y` out of the filters.

    When the TIME_PERIOD filter is one clause of at most one `ge` and at most one `le`
    term, returns (X or None, Y or None, the other filters); any other TIME_PERIOD filter
    stays in the filters and no range is returned. A start after the end is a BadRequest.
    """
    for position, component_filter in enumerate(filters):
        if component_filter.component != TIME_PERIOD or len(component_filter.clauses) != 1:
            continue
        operators = [operator for operator, _ in component_filter.clauses[0]]
        if not set(operators) <= {"ge", "le"} or len(operators) != len(set(operators)):
            return None, None, filters
        bounds = dict(component_filter.clauses[0])
        start, end = bounds.get("ge"), bounds.get("le")
        check_period_order(start, end, where=f"c[{TIME_PERIOD}]")
        return start, end, filters[:position] + filters[position + 1 :]
    return None, None, filters


def _parse_selection(
    text: str | None, keywords: tuple[str, ...], *, where: str
) -> str | tuple[str, ...]:
    if text is None:
        return keywords[0]
    values = text.split(",")
    if "" in values:
        raise BadRequest(
            f"empty value in {where}='{text}' (check for a doubled, leading or trailing ',')",
            where=where,
        )
    chosen: list[str] = []
    for value in values:
        if value not in keywords and COMPONENT_ID.fullmatch(value) is None:
            raise BadRequest(
                f"{where}='{text}': '{value}' is neither one of "
                + ", ".join(keywords)
                + " nor a component id",
                where=where,
            )
        if value not in chosen:
            chosen.append(value)
    if "none" in chosen and len(chosen) > 1:
        raise BadRequest(f"{where}='none' cannot be combined with other values", where=where)
    if "all" in chosen:
        return "all"
    if len(chosen) == 1 and chosen[0] in keywords:
        return chosen[0]
    return tuple(chosen)
