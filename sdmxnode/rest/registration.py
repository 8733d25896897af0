"""SDMX-REST 2.x registration queries (OpenAPI v2.2.2, `doc/registration.md`), no Flask.

- `/registration/id/{registrationID}`
- `/registration/provider/{providerAgencyID}/{providerID}`
- `/registration/{context}/{agencyID}/{resourceID}/{version}` (context `datastructure`,
  `dataflow`, `provisionagreement` or `*`; version defaults to `*`)

IDs, agencies and versions may list several values with `,`; `*` selects all. The query
parameters are `updatedAfter` and `updatedBefore` (exclusive), the latter two for the
provider and context forms as the OpenAPI lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sdmxnode.errors import BadRequest
from sdmxnode.rest.identifiers import ID_TYPE, NESTED_NCNAME_ID_TYPE, split_values
from sdmxnode.rest.parameters import check_parameters
from sdmxnode.rest.periods import parse_date_time
from sdmxnode.rest.versions import VersionSelector, parse_versions_v2

CONTEXTS = ("datastructure", "dataflow", "provisionagreement")
_WILDCARD = frozenset({"*"})
#: The node's `format`/`formatVersion` (SDMX-REST `extend.md`) beside the standard ones.
_FORMAT = ("format", "formatVersion")


@dataclass(frozen=True)
class RegistrationQuery:
    """What a registration query selects; None in a field: any."""

    ids: tuple[str, ...] | None = None
    #: 'provider' names data providers (agencies x provider ids); 'context' names artefacts.
    form: str = "id"
    contexts: tuple[str, ...] = CONTEXTS
    agencies: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    versions: VersionSelector | None = None
    updated_after: datetime | None = None  # naive UTC, exclusive
    updated_before: datetime | None = None


def _time(args: Mapping[str, str], name: str) -> datetime | None:
    text = args.get(name)
    if text is None:
        return None
    return parse_date_time(text, where=name).astimezone(UTC).replace(tzinfo=None)


def _ids(text: str, where: str) -> tuple[str, ...] | None:
    return split_values(text, separator=",", wildcards=_WILDCARD, pattern=ID_TYPE, where=where)


def _agencies(text: str) -> tuple[str, ...] | None:
    return split_values(
        text, separator=",", wildcards=_WILDCARD, pattern=NESTED_NCNAME_ID_TYPE, where="agencyID"
    )


def parse_by_id(registration_id: str, args: Mapping[str, str]) -> RegistrationQuery:
    """`/registration/id/{registrationID}`: no standard query parameters."""
    check_parameters(args, _FORMAT, (), query="registration query")
    return RegistrationQuery(ids=_ids(registration_id, "registrationID"))


def parse_by_provider(
    agency_id: str, provider_id: str, args: Mapping[str, str]
) -> RegistrationQuery:
    """`/registration/provider/{providerAgencyID}/{providerID}`."""
    check_parameters(
        args, ("updatedAfter", "updatedBefore", *_FORMAT), (), query="registration query"
    )
    return RegistrationQuery(
        form="provider",
        agencies=_agencies(agency_id),
        resources=_ids(provider_id, "providerID"),
        updated_after=_time(args, "updatedAfter"),
        updated_before=_time(args, "updatedBefore"),
    )


def parse_by_context(
    context: str, agency_id: str, resource_id: str, version: str, args: Mapping[str, str]
) -> RegistrationQuery:
    """`/registration/{context}/{agencyID}/{resourceID}/{version}`."""
    check_parameters(
        args, ("updatedAfter", "updatedBefore", *_FORMAT), (), query="registration query"
    )
    if context != "*" and context not in CONTEXTS:
        raise BadRequest(
            f"'{context}' is not a registration context: use {', '.join(CONTEXTS)} or *",
            where="context",
        )
    return RegistrationQuery(
        form="context",
        contexts=CONTEXTS if context == "*" else (context,),
        agencies=_agencies(agency_id),
        resources=_ids(resource_id, "resourceID"),
        versions=parse_versions_v2(version),
        updated_after=_time(args, "updatedAfter"),
        updated_before=_time(args, "updatedBefore"),
    )
