"""Structure-query grammar: 1.5 `4_3_structural_queries.md` and 2.x `structures.md` (A2, B3)."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.resources import ARTEFACT_TYPES, SDMX21_TYPES, SDMX30_ONLY_TYPES
from sdmxnode.rest.structure import (
    StructureQuery,
    parse_structure_query_v1,
    parse_structure_query_v2,
)

CANDIDATES = [("1.0.0", True), ("1.1.0", True), ("1.2.0-draft", False)]


def v1(
    resource: str,
    agency: str | None = None,
    id: str | None = None,
    version: str | None = None,
    item: str | None = None,
    **args: str,
) -> StructureQuery:
    return parse_structure_query_v1(resource, agency, id, version, item, args)


def v2(
    type_: str | None = None,
    agency: str | None = None,
    id: str | None = None,
    version: str | None = None,
    item: str | None = None,
    **args: str,
) -> StructureQuery:
    return parse_structure_query_v2(type_, agency, id, version, item, args)


# --- 1.5 -------------------------------------------------------------------------------


def test_v1_bare_resource_takes_every_default() -> None:
    query = v1("codelist")
    assert query.api == 1
    assert query.resource == "codelist"
    assert query.types == frozenset({"Codelist"})
    assert query.constraint_role is None
    assert query.agencies is None
    assert query.ids is None
    assert query.versions.select(CANDIDATES) == ["1.2.0-draft"]  # latest, any status
    assert query.items is None
    assert query.detail == "full"
    assert query.references == ("none",)


def test_v1_truncated_paths() -> None:
    assert v1("codelist", "ECB").agencies == ("ECB",)
    query = v1("codelist", "ECB", "CL_FREQ")
    assert (query.agencies, query.ids) == (("ECB",), ("CL_FREQ",))
    assert query.versions.text == "latest"


def test_v1_multiple_values_are_joined_by_plus() -> None:
    query = v1("codelist", "BIS+ECB", "CL_FREQ+CL_CONF_STATUS", "1.0+2.1", "A+Q+M")
    assert query.agencies == ("BIS", "ECB")
    assert query.ids == ("CL_FREQ", "CL_CONF_STATUS")
    assert query.versions.exact_versions == ("1.0", "2.1")
    assert query.items == ("A", "Q", "M")


def test_v1_all_keywords_mean_any() -> None:
    query = v1("codelist", "all", "all", "all", "all")
    assert (query.agencies, query.ids, query.items) == (None, None, None)
    assert query.versions.select(CANDIDATES) == [v for v, _ in CANDIDATES]


def test_v1_nested_agency_and_nested_item_keep_their_dots() -> None:
    query = v1("categoryscheme", "SDMX.ECB", "DOMAINS", "1.0", "A.1.1")
    assert query.agencies == ("SDMX.ECB",)
    assert query.items == ("A.1.1",)


def test_v1_spec_example_dsd_with_children_referencepartial() -> None:
    query = v1(
        "datastructure",
        "ECB",
        "ECB_EXR1",
        "1.0",
        references="children",
        detail="referencepartial",
    )
    assert query.types == frozenset({"DataStructure"})
    assert query.references == ("children",)
    assert query.detail == "referencepartial"


def test_v1_spec_example_references_to_a_concrete_type() -> None:
    assert v1("datastructure", "ECB", references="dataflow").references == ("Dataflow",)
    query = v1("categoryscheme", "ECB", "DOMAINS", "latest", "PRICES", references="categorisation")
    assert query.items == ("PRICES",)
    assert query.references == ("Categorisation",)


def test_v1_spec_example_structure_stubs() -> None:
    query = v1("structure", "ECB", detail="allstubs")
    assert query.types == SDMX21_TYPES
    assert not query.types & SDMX30_ONLY_TYPES
    assert query.detail == "allstubs"


@pytest.mark.parametrize(
    ("resource", "types", "role"),
    [
        ("actualconstraint", {"ContentConstraint"}, "Actual"),
        ("allowedconstraint", {"ContentConstraint"}, "Allowed"),
        ("contentconstraint", {"ContentConstraint"}, None),
        ("attachmentconstraint", {"AttachmentConstraint"}, None),
        ("hierarchicalcodelist", {"HierarchicalCodelist"}, None),
        (
            "organisationscheme",
            {"AgencyScheme", "DataProviderScheme", "DataConsumerScheme", "OrganisationUnitScheme"},
            None,
        ),
        ("datastructure", {"DataStructure"}, None),
        ("vtlmappingscheme", {"VtlMappingScheme"}, None),
    ],
)
def test_v1_resources_select_canonical_types(
    resource: str, types: set[str], role: str | None
) -> None:
    query = v1(resource)
    assert query.types == frozenset(types)
    assert query.constraint_role == role


@pytest.mark.parametrize(
    ("resource", "item"),
    [
        ("codelist", "A.1"),
        ("codelist", "1"),
        ("conceptscheme", "OBS_VALUE"),
        ("agencyscheme", "SDMX.ECB"),
        ("hierarchicalcodelist", "H_1"),
        ("organisationscheme", "ECB"),
        ("reportingtaxonomy", "A.B"),
    ],
)
def test_v1_item_queries_on_item_schemes(resource: str, item: str) -> None:
    assert v1(resource, "ECB", "X", "1.0", item).items == (item,)


def test_v1_detail_and_references_values_are_case_insensitive() -> None:
    query = v1("codelist", detail="referencePartial", references="ParentsAndSiblings")
    assert (query.detail, query.references) == ("referencepartial", ("parentsandsiblings",))


def test_v1_reference_to_organisationscheme_names_its_four_types() -> None:
    assert set(v1("dataflow", references="organisationscheme").references) == {
        "AgencyScheme",
        "DataConsumerScheme",
        "DataProviderScheme",
        "OrganisationUnitScheme",
    }


def test_v1_ignored_parameters_are_left_to_the_caller() -> None:
    query = parse_structure_query_v1(
        "codelist", None, None, None, None, {"format": "sdmx-json"}, ignored_parameters={"format"}
    )
    assert query.detail == "full"


@pytest.mark.parametrize(
    ("call", "where", "quoted"),
    [
        (lambda: v1("codelists"), "resource", "codelists"),
        (lambda: v1("namealiasscheme"), "resource", "namealiasscheme"),
        (lambda: v1("dataconstraint"), "resource", "dataconstraint"),
        (lambda: v1("dataflow", "ECB", "EXR", "1.0", "A"), "item", "A"),
        (lambda: v1("structure", "ECB", "X", "1.0", "A"), "item", "A"),
        (lambda: v1("codelist", "1ECB"), "agency", "1ECB"),
        (lambda: v1("codelist", "ECB,BIS"), "agency", "ECB,BIS"),
        (lambda: v1("codelist", "ECB+"), "agency", "ECB+"),
        (lambda: v1("codelist", "ECB", "CL FREQ"), "id", "CL FREQ"),
        (lambda: v1("codelist", "ECB", "CL.FREQ"), "id", "CL.FREQ"),
        (lambda: v1("codelist", "ECB", "X" * 300), "id", "300"),
        (lambda: v1("codelist", "ECB", "CL", "1.0.0-draft"), "version", "1.0.0-draft"),
        (lambda: v1("codelist", "ECB", "CL", "~"), "version", "~"),
        (lambda: v1("conceptscheme", "ECB", "CS", "1.0", "1CONCEPT"), "item", "1CONCEPT"),
        (lambda: v1("hierarchicalcodelist", "ECB", "H", "1.0", "A.B"), "item", "A.B"),
        (lambda: v1("codelist", "ECB", "CL", "1.0", "A B"), "item", "A B"),
        (lambda: v1("codelist", detail="raw"), "detail", "raw"),
        (lambda: v1("codelist", detail="stubs"), "detail", "stubs"),
        (lambda: v1("codelist", references="ancestors"), "references", "ancestors"),
        (lambda: v1("codelist", references="dataconstraint"), "references", "dataconstraint"),
        (lambda: v1("codelist", references="structure"), "references", "structure"),
        (lambda: v1("codelist", references="codelist+dataflow"), "references", "codelist+dataflow"),
        (lambda: v1("codelist", startPeriod="2020"), "startPeriod", "startPeriod"),
        (lambda: v1("codelist", asOf="2020-01-01T00:00:00"), "asOf", "asOf"),
    ],
)
def test_v1_errors_name_the_bad_part(call, where: str, quoted: str) -> None:
    with pytest.raises(BadRequest) as caught:
        call()
    assert caught.value.where == where
    assert quoted in caught.value.message
    assert caught.value.http_status(1) == 400


# --- 2.x -------------------------------------------------------------------------------


def test_v2_no_segments_takes_every_default() -> None:
    query = v2()
    assert query.api == 2
    assert query.resource == "*"
    assert query.types == ARTEFACT_TYPES
    assert (query.agencies, query.ids, query.items) == (None, None, None)
    assert query.versions.text == "~"
    assert query.versions.select(CANDIDATES) == ["1.2.0-draft"]
    assert query.detail == "full"
    assert query.references == ("none",)


def test_v2_multiple_values_are_joined_by_comma() -> None:
    query = v2("codelist", "BIS,ECB", "CL_FREQ,CL_CONF_STATUS", "1.0.0,2.1+.7", "A,Q,M")
    assert query.agencies == ("BIS", "ECB")
    assert query.ids == ("CL_FREQ", "CL_CONF_STATUS")
    assert query.items == ("A", "Q", "M")
    assert query.versions.exact_versions is None


def test_v2_stars_mean_any() -> None:
    query = v2("*", "*", "*", "*", "*")
    assert (query.agencies, query.ids, query.items) == (None, None, None)
    assert query.versions.is_all


def test_v2_all_is_an_alias_of_star_for_type_agency_and_id() -> None:
    query = v2("all", "ECB", detail="allstubs")
    assert query.resource == "*"
    assert query.types == ARTEFACT_TYPES
    assert query.agencies == ("ECB",)
    assert v2("codelist", "all", "all").agencies is None
    assert v2("codelist", "all", "all").ids is None


def test_v2_spec_example_latest_stable_dsd() -> None:
    query = v2("datastructure", "ECB", "ECB_EXR1", "+")
    assert query.types == frozenset({"DataStructure"})
    assert query.versions.select(CANDIDATES) == ["1.1.0"]


def test_v2_spec_example_category_with_categorisations() -> None:
    query = v2("categoryscheme", "ECB", "DOMAINS", "+", "PRICES", references="categorisation")
    assert query.items == ("PRICES",)
    assert query.references == ("Categorisation",)


@pytest.mark.parametrize(
    ("type_", "types"),
    [
        ("dataconstraint", {"ContentConstraint"}),
        ("hierarchy", {"HierarchicalCodelist"}),
        ("valuelist", {"ValueList"}),
        ("metadataprovisionagreement", {"MetadataProvisionAgreement"}),
        ("structuremap", {"StructureMap"}),
    ],
)
def test_v2_types_select_canonical_types(type_: str, types: set[str]) -> None:
    query = v2(type_)
    assert query.types == frozenset(types)
    assert query.constraint_role is None


def test_v2_references_take_several_values() -> None:
    query = v2("datastructure", references="codelist,conceptscheme,dataflow")
    assert query.references == ("Codelist", "ConceptScheme", "Dataflow")
    assert v2("codelist", references="ancestors").references == ("ancestors",)
    assert v2("dataflow", references="dataconstraint").references == ("ContentConstraint",)
    assert v2("dataflow", references="parents,children").references == ("parents", "children")


def test_v2_detail_raw_is_accepted() -> None:
    assert v2("codelist", detail="raw").detail == "raw"


def test_wildcard_item_segment_is_accepted_on_any_type() -> None:
    query = v1("dataflow", "ECB", "EXR", "1.0", "all")
    assert (query.types, query.items) == (frozenset({"Dataflow"}), None)
    query = v2("datastructure", "ECB", "DSD", "~", "*")
    assert (query.types, query.items) == (frozenset({"DataStructure"}), None)
    assert v2("*", "ECB", "*", "~", "*").types == ARTEFACT_TYPES


def test_v2_item_query_on_star_selects_item_schemes_only() -> None:
    query = v2("*", "ECB", "*", "~", "A")
    assert "Codelist" in query.types
    assert "ValueList" in query.types
    assert "DataStructure" not in query.types
    assert "HierarchicalCodelist" not in query.types


def test_v2_valuelist_items_may_be_any_value() -> None:
    assert v2("valuelist", "ECB", "VL", "1.0.0", "x:y").items == ("x:y",)


def test_v2_as_of_is_not_implemented() -> None:
    with pytest.raises(NotImplementedSdmx) as caught:
        v2("codelist", asOf="2024-01-31T12:00:00+00:00")
    assert caught.value.where == "asOf"
    assert caught.value.http_status(2) == 501


@pytest.mark.parametrize(
    ("call", "where", "quoted"),
    [
        (lambda: v2("codelists"), "type", "codelists"),
        (lambda: v2("hierarchicalcodelist"), "type", "hierarchicalcodelist"),
        (lambda: v2("actualconstraint"), "type", "actualconstraint"),
        (lambda: v2("organisationscheme"), "type", "organisationscheme"),
        (lambda: v2("codelist,dataflow"), "type", "codelist,dataflow"),
        (lambda: v2("datastructure", "ECB", "DSD", "1.0.0", "A"), "item", "A"),
        (lambda: v2("hierarchy", "ECB", "H", "1.0.0", "A"), "item", "A"),
        (lambda: v2("codelist", "ECB", "CL", "1.0.0", "x:y"), "item", "x:y"),
        (lambda: v2("conceptscheme", "ECB", "CS", "1.0.0", "1C"), "item", "1C"),
        (lambda: v2("codelist", "ECB+BIS"), "agency", "ECB+BIS"),
        (lambda: v2("codelist", "ECB,"), "agency", "ECB,"),
        (lambda: v2("codelist", "E CB"), "agency", "E CB"),
        (lambda: v2("codelist", "ECB", "CL/X"), "id", "CL/X"),
        (lambda: v2("codelist", "ECB", "CL", "latest"), "version", "latest"),
        (lambda: v2("codelist", "ECB", "CL", "all"), "version", "all"),
        (lambda: v2("codelist", "ECB", "CL", "1.0+2.1"), "version", "1.0+2.1"),
        (lambda: v2("codelist", detail="referencestub"), "detail", "referencestub"),
        (lambda: v2("codelist", references="none,codelist"), "references", "none"),
        (lambda: v2("codelist", references="codelist,"), "references", "references"),
        (
            lambda: v2("codelist", references="organisationscheme"),
            "references",
            "organisationscheme",
        ),
        (lambda: v2("codelist", references="namealiasscheme"), "references", "namealiasscheme"),
        (lambda: v2("codelist", asOf="yesterday"), "asOf", "yesterday"),
        (lambda: v2("codelist", mode="exact"), "mode", "mode"),
    ],
)
def test_v2_errors_name_the_bad_part(call, where: str, quoted: str) -> None:
    with pytest.raises(BadRequest) as caught:
        call()
    assert caught.value.where == where
    assert quoted in caught.value.message
    assert caught.value.http_status(2) == 400


def test_v2_unknown_parameter_is_reported_even_with_a_bad_path() -> None:
    with pytest.raises(BadRequest) as caught:
        v2("codelists", foo="1")
    assert caught.value.where == "foo"
