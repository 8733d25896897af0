"""SDMX-REST schema (data validity) queries, 1.5 and 2.x `/schema/{context}/{agency}/{id}/...`."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.identifiers import ID_TYPE, NESTED_NCNAME_ID_TYPE, check_id
from sdmxnode.rest.parameters import (
    check_parameters,
    parse_boolean,
    parse_dimension_at_observation,
)
from sdmxnode.rest.queries import ResourceQuery
from sdmxnode.rest.versions import (
    ALL,
    DEFAULT_VERSIONS_V1,
    DEFAULT_VERSIONS_V2,
    VersionSelector,
    parse_versions_v1,
    parse_versions_v2,
)

# Contexts: 1.5 `4_5_schema_queries.md` (A5); 2.x `schema.md` adds
# metadataprovisionagreement (B6).
CONTEXTS_V1: tuple[str, ...] = (
    "datastructure",
    "metadatastructure",
    "dataflow",
    "metadataflow",
    "provisionagreement",
)
CONTEXTS_V2: tuple[str, ...] = (*CONTEXTS_V1, "metadataprovisionagreement")
PARAMETERS_V1: frozenset[str] = frozenset({"dimensionAtObservation", "explicitMeasure"})
# `explicitMeasure` is in the 2.0.0 OpenAPI file only; it is still accepted. `deletion`
# (2.2) is accepted when false, its default.
PARAMETERS_V2: frozenset[str] = frozenset({"dimensionAtObservation", "explicitMeasure", "deletion"})
NOT_IMPLEMENTED_V2: Mapping[str, str] = {
    "asOf": "the node does not keep past states of structures (time travel)",
}


@dataclass(frozen=True)
class SchemaQuery(ResourceQuery):
    """One schema query: the single artefact (in `context`) whose data validity is asked for.

    `versions` selects one version (exact, or a latest form); `dimension_at_observation`
    None is the default (the time dimension, else AllDimensions).
    """

    agency: str
    id: str
    versions: VersionSelector
    dimension_at_observation: str | None
    explicit_measure: bool


def parse_schema_query_v1(
    context: str,
    agency: str | None,
    id: str | None,
    version: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> SchemaQuery:
    """Parse a 1.5 schema query (A5): agency and id are required and `all` is not allowed
    (the query must match one artefact); version is `latest` (the default) or one version.

    Query parameters: `dimensionAtObservation`, `explicitMeasure` (boolean, default false).
    """
    check_parameters(args, PARAMETERS_V1, ignored_parameters, query="schema query")
    name = _context(context, CONTEXTS_V1)
    agency_id, artefact_id = _one_artefact(agency, id, "all")
    if version is None:
        versions = DEFAULT_VERSIONS_V1
    elif version == "all" or "+" in version:
        raise BadRequest(
            f"version '{version}': a schema query selects one version ('latest' or e.g. '1.0')",
            where="version",
        )
    else:
        versions = parse_versions_v1(version)
    return SchemaQuery(
        api=1,
        context=name,
        agency=agency_id,
        id=artefact_id,
        versions=versions,
        dimension_at_observation=parse_dimension_at_observation(args.get("dimensionAtObservation")),
        explicit_measure=parse_boolean(args.get("explicitMeasure"), where="explicitMeasure"),
    )


def parse_schema_query_v2(
    context: str,
    agency: str | None,
    id: str | None,
    version: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> SchemaQuery:
    """Parse a 2.x schema query (B6): agency and id are required, `*` is not allowed;
    version defaults to `~` and must select one version (no `*` forms, no ',' lists).

    Query parameters: `dimensionAtObservation`; `explicitMeasure` (2.0.0 only) and
    `deletion` (2.2; only `false` is supported) are accepted; `asOf` raises
    NotImplementedSdmx.
    """
    check_parameters(
        args,
        PARAMETERS_V2,
        ignored_parameters,
        query="schema query",
        not_implemented=NOT_IMPLEMENTED_V2,
    )
    name = _context(context, CONTEXTS_V2)
    agency_id, artefact_id = _one_artefact(agency, id, "*")
    versions = DEFAULT_VERSIONS_V2
    if version is not None:
        versions = parse_versions_v2(version)
        if len(versions.terms) > 1 or versions.terms[0].kind == ALL:
            raise BadRequest(
                f"version '{version}': a schema query selects one version (an exact version,"
                " '~', '+' or a latest form such as '1.~')",
                where="version",
            )
    if parse_boolean(args.get("deletion"), where="deletion"):
        raise NotImplementedSdmx(
            "deletion=true (schemas for deletion messages) is not supported by this node",
            where="deletion",
        )
    return SchemaQuery(
        api=2,
        context=name,
        agency=agency_id,
        id=artefact_id,
        versions=versions,
        dimension_at_observation=parse_dimension_at_observation(args.get("dimensionAtObservation")),
        explicit_measure=parse_boolean(args.get("explicitMeasure"), where="explicitMeasure"),
    )


def _context(text: str, contexts: tuple[str, ...]) -> str:
    name = text.lower()
    if name not in contexts:
        raise BadRequest(
            f"'{text}' is not a valid schema context; expected one of: " + ", ".join(contexts),
            where="context",
        )
    return name


def _one_artefact(agency: str | None, id: str | None, wildcard: str) -> tuple[str, str]:
    return (
        _one(agency, "agency", NESTED_NCNAME_ID_TYPE, wildcard),
        _one(id, "id", ID_TYPE, wildcard),
    )


def _one(value: str | None, where: str, pattern: re.Pattern[str], wildcard: str) -> str:
    if value is None or value in (wildcard, "all", "*") or "," in value or "+" in value:
        shown = "missing" if value is None else f"'{value}'"
        raise BadRequest(
            f"the {where} is {shown}: a schema query must name exactly one artefact"
            f" (agency and id are required; '{wildcard}' and lists are not allowed)",
            where=where,
        )
    check_id(value, pattern=pattern, where=where)
    return value
