"""The node's one vocabulary of artefact types and the SDMX-REST resource names that select them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Canonical artefact types: the SDMX-ML 2.1 element names, plus the SDMX 3.0-only ones.
# SDMX 3.0 `DataConstraint` is stored as `ContentConstraint`, 3.0 `Hierarchy` as
# `HierarchicalCodelist`.
SDMX21_TYPES: frozenset[str] = frozenset(
    {
        "AgencyScheme",
        "AttachmentConstraint",
        "Categorisation",
        "CategoryScheme",
        "Codelist",
        "ConceptScheme",
        "ContentConstraint",
        "CustomTypeScheme",
        "DataConsumerScheme",
        "DataProviderScheme",
        "DataStructure",
        "Dataflow",
        "HierarchicalCodelist",
        "Metadataflow",
        "MetadataStructure",
        "NamePersonalisationScheme",
        "OrganisationUnitScheme",
        "Process",
        "ProvisionAgreement",
        "ReportingTaxonomy",
        "RulesetScheme",
        "StructureSet",
        "TransformationScheme",
        "UserDefinedOperatorScheme",
        "VtlMappingScheme",
    }
)
SDMX30_ONLY_TYPES: frozenset[str] = frozenset(
    {
        "CategorySchemeMap",
        "ConceptSchemeMap",
        "HierarchyAssociation",
        "MetadataConstraint",
        "MetadataProviderScheme",
        "MetadataProvisionAgreement",
        "OrganisationSchemeMap",
        "RepresentationMap",
        "ReportingTaxonomyMap",
        "StructureMap",
        "ValueList",
    }
)
ARTEFACT_TYPES: frozenset[str] = SDMX21_TYPES | SDMX30_ONLY_TYPES

ORGANISATION_SCHEME_TYPES: frozenset[str] = frozenset(
    {"AgencyScheme", "DataConsumerScheme", "DataProviderScheme", "OrganisationUnitScheme"}
)

# Item schemes: the types on which an item query (`.../{itemID}`) is allowed, on both API
# lines (1.5 `4_3_structural_queries.md`, 2.x `structures.md` "Notes about using itemID").
# ValueList only exists in SDMX 3.0; 1.5 also allows items of HierarchicalCodelist (its
# hierarchies), see ITEM_QUERY_TYPES_V1.
ITEM_SCHEME_TYPES: frozenset[str] = frozenset(
    {
        "AgencyScheme",
        "CategoryScheme",
        "Codelist",
        "ConceptScheme",
        "CustomTypeScheme",
        "DataConsumerScheme",
        "DataProviderScheme",
        "MetadataProviderScheme",
        "NamePersonalisationScheme",
        "OrganisationUnitScheme",
        "ReportingTaxonomy",
        "RulesetScheme",
        "TransformationScheme",
        "UserDefinedOperatorScheme",
        "ValueList",
        "VtlMappingScheme",
    }
)
ITEM_QUERY_TYPES_V1: frozenset[str] = (ITEM_SCHEME_TYPES & SDMX21_TYPES) | {"HierarchicalCodelist"}
ITEM_QUERY_TYPES_V2: frozenset[str] = ITEM_SCHEME_TYPES

# Organisation schemes whose id and version are fixed by the information model (SDMX 2.1
# Section 02/03 "the id and version are fixed"; the 1.5 REST prose refers to them without
# listing them). MetadataProviderScheme is the SDMX 3.0 addition.
FIXED_ORGANISATION_SCHEMES: Mapping[str, tuple[str, str]] = {
    "AgencyScheme": ("AGENCIES", "1.0"),
    "DataProviderScheme": ("DATA_PROVIDERS", "1.0"),
    "DataConsumerScheme": ("DATA_CONSUMERS", "1.0"),
    "MetadataProviderScheme": ("METADATA_PROVIDERS", "1.0"),
}


@dataclass(frozen=True)
class ResourceSelection:
    """What one REST resource name selects: a set of canonical types and a constraint role."""

    types: frozenset[str]
    constraint_role: str | None = None  # 'Actual' / 'Allowed' (1.5 actual/allowedconstraint)


def _one(artefact_type: str) -> ResourceSelection:
    return ResourceSelection(frozenset({artefact_type}))


# The resource names shared by both API lines, each naming exactly one canonical type.
_COMMON_RESOURCES: dict[str, str] = {
    "agencyscheme": "AgencyScheme",
    "categorisation": "Categorisation",
    "categoryscheme": "CategoryScheme",
    "codelist": "Codelist",
    "conceptscheme": "ConceptScheme",
    "customtypescheme": "CustomTypeScheme",
    "dataconsumerscheme": "DataConsumerScheme",
    "dataflow": "Dataflow",
    "dataproviderscheme": "DataProviderScheme",
    "datastructure": "DataStructure",
    "metadataflow": "Metadataflow",
    "metadatastructure": "MetadataStructure",
    "namepersonalisationscheme": "NamePersonalisationScheme",
    "organisationunitscheme": "OrganisationUnitScheme",
    "process": "Process",
    "provisionagreement": "ProvisionAgreement",
    "reportingtaxonomy": "ReportingTaxonomy",
    "rulesetscheme": "RulesetScheme",
    "transformationscheme": "TransformationScheme",
    "userdefinedoperatorscheme": "UserDefinedOperatorScheme",
    "vtlmappingscheme": "VtlMappingScheme",
}

# 1.5 resources: the prose list of `4_3_structural_queries.md` (checklist A2.1). The 1.5
# OpenAPI file's `namealiasscheme` is not in the prose and is not accepted. `structure`
# selects every SDMX 2.1 type (3.0-only types cannot be written in an SDMX 2.1 message).
RESOURCES_V1: Mapping[str, ResourceSelection] = {
    **{name: _one(artefact_type) for name, artefact_type in _COMMON_RESOURCES.items()},
    "hierarchicalcodelist": _one("HierarchicalCodelist"),
    "organisationscheme": ResourceSelection(ORGANISATION_SCHEME_TYPES),
    "structureset": _one("StructureSet"),
    "contentconstraint": _one("ContentConstraint"),
    "actualconstraint": ResourceSelection(frozenset({"ContentConstraint"}), "Actual"),
    "allowedconstraint": ResourceSelection(frozenset({"ContentConstraint"}), "Allowed"),
    "attachmentconstraint": _one("AttachmentConstraint"),
    "structure": ResourceSelection(SDMX21_TYPES),
}

# 2.x artefact types: `structures.md` (checklist B3). `*` selects every type the node knows.
# `structureset` is kept because the 2.0.0 OpenAPI file and every 2.x `references` enum
# still list it.
RESOURCES_V2: Mapping[str, ResourceSelection] = {
    **{name: _one(artefact_type) for name, artefact_type in _COMMON_RESOURCES.items()},
    "hierarchy": _one("HierarchicalCodelist"),
    "hierarchyassociation": _one("HierarchyAssociation"),
    "valuelist": _one("ValueList"),
    "metadataproviderscheme": _one("MetadataProviderScheme"),
    "metadataprovisionagreement": _one("MetadataProvisionAgreement"),
    "structuremap": _one("StructureMap"),
    "representationmap": _one("RepresentationMap"),
    "conceptschememap": _one("ConceptSchemeMap"),
    "categoryschememap": _one("CategorySchemeMap"),
    "organisationschememap": _one("OrganisationSchemeMap"),
    "reportingtaxonomymap": _one("ReportingTaxonomyMap"),
    "dataconstraint": _one("ContentConstraint"),
    "metadataconstraint": _one("MetadataConstraint"),
    "structureset": _one("StructureSet"),
    "*": ResourceSelection(ARTEFACT_TYPES),
}

# Resource names usable as `references=<type>`: every resource naming concrete types
# (not the `structure` / `*` catch-alls).
REFERENCE_RESOURCES_V1: frozenset[str] = frozenset(RESOURCES_V1) - {"structure"}
REFERENCE_RESOURCES_V2: frozenset[str] = frozenset(RESOURCES_V2) - {"*"}

# The URL resource name of each canonical type (for building URLs). Types with no resource
# of their own on an API line are absent from that line's table.
_RESOURCE_NAME_V1: dict[str, str] = {
    next(iter(sel.types)): name
    for name, sel in RESOURCES_V1.items()
    if len(sel.types) == 1 and sel.constraint_role is None
}
_RESOURCE_NAME_V2: dict[str, str] = {
    next(iter(sel.types)): name for name, sel in RESOURCES_V2.items() if len(sel.types) == 1
}

# First-level references, downward ("children": what an artefact of the type refers to).
# From the tables "Applicability and meaning of references" in 1.5
# `4_3_structural_queries.md` (regular-style entries) and 2.x `structures.md` (regular and
# bold-italic entries). "All" in the spec (Categorisation, Process, ...) means any type.
# The node's storage records the actual references of each artefact; these tables only
# document the standard and support validating `references=` values.
_ALL_V1 = SDMX21_TYPES
_ALL_V2 = ARTEFACT_TYPES
_VTL_CHILDREN = {"CustomTypeScheme", "NamePersonalisationScheme", "RulesetScheme"}
CHILDREN_V1: Mapping[str, frozenset[str]] = {
    "AgencyScheme": frozenset(),
    "AttachmentConstraint": frozenset(
        {"DataProviderScheme", "DataStructure", "Dataflow", "MetadataStructure", "Metadataflow"}
        | {"ProvisionAgreement"}
    ),
    "Categorisation": _ALL_V1,
    "CategoryScheme": frozenset(),
    "Codelist": frozenset(),
    "ConceptScheme": frozenset({"Codelist"}),
    "ContentConstraint": frozenset(
        {"DataProviderScheme", "DataStructure", "Dataflow", "MetadataStructure", "Metadataflow"}
        | {"ProvisionAgreement"}
    ),
    "CustomTypeScheme": frozenset({"AgencyScheme"}),
    "DataConsumerScheme": frozenset(),
    "DataProviderScheme": frozenset(),
    "DataStructure": frozenset({"Codelist", "ConceptScheme"}),
    "Dataflow": frozenset({"DataStructure"}),
    "HierarchicalCodelist": frozenset({"Codelist"}),
    "Metadataflow": frozenset({"MetadataStructure"}),
    "MetadataStructure": frozenset(
        {"AgencyScheme", "Codelist", "ConceptScheme", "DataConsumerScheme"}
        | {"DataProviderScheme", "OrganisationUnitScheme"}
    ),
    "NamePersonalisationScheme": frozenset({"AgencyScheme"}),
    "OrganisationUnitScheme": frozenset(),
    "Process": _ALL_V1,
    "ProvisionAgreement": frozenset({"DataProviderScheme", "Dataflow", "Metadataflow"}),
    "ReportingTaxonomy": frozenset({"Dataflow", "Metadataflow"}),
    "RulesetScheme": frozenset({"AgencyScheme", "VtlMappingScheme"}),
    "StructureSet": frozenset(
        {"AgencyScheme", "CategoryScheme", "Codelist", "ConceptScheme", "DataConsumerScheme"}
        | {"DataProviderScheme", "DataStructure", "Dataflow", "HierarchicalCodelist"}
        | {"MetadataStructure", "Metadataflow", "OrganisationUnitScheme", "ReportingTaxonomy"}
    ),
    "TransformationScheme": frozenset(
        {"AgencyScheme", "UserDefinedOperatorScheme", "VtlMappingScheme"} | _VTL_CHILDREN
    ),
    "UserDefinedOperatorScheme": frozenset({"AgencyScheme", "VtlMappingScheme"}),
    "VtlMappingScheme": frozenset({"AgencyScheme", "Codelist", "ConceptScheme", "Dataflow"}),
}
_CHILDREN_V2_ONLY: dict[str, frozenset[str]] = {
    "Codelist": frozenset({"Codelist"}),  # codelist extension
    "ContentConstraint": frozenset(
        {"DataProviderScheme", "DataStructure", "Dataflow", "ProvisionAgreement"}
    ),
    "DataStructure": frozenset({"Codelist", "ConceptScheme", "MetadataStructure", "ValueList"}),
    "Metadataflow": _ALL_V2,
    "MetadataStructure": frozenset({"Codelist", "ConceptScheme", "ValueList"}),
    "ProvisionAgreement": frozenset({"DataProviderScheme", "Dataflow"}),
    "CategorySchemeMap": frozenset({"CategoryScheme", "ReportingTaxonomy"}),
    "ConceptSchemeMap": frozenset({"ConceptScheme"}),
    "HierarchyAssociation": _ALL_V2,
    "MetadataConstraint": frozenset(
        {"MetadataProviderScheme", "MetadataProvisionAgreement", "MetadataStructure"}
        | {"Metadataflow"}
    ),
    "MetadataProviderScheme": frozenset(),
    "MetadataProvisionAgreement": _ALL_V2,
    "OrganisationSchemeMap": (ORGANISATION_SCHEME_TYPES - {"AgencyScheme"})
    | {"MetadataProviderScheme"},
    "ReportingTaxonomyMap": frozenset({"ReportingTaxonomy"}),
    "RepresentationMap": frozenset({"Codelist", "ValueList"}),
    "StructureMap": frozenset({"DataStructure", "Dataflow"}),
    "ValueList": frozenset(),
    "Process": _ALL_V2,
    "Categorisation": _ALL_V2,
}
# On 2.x every artefact also refers to the agency scheme of its maintainer.
CHILDREN_V2: Mapping[str, frozenset[str]] = {
    artefact_type: _CHILDREN_V2_ONLY.get(artefact_type, CHILDREN_V1.get(artefact_type, frozenset()))
    | ({"AgencyScheme"} if artefact_type != "AgencyScheme" else frozenset())
    for artefact_type in sorted(ARTEFACT_TYPES)
}


def find_resource(name: str, api: int) -> ResourceSelection | None:
    """The selection for REST resource `name` (lower case) on API line `api`, or None."""
    table = RESOURCES_V1 if api == 1 else RESOURCES_V2
    return table.get(name)


def find_resource_name(artefact_type: str, api: int) -> str | None:
    """The URL resource name of canonical type `artefact_type` on API line `api`, or None.

    `ContentConstraint` is `contentconstraint` on 1.5 and `dataconstraint` on 2.x;
    `HierarchicalCodelist` is `hierarchicalcodelist` / `hierarchy`. Types with no resource
    of their own on that line (SDMX 3.0-only types on 1.5, `AttachmentConstraint` on 2.x)
    give None.
    """
    table = _RESOURCE_NAME_V1 if api == 1 else _RESOURCE_NAME_V2
    return table.get(artefact_type)


def item_query_types(api: int) -> frozenset[str]:
    """The canonical types on which API line `api` allows item queries."""
    return ITEM_QUERY_TYPES_V1 if api == 1 else ITEM_QUERY_TYPES_V2


def children_of(artefact_type: str, api: int) -> frozenset[str]:
    """The types an artefact of `artefact_type` may refer to directly (first level)."""
    table = CHILDREN_V1 if api == 1 else CHILDREN_V2
    return table.get(artefact_type, frozenset())


def parents_of(artefact_type: str, api: int) -> frozenset[str]:
    """The types whose artefacts may refer directly to an artefact of `artefact_type`."""
    table = CHILDREN_V1 if api == 1 else CHILDREN_V2
    return frozenset(parent for parent, children in table.items() if artefact_type in children)
