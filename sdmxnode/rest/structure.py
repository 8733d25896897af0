"""SDMX-REST structure queries (1.5 `/{resource}/...`, 2.x `/structure/{type}/...`) as objects."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest import resources
from sdmxnode.rest.identifiers import (
    ID_TYPE,
    NESTED_ID_TYPE,
    NESTED_NCNAME_ID_TYPE,
    VALUE_TYPE,
    fold_keyword,
    split_values,
)
from sdmxnode.rest.versions import (
    DEFAULT_VERSIONS_V1,
    DEFAULT_VERSIONS_V2,
    VersionSelector,
    parse_versions_v1,
    parse_versions_v2,
)

# `detail` values: 1.5 `structDetail` enum; 2.x adds `raw` (checklist A2.3, B3).
DETAILS_V1: tuple[str, ...] = (
    "full",
    "allstubs",
    "referencestubs",
    "allcompletestubs",
    "referencecompletestubs",
    "referencepartial",
)
DETAILS_V2: tuple[str, ...] = (*DETAILS_V1, "raw")
# `references` keywords: 1.5 `references` enum; 2.x adds `ancestors`.
REFERENCE_KEYWORDS_V1: tuple[str, ...] = (
    "none",
    "parents",
    "parentsandsiblings",
    "children",
    "descendants",
    "all",
)
REFERENCE_KEYWORDS_V2: tuple[str, ...] = (*REFERENCE_KEYWORDS_V1, "ancestors")
PARAMETERS_V1: frozenset[str] = frozenset({"detail", "references"})
PARAMETERS_V2: frozenset[str] = frozenset({"detail", "references", "asOf"})

# Item id syntax per resource (1.5 `4_3_structural_queries.md`, 2.x `structures.md`):
# NestedNCNameIDType for conceptscheme and agencyscheme, IDType for 1.5 hierarchicalcodelist,
# any value for 2.x valuelist, NestedIDType otherwise.
_ITEM_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "conceptscheme": NESTED_NCNAME_ID_TYPE,
    "agencyscheme": NESTED_NCNAME_ID_TYPE,
    "hierarchicalcodelist": ID_TYPE,
    "valuelist": VALUE_TYPE,
    "*": VALUE_TYPE,
}


@dataclass(frozen=True)
class StructureQuery:
    """One structure query, independent of the API line it came from.

    `agencies`, `ids` and `items` are None for "any" (an omitted segment or the `all` / `*`
    wildcard). `references` holds keywords (`none`, `parents`, `parentsandsiblings`,
    `ancestors`, `children`, `descendants`, `all`) and/or canonical artefact type names.
    """

    api: int  # 1 or 2
    resource: str  # as in the URL ('codelist', 'structure', '*', ...), lower case
    types: frozenset[str]  # canonical artefact types
    constraint_role: str | None  # 'Actual' / 'Allowed' / None
    agencies: tuple[str, ...] | None  # None = any
    ids: tuple[str, ...] | None  # None = any
    versions: VersionSelector
    items: tuple[str, ...] | None  # None = all items; nested ids keep their dots ('A.1.1')
    detail: str
    references: tuple[str, ...]

    @property
    def is_item_query(self) -> bool:
        """Whether the query names particular items (the result is then a partial scheme)."""
        return self.items is not None


def parse_structure_query_v1(
    resource: str,
    agency: str | None,
    id: str | None,
    version: str | None,
    item: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> StructureQuery:
    """Parse a 1.5 structure query `/{resource}/{agencyID}/{resourceID}/{version}/{itemID}`.

    Segments left out of a truncated path are None and take their defaults (`all`, `all`,
    `latest`, `all`). Several values are joined by `+`; `all` (and `latest` for versions)
    are the keywords, in any case (`ALL`, `Latest`). Named items need an item-scheme
    resource; `all` as item is accepted on any resource. Query parameters are `detail`
    and `references` (one value); any other is rejected unless listed in
    `ignored_parameters` (ones the caller handles, e.g. `format`). An unknown resource is
    a BadRequest naming it (where="resource").
    """
    _check_parameters(args, PARAMETERS_V1, ignored_parameters)
    name = resource.lower()
    selection = resources.find_resource(name, 1)
    if selection is None:
        raise BadRequest(
            f"unknown structure resource '{resource}'; expected one of: "
            + ", ".join(sorted(resources.RESOURCES_V1)),
            where="resource",
        )
    types, items = _parse_items(name, selection.types, item, 1)
    references_text = args.get("references", "none")
    if "+" in references_text or "," in references_text:
        raise BadRequest(
            f"references='{references_text}': the 1.5 API takes a single value",
            where="references",
        )
    return StructureQuery(
        api=1,
        resource=name,
        types=types,
        constraint_role=selection.constraint_role,
        agencies=_values(agency, "+", frozenset({"all"}), NESTED_NCNAME_ID_TYPE, "agency"),
        ids=_values(id, "+", frozenset({"all"}), ID_TYPE, "id"),
        versions=DEFAULT_VERSIONS_V1 if version is None else parse_versions_v1(version),
        items=items,
        detail=_parse_detail(args.get("detail", "full"), DETAILS_V1),
        references=_parse_references([references_text], 1),
    )


def parse_structure_query_v2(
    type_: str | None,
    agency: str | None,
    id: str | None,
    version: str | None,
    item: str | None,
    args: Mapping[str, str],
    *,
    ignored_parameters: Collection[str] = (),
) -> StructureQuery:
    """Parse a 2.x structure query `/structure/{type}/{agencyID}/{resourceID}/{version}/{itemID}`.

    Segments left out are None and take their defaults (`*`, `*`, `*`, `~`, `*`). Several
    values are joined by `,`; `*` means any, and `all` (in any case) is accepted as an
    alias of `*` for the type, agency and id (checklist B13); the type takes one value.
    Versions follow `parse_versions_v2`. Named items on type `*` narrow it to the
    item-scheme types; a wildcard item segment is accepted on any type and means all
    items. Query parameters are `detail`, `references` (several values joined by `,`)
    and `asOf`; a well-formed `asOf` raises NotImplementedSdmx (time travel is not kept).
    """
    _check_parameters(args, PARAMETERS_V2, ignored_parameters)
    name = "*" if type_ is None else type_.lower()
    if name == "all":
        name = "*"
    if "," in name:
        raise BadRequest(
            f"the artefact type takes one value, got '{type_}' (use '*' for any type)",
            where="type",
        )
    selection = resources.find_resource(name, 2)
    if selection is None:
        raise BadRequest(
            f"unknown artefact type '{type_}'; expected '*' or one of: "
            + ", ".join(sorted(set(resources.RESOURCES_V2) - {"*"})),
            where="type",
        )
    types, items = _parse_items(name, selection.types, item, 2)
    if "asOf" in args:
        reject_as_of(args["asOf"])
    return StructureQuery(
        api=2,
        resource=name,
        types=types,
        constraint_role=selection.constraint_role,
        agencies=_values(agency, ",", frozenset({"*", "all"}), NESTED_NCNAME_ID_TYPE, "agency"),
        ids=_values(id, ",", frozenset({"*", "all"}), ID_TYPE, "id"),
        versions=DEFAULT_VERSIONS_V2 if version is None else parse_versions_v2(version),
        items=items,
        detail=_parse_detail(args.get("detail", "full"), DETAILS_V2),
        references=_parse_references(args.get("references", "none").split(","), 2),
    )


def _values(
    text: str | None,
    separator: str,
    wildcards: frozenset[str],
    pattern: re.Pattern[str],
    where: str,
) -> tuple[str, ...] | None:
    if text is None:
        return None
    return split_values(
        text, separator=separator, wildcards=wildcards, pattern=pattern, where=where
    )


def _check_parameters(
    args: Mapping[str, str], known: frozenset[str], ignored: Collection[str]
) -> None:
    for parameter in args:
        if parameter not in known and parameter not in ignored:
            raise BadRequest(
                f"unknown query parameter '{parameter}' for a structure query; allowed: "
                + ", ".join(sorted(known)),
                where=parameter,
            )


def _parse_items(
    name: str, types: frozenset[str], item: str | None, api: int
) -> tuple[frozenset[str], tuple[str, ...] | None]:
    """The selected types and item ids for an item segment (None: all items).

    A wildcard item segment (`all` on 1.5, `*` on 2.x) is the same as leaving it out, on
    any type. Named items need an item-scheme type; on 2.x type `*` they narrow the
    selection to the item-scheme types.
    """
    separator, wildcard = ("+", "all") if api == 1 else (",", "*")
    if item is None or wildcard in (fold_keyword(value) for value in item.split(separator)):
        return types, None
    item_types = resources.item_query_types(api)
    if api == 2 and name == "*":
        types = types & item_types
    elif not types <= item_types:
        raise BadRequest(
            f"item '{item}' requested, but '{name}' is not an item scheme: item queries are"
            f" only defined for item schemes on the {'1.5' if api == 1 else '2.x'} API",
            where="item",
        )
    items = split_values(
        item,
        separator=separator,
        wildcards=frozenset({wildcard}),
        pattern=_ITEM_PATTERNS.get(name, NESTED_ID_TYPE),
        where="item",
    )
    return types, items


def _parse_detail(text: str, allowed: tuple[str, ...]) -> str:
    value = text.lower()
    if value not in allowed:
        raise BadRequest(
            f"detail='{text}' is not a valid value; expected one of: " + ", ".join(allowed),
            where="detail",
        )
    return value


def _parse_references(values: list[str], api: int) -> tuple[str, ...]:
    keywords = REFERENCE_KEYWORDS_V1 if api == 1 else REFERENCE_KEYWORDS_V2
    type_names = resources.REFERENCE_RESOURCES_V1 if api == 1 else resources.REFERENCE_RESOURCES_V2
    result: list[str] = []
    for text in values:
        value = text.lower()
        if value in keywords:
            found = [value]
        elif value in type_names:
            table = resources.RESOURCES_V1 if api == 1 else resources.RESOURCES_V2
            found = sorted(table[value].types)
        else:
            hint = " (check for a doubled or trailing ',')" if value == "" else ""
            raise BadRequest(
                f"references='{text}' is not a valid value{hint}; expected one of: "
                + ", ".join(keywords)
                + ", or an artefact type such as 'codelist' or 'dataflow'",
                where="references",
            )
        result.extend(entry for entry in found if entry not in result)
    if "none" in result and len(result) > 1:
        raise BadRequest(
            "references='none' cannot be combined with other values", where="references"
        )
    return tuple(result)


def reject_as_of(text: str) -> None:
    """Check `asOf` (xs:dateTime, 2.2+) and report that the node does not keep history."""
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(
            f"asOf='{text}' is not a date-time such as 2024-01-31T12:00:00Z", where="asOf"
        ) from exc
    raise NotImplementedSdmx(
        "asOf (structures as they were at a past time) is not supported by this node",
        where="asOf",
    )
