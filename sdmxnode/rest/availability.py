"""SDMX-REST availability queries (1.5 `/availableconstraint/...`, 2.x `/availability/...`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sdmxnode.errors import BadRequest
from sdmxnode.rest.data import HINTS_V2, time_range_from_filters
from sdmxnode.rest.filters import parse_component_filters
from sdmxnode.rest.flows import parse_flow_ref, parse_flow_v2
from sdmxnode.rest.identifiers import split_values
from sdmxnode.rest.parameters import (
    COMPONENT_ID,
    check_parameters,
    parse_choice,
)
from sdmxnode.rest.periods import parse_period_pair
from sdmxnode.rest.queries import DataSelectionQuery, selection_fields

MODES: tuple[str, ...] = ("exact", "available")
# `references` of availability queries (1.5 `4_6_1_other_queries.md`, 2.x
# `availability.md`; 2.2 adds valuelist) as canonical artefact types. `all` is "dataflow,
# datastructure, conceptschemes, dataproviderschemes and codelists".
REFERENCE_TYPES: Mapping[str, str] = {
    "codelist": "Codelist",
    "conceptscheme": "ConceptScheme",
    "dataflow": "Dataflow",
    "dataproviderscheme": "DataProviderScheme",
    "datastructure": "DataStructure",
}
REFERENCE_TYPES_V2: Mapping[str, str] = {**REFERENCE_TYPES, "valuelist": "ValueList"}
PARAMETERS_V1: frozenset[str] = frozenset(
    {"startPeriod", "endPeriod", "updatedAfter", "references", "mode"}
)
PARAMETERS_V2: frozenset[str] = frozenset({"c", "updatedAfter", "references", "mode"})
NOT_IMPLEMENTED_V2: Mapping[str, str] = {
    "asOf": "the node does not keep past states of the data (time travel)",
    "reportingYearStartDay": "only reporting years starting on 1 January are supported",
}


@dataclass(frozen=True)
class AvailabilityQuery(DataSelectionQuery):
    """One availability query: the data selection of a DataQuery plus what to report.

    `component_ids` None reports every dimension; `mode` is `exact` (values the data query
    returns) or `available` (values that could still be added and return data);
    `references` holds canonical artefact types to include (empty for `none`; `all`
    expands to its five types).
    """

    component_ids: tuple[str, ...] | None
    mode: str
    references: frozenset[str]


def parse_availability_query_v1(
    flow_ref: str,
    key: str | None,
    provider_ref: str | None,
    component_id: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> AvailabilityQuery:
    """Parse `/availableconstraint/{flowRef}/{key}/{providerRef}/{componentID}` (A4).

    Omitted segments are None (= `all`). componentID is one dimension id or `all`.
    Query parameters: `startPeriod`, `endPeriod`, `updatedAfter`, `references` (one of
    none, all, codelist, conceptscheme, dataflow, dataproviderscheme, datastructure) and
    `mode` (exact, available).
    """
    check_parameters(args, PARAMETERS_V1, ignored_parameters, query="availability query")
    flow = parse_flow_ref(flow_ref)
    start, end = parse_period_pair(args.get("startPeriod"), args.get("endPeriod"))
    references_text = args.get("references", "none")
    if "+" in references_text or "," in references_text:
        raise BadRequest(
            f"references='{references_text}': the 1.5 API takes a single value",
            where="references",
        )
    return AvailabilityQuery(
        **selection_fields(
            1,
            flow,
            key,
            provider_ref,
            (start, end),
            (),
            args.get("updatedAfter"),
        ),
        component_ids=_component_ids(component_id, "+", "all"),
        mode=parse_choice(args.get("mode"), MODES, where="mode"),
        references=_references([references_text], REFERENCE_TYPES),
    )


def parse_availability_query_v2(
    context: str | None,
    agency: str | None,
    id: str | None,
    version: str | None,
    key: str | None,
    component_id: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> AvailabilityQuery:
    """Parse `/availability/{context}/{agencyID}/{resourceID}/{version}/{key}/{componentID}`.

    Omitted segments default to `*` (B5); componentID takes several ids joined by ','.
    Query parameters: `c[...]` filters (a `c[TIME_PERIOD]=ge:X+le:Y` range becomes
    start_period / end_period as for data), `updatedAfter`, `references` (several joined
    by ','; 2.2 adds valuelist) and `mode`.
    """
    check_parameters(
        args,
        PARAMETERS_V2,
        ignored_parameters,
        query="availability query",
        hints=HINTS_V2,
        not_implemented=NOT_IMPLEMENTED_V2,
    )
    flow = parse_flow_v2(context, agency, id, version)
    start, end, filters = time_range_from_filters(parse_component_filters(args))
    return AvailabilityQuery(
        **selection_fields(2, flow, key, None, (start, end), filters, args.get("updatedAfter")),
        component_ids=_component_ids(component_id, ",", "*"),
        mode=parse_choice(args.get("mode"), MODES, where="mode"),
        references=_references(args.get("references", "none").split(","), REFERENCE_TYPES_V2),
    )


def _component_ids(text: str | None, separator: str, wildcard: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    return split_values(
        text,
        separator=separator,
        wildcards=frozenset({wildcard, "all"}),
        pattern=COMPONENT_ID,
        where="componentID",
    )


def _references(values: list[str], types: Mapping[str, str]) -> frozenset[str]:
    chosen: set[str] = set()
    names = [value.strip().lower() for value in values]
    if "none" in names and len(names) > 1:
        raise BadRequest(
            "references='none' cannot be combined with other values", where="references"
        )
    for name, text in zip(names, values, strict=True):
        if name == "none":
            continue
        if name == "all":
            chosen.update(REFERENCE_TYPES.values())
        elif name in types:
            chosen.add(types[name])
        else:
            raise BadRequest(
                f"references='{text}' is not a valid value; expected one of: none, all, "
                + ", ".join(types),
                where="references",
            )
    return frozenset(chosen)
