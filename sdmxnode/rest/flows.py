"""What a data-side query is about: 1.5 flowRef / providerRef, 2.x context, agency, id, version."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdmxnode.errors import BadRequest
from sdmxnode.rest.identifiers import (
    ID_TYPE,
    NESTED_NCNAME_ID_TYPE,
    check_id,
    fold_keyword,
    split_values,
)
from sdmxnode.rest.versions import VersionSelector, parse_versions_v1, parse_versions_v2

# 2.x data and availability contexts (`data.md`, `availability.md`; checklist B4, B5).
DATA_CONTEXTS: tuple[str, ...] = ("datastructure", "dataflow", "provisionagreement", "*")
# 1.5 flowRef version: the OpenAPI `flow` pattern (`latest` or dot-separated numbers), plus
# `all` (every version), which the node also accepts.
_FLOW_VERSION = re.compile(r"\d+(\.\d+)*")


@dataclass(frozen=True)
class FlowSelection:
    """The artefacts a data-side query selects: None agencies / ids mean any."""

    context: str
    agencies: tuple[str, ...] | None
    ids: tuple[str, ...] | None
    versions: VersionSelector


def parse_flow_ref(text: str) -> FlowSelection:
    """Parse a 1.5 flowRef (`4_4_data_queries.md`): `ID`, `AGENCY,ID` or `AGENCY,ID,VERSION`.

    One part is the flow id (`all,ID,latest`), two are agency and id (`AGENCY,ID,latest`).
    The agency may be `all`; the version is `latest` (the default), `all` or one version
    such as `1.0`; keywords match in any case. The flow id is required: `all` does not
    name a dataflow.
    """
    parts = text.split(",")
    if len(parts) > 3 or "" in parts:
        raise BadRequest(
            f"'{text}' is not a valid flowRef: use FLOW_ID, AGENCY_ID,FLOW_ID or"
            " AGENCY_ID,FLOW_ID,VERSION",
            where="flowRef",
        )
    agency_text = parts[0] if len(parts) > 1 else "all"
    flow_id = parts[1] if len(parts) > 1 else parts[0]
    version = parts[2] if len(parts) > 2 else "latest"
    agencies: tuple[str, ...] | None = None
    if fold_keyword(agency_text) != "all":
        check_id(agency_text, pattern=NESTED_NCNAME_ID_TYPE, where="flowRef agency")
        agencies = (agency_text,)
    if fold_keyword(flow_id) == "all":
        raise BadRequest(
            f"flowRef '{text}' must name a dataflow: 'all' is not allowed as the flow id",
            where="flowRef",
        )
    check_id(flow_id, pattern=ID_TYPE, where="flowRef id")
    if fold_keyword(version) not in ("latest", "all") and _FLOW_VERSION.fullmatch(version) is None:
        raise BadRequest(
            f"'{version}' is not a valid flowRef version: use 'latest', 'all' or one version"
            " of dot-separated numbers such as '1.0'",
            where="flowRef version",
        )
    return FlowSelection("dataflow", agencies, (flow_id,), parse_versions_v1(version))


def parse_provider_ref(text: str | None) -> tuple[str, ...] | None:
    """Parse a 1.5 providerRef: `PROVIDER_ID` or `AGENCY_ID,PROVIDER_ID`, several with '+'.

    None (any provider) for an omitted segment or the keyword `all`; otherwise the
    references as written (`ECB`, `SDMX,CH2`), without duplicates.
    """
    if text is None:
        return None
    references = split_values(
        text,
        separator="+",
        wildcards=frozenset({"all"}),
        pattern=re.compile(r".+"),
        where="providerRef",
    )
    if references is None:
        return None
    for reference in references:
        parts = reference.split(",")
        if len(parts) > 2:
            raise BadRequest(
                f"'{reference}' is not a valid providerRef: use PROVIDER_ID or"
                " AGENCY_ID,PROVIDER_ID",
                where="providerRef",
            )
        if len(parts) == 2:
            check_id(parts[0], pattern=NESTED_NCNAME_ID_TYPE, where="providerRef agency")
        check_id(parts[-1], pattern=ID_TYPE, where="providerRef id")
    return references


def provider_parts(reference: str) -> tuple[str | None, str]:
    """Split one providerRef reference into (agency or None, provider id)."""
    agency, _, provider = reference.rpartition(",")
    return (agency or None), provider


def parse_flow_v2(
    context: str | None,
    agency: str | None,
    id: str | None,
    version: str | None,
    *,
    contexts: tuple[str, ...] = DATA_CONTEXTS,
) -> FlowSelection:
    """Parse the 2.x `{context}/{agencyID}/{resourceID}/{version}` of a data-side query.

    Omitted segments are None and take their defaults: context `*`, agency `*`, id `*`,
    version `*` (all versions: the data and availability default, checklist B2). Agencies,
    ids and versions take several values joined by ','; `all` (in any case) is accepted as
    an alias of `*` for context, agency and id (as for structure queries, checklist B13).
    The context takes one value (the 2.2 rule; 2.0/2.1 prose allowed several but gave no
    meaning).
    """
    name = "*" if context is None else context.lower()
    if name == "all":
        name = "*"
    if name not in contexts:
        hint = " (one value; use '*' for any)" if "," in name else ""
        raise BadRequest(
            f"'{context}' is not a valid context{hint}; expected one of: " + ", ".join(contexts),
            where="context",
        )
    wildcards = frozenset({"*", "all"})
    agencies = None
    if agency is not None:
        agencies = split_values(
            agency,
            separator=",",
            wildcards=wildcards,
            pattern=NESTED_NCNAME_ID_TYPE,
            where="agency",
        )
    ids = None
    if id is not None:
        ids = split_values(id, separator=",", wildcards=wildcards, pattern=ID_TYPE, where="id")
    versions = parse_versions_v2("*" if version is None else version)
    return FlowSelection(name, agencies, ids, versions)
