"""The artefact-type vocabulary and resource names of SDMX-REST 1.5 and 2.x (A2.1, B3)."""

from __future__ import annotations

import pytest

from sdmxnode.rest import resources
from sdmxnode.rest.resources import (
    ARTEFACT_TYPES,
    CHILDREN_V1,
    CHILDREN_V2,
    RESOURCES_V1,
    RESOURCES_V2,
    children_of,
    find_resource,
    find_resource_name,
    item_query_types,
    parents_of,
)

# The prose lists of the specs, copied from the checklist (A2.1 and B3).
V1_PROSE = """datastructure metadatastructure categoryscheme conceptscheme codelist
hierarchicalcodelist organisationscheme agencyscheme dataproviderscheme dataconsumerscheme
organisationunitscheme dataflow metadataflow reportingtaxonomy provisionagreement structureset
process categorisation contentconstraint actualconstraint allowedconstraint attachmentconstraint
transformationscheme rulesetscheme userdefinedoperatorscheme customtypescheme
namepersonalisationscheme vtlmappingscheme structure""".split()
V2_PROSE = """datastructure metadatastructure categoryscheme conceptscheme codelist hierarchy
hierarchyassociation valuelist agencyscheme dataproviderscheme metadataproviderscheme
dataconsumerscheme organisationunitscheme dataflow metadataflow reportingtaxonomy
provisionagreement metadataprovisionagreement structuremap representationmap conceptschememap
categoryschememap organisationschememap reportingtaxonomymap process categorisation
dataconstraint metadataconstraint transformationscheme rulesetscheme userdefinedoperatorscheme
customtypescheme namepersonalisationscheme vtlmappingscheme""".split()


def test_every_prose_resource_is_known() -> None:
    assert set(V1_PROSE) == set(RESOURCES_V1)
    assert set(V2_PROSE) | {"*", "structureset"} == set(RESOURCES_V2)


@pytest.mark.parametrize("api", [1, 2])
def test_resources_select_only_canonical_types(api: int) -> None:
    table = RESOURCES_V1 if api == 1 else RESOURCES_V2
    for selection in table.values():
        assert selection.types
        assert selection.types <= ARTEFACT_TYPES


@pytest.mark.parametrize("api", [1, 2])
def test_resource_names_round_trip(api: int) -> None:
    for artefact_type in ARTEFACT_TYPES:
        name = find_resource_name(artefact_type, api)
        if name is None:
            continue
        selection = find_resource(name, api)
        assert selection is not None
        assert selection.types == frozenset({artefact_type})
        assert selection.constraint_role is None


@pytest.mark.parametrize(
    ("artefact_type", "api", "name"),
    [
        ("ContentConstraint", 1, "contentconstraint"),
        ("ContentConstraint", 2, "dataconstraint"),
        ("HierarchicalCodelist", 1, "hierarchicalcodelist"),
        ("HierarchicalCodelist", 2, "hierarchy"),
        ("DataStructure", 2, "datastructure"),
        ("ValueList", 1, None),
        ("AttachmentConstraint", 2, None),
    ],
)
def test_find_resource_name(artefact_type: str, api: int, name: str | None) -> None:
    assert find_resource_name(artefact_type, api) == name


def test_every_sdmx21_type_has_a_1_5_resource_and_every_type_a_2x_one_but_one() -> None:
    assert {t for t in resources.SDMX21_TYPES if find_resource_name(t, 1) is None} == set()
    assert {t for t in ARTEFACT_TYPES if find_resource_name(t, 2) is None} == {
        "AttachmentConstraint"
    }


def test_item_query_types_per_api_line() -> None:
    v1, v2 = item_query_types(1), item_query_types(2)
    assert "HierarchicalCodelist" in v1 and "HierarchicalCodelist" not in v2
    assert "ValueList" in v2 and "ValueList" not in v1
    assert {"Codelist", "ConceptScheme", "CategoryScheme", "AgencyScheme"} <= v1 & v2
    assert not {"DataStructure", "Dataflow", "ContentConstraint"} & (v1 | v2)


def test_fixed_organisation_schemes() -> None:
    assert resources.FIXED_ORGANISATION_SCHEMES["AgencyScheme"] == ("AGENCIES", "1.0")
    assert set(resources.FIXED_ORGANISATION_SCHEMES) <= resources.ORGANISATION_SCHEME_TYPES | {
        "MetadataProviderScheme"
    }


def test_reference_tables_cover_every_type_with_known_types() -> None:
    assert set(CHILDREN_V1) == resources.SDMX21_TYPES
    assert set(CHILDREN_V2) == ARTEFACT_TYPES
    for children in [*CHILDREN_V1.values(), *CHILDREN_V2.values()]:
        assert children <= ARTEFACT_TYPES


@pytest.mark.parametrize(
    ("artefact_type", "api", "expected"),
    [
        # Regular-style entries of the 1.5 and 2.x "references" tables.
        ("Dataflow", 1, {"DataStructure"}),
        ("Dataflow", 2, {"DataStructure", "AgencyScheme"}),
        ("DataStructure", 1, {"Codelist", "ConceptScheme"}),
        ("ConceptScheme", 1, {"Codelist"}),
        ("HierarchicalCodelist", 1, {"Codelist"}),
        ("ProvisionAgreement", 2, {"Dataflow", "DataProviderScheme", "AgencyScheme"}),
        ("Metadataflow", 1, {"MetadataStructure"}),
        ("AgencyScheme", 2, set()),
    ],
)
def test_children_follow_the_spec_tables(artefact_type: str, api: int, expected: set[str]) -> None:
    assert children_of(artefact_type, api) == expected


@pytest.mark.parametrize("api", [1, 2])
def test_children_including_the_brief_examples(api: int) -> None:
    assert {"Codelist", "ConceptScheme"} <= children_of("DataStructure", api)
    assert {"Dataflow", "DataStructure", "ProvisionAgreement", "DataProviderScheme"} <= (
        children_of("ContentConstraint", api)
    )
    assert {"CategoryScheme", "Dataflow", "Codelist"} <= children_of("Categorisation", api)
    assert {"ConceptScheme", "Codelist"} <= children_of("MetadataStructure", api)
    assert {"DataStructure", "Dataflow"} <= children_of("StructureSet", api)


def test_parents_are_the_inverse_of_children() -> None:
    # 1.5 table, italic entries for DataStructureDefinition.
    assert parents_of("DataStructure", 1) == {
        "Categorisation",
        "Process",
        "ContentConstraint",
        "AttachmentConstraint",
        "Dataflow",
        "StructureSet",
    }
    for artefact_type in ARTEFACT_TYPES:
        for parent in parents_of(artefact_type, 2):
            assert artefact_type in children_of(parent, 2)
