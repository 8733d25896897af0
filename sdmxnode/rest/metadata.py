"""SDMX-REST reference-metadata queries as objects (1.5 `/metadata/...`, 2.x `/v2/metadata/...`).

Both API lines share one grammar (SDMX-REST `4_8_metadata_queries.md` for 1.5, written with
the 2.x syntax, 2.x `metadata.md` and the 2.2.2 OpenAPI):
`/metadata/metadataset/{providerID}/{metadatasetID}/{version}`,
`/metadata/metadataflow/{agencyID}/{resourceID}/{version}/{providerRef}` and
`/metadata/structure/{structureType}/{agencyID}/{resourceID}/{version}`. Several values are
joined by `,`, `*` means any, `+` / `~` (and the 2.x wildcard forms) select versions as in
structure queries. Every path parameter defaults to `*`, except the version of the targeted
structures, which defaults to `~` (their latest, as in structure queries). The 1.5
`providerRef` of the metadataflow resource takes `AGENCY,PROVIDER` or `PROVIDER` terms joined
by `+` (its table in the same document); 2.x takes the OpenAPI's `providerID` list joined by
`,`, a provider written `AGENCY.ID` when its agency matters. Query parameters: `detail`
(`full`, `allstubs`) and, on 2.x, `asOf` (the sets as they were at that moment, from the
node's history of every set written; a value without offset is in the node's local time, as
for data).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sdmxnode.errors import BadRequest
from sdmxnode.rest import resources
from sdmxnode.rest.identifiers import (
    ID_TYPE,
    NESTED_NCNAME_ID_TYPE,
    check_id,
    fold_keyword,
    split_values,
)
from sdmxnode.rest.periods import parse_date_time
from sdmxnode.rest.versions import VersionSelector, parse_versions_v2

DETAILS: tuple[str, ...] = ("full", "allstubs")
RESOURCES: tuple[str, ...] = ("metadataset", "metadataflow", "structure")
_PARAMETERS = {1: frozenset({"detail"}), 2: frozenset({"detail", "asOf"})}
_ANY = frozenset({"*", "all"})


@dataclass(frozen=True)
class ProviderRef:
    """A metadata provider asked for: its id, and the agency of its scheme if given."""

    id: str
    agency_id: str | None = None


@dataclass(frozen=True)
class MetadataQuery:
    """One metadata query. None in `providers`, `agencies`, `ids` and `types` means any.

    `resource` says what `agencies`, `ids` and `versions` select: the sets themselves
    (`metadataset`: `ids` and `versions` of the sets, `providers` their provider), the
    metadataflow they are reported against (`metadataflow`), or the structures their
    reports target (`structure`: `types` the canonical artefact types)."""

    api: int
    resource: str
    providers: tuple[ProviderRef, ...] | None
    agencies: tuple[str, ...] | None
    ids: tuple[str, ...] | None
    versions: VersionSelector
    types: frozenset[str] | None
    detail: str
    #: 2.x `asOf`: the sets as they were then (aware); None: as they are.
    as_of: datetime | None = None


def parse_metadata_query(
    api: int,
    resource: str,
    segments: tuple[str | None, ...],
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> MetadataQuery:
    """Parse `/metadata/{resource}/...` with its path `segments` (None when left out)."""
    for parameter in args:
        if parameter not in _PARAMETERS[api] and parameter not in ignored_parameters:
            raise BadRequest(
                f"unknown query parameter '{parameter}' for a metadata query; allowed: "
                + ", ".join(sorted(_PARAMETERS[api])),
                where=parameter,
            )
    as_of = parse_date_time(args["asOf"], where="asOf") if api == 2 and "asOf" in args else None
    detail = fold_keyword(args.get("detail", "full"))
    if detail not in DETAILS:
        raise BadRequest(
            f"detail='{args['detail']}' is not a valid value; expected one of: "
            + ", ".join(DETAILS),
            where="detail",
        )
    name = resource.lower()
    padded = (*segments, None, None, None, None)
    if name == "metadataset":
        providers, ids, version = padded[:3]
        return MetadataQuery(
            api,
            name,
            _providers(providers, api, False),
            None,
            _ids(ids),
            _versions(version),
            None,
            detail,
            as_of,
        )
    if name == "metadataflow":
        agency, id_, version, providers = padded[:4]
        return MetadataQuery(
            api,
            name,
            _providers(providers, api, True),
            _agencies(agency),
            _ids(id_),
            _versions(version),
            None,
            detail,
            as_of,
        )
    if name == "structure":
        type_, agency, id_, version = padded[:4]
        return MetadataQuery(
            api,
            name,
            None,
            _agencies(agency),
            _ids(id_),
            _versions(version, "~"),
            _types(type_, api),
            detail,
            as_of,
        )
    raise BadRequest(
        f"unknown metadata resource '{resource}'; expected one of: " + ", ".join(RESOURCES),
        where="resource",
    )


def _agencies(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return split_values(
        text, separator=",", wildcards=_ANY, pattern=NESTED_NCNAME_ID_TYPE, where="agency"
    )


def _ids(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return split_values(text, separator=",", wildcards=_ANY, pattern=ID_TYPE, where="id")


def _versions(text: str | None, default: str = "*") -> VersionSelector:
    return parse_versions_v2(default if text is None else text)


def _types(text: str | None, api: int) -> frozenset[str] | None:
    name = "*" if text is None else text.lower()
    if name in _ANY:
        return None
    selection = resources.find_resource(name, 2) or resources.find_resource(name, api)
    if selection is None or name == "*":
        raise BadRequest(
            f"unknown structure type '{text}'; expected '*' or one of: "
            + ", ".join(sorted(set(resources.RESOURCES_V2) - {"*"})),
            where="type",
        )
    return selection.types


_PROVIDER_TERM = re.compile(r"(?:(?P<agency>[^,]+),)?(?P<id>[^,]+)")


def _providers(text: str | None, api: int, provider_ref: bool) -> tuple[ProviderRef, ...] | None:
    """The providers of a segment: 2.x `P1,P2` (a dotted `AGENCY.ID` names the agency of the
    provider scheme too); 1.5 providerRef `AGENCY,ID+ID2` (`AGENCY,ID` or `ID`, joined by `+`)."""
    if text is None:
        return None
    if api == 1 and provider_ref and ("+" in text or text.count(",") == 1):
        terms = text.split("+")
        if any(fold_keyword(term) in _ANY for term in terms):
            return None
        found: list[ProviderRef] = []
        for term in terms:
            match = _PROVIDER_TERM.fullmatch(term)
            if match is None:
                raise BadRequest(f"'{term}' is not a provider reference", where="provider")
            agency = match["agency"]
            if agency is not None and fold_keyword(agency) not in _ANY:
                check_id(agency, pattern=NESTED_NCNAME_ID_TYPE, where="provider")
            else:
                agency = None
            check_id(match["id"], pattern=NESTED_NCNAME_ID_TYPE, where="provider")
            found.append(ProviderRef(match["id"], agency))
        return tuple(found)
    values = split_values(
        text, separator=",", wildcards=_ANY, pattern=NESTED_NCNAME_ID_TYPE, where="provider"
    )
    if values is None:
        return None
    refs = []
    for value in values:
        agency, _, id_ = value.rpartition(".")
        refs.append(ProviderRef(id_, agency or None))
    return tuple(refs)
