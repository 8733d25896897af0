"""`references=<type>` selects the artefacts of that type the queried artefact references or
that reference it directly (1.5 `4_3_structural_queries.md`: "1st level artefacts (one
level up, one level down)"), on both API lines; relations through a third artefact belong
to `descendants`, `all` and on 2.x `ancestors`. On an item query, parents are those of the
queried items only."""

from __future__ import annotations

import io

import pytest
import sdmx
from flask.testing import FlaskClient

from tests.web.conftest import ML21

DSD = "datastructure/IMDX/DSD_MIG_STOCK/1.0.0"
FLOW = "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
SCHEME = "conceptscheme/IMDX/CS_MIGRATION/1.0.0"
CATEGORISATION = "categorisation/IMDX/CAT_DF_MIG_STOCK_IMS_STOCKS/1.0.0"
CODELIST = "codelist/IMDX/CL_AREA/1.0.0"
#: The sdmx1 message attribute holding each artefact type.
HOLDER = {
    "datastructure": "structure",
    "dataflow": "dataflow",
    "codelist": "codelist",
    "conceptscheme": "concept_scheme",
    "categoryscheme": "category_scheme",
    "categorisation": "categorisation",
    "contentconstraint": "constraint",
}


#: 2.x spells the 1.5 `contentconstraint` resource and reference `dataconstraint`.
V2_NAMES = {"contentconstraint": "dataconstraint"}


def _url(path: str, line: str) -> str:
    """`path` (1.5 spelling, `type/agency/id/version[?references=x]`) on an API line."""
    if line == "v1":
        return f"/rest/{path}"
    resource, rest = path.split("/", 1)
    if "?references=" in rest:
        rest, references = rest.split("?references=")
        names = ",".join(V2_NAMES.get(name, name) for name in references.split(","))
        rest = f"{rest}?references={names}"
    return f"/rest/v2/structure/{V2_NAMES.get(resource, resource)}/{rest}"


def _ids(client: FlaskClient, path: str, kind: str, line: str = "v1") -> set[str]:
    """Ids of the `kind` artefacts in the answer to `path` on `line` (the queried one
    excluded; not those sdmx1 adds as external references, for what the message's artefacts
    name). Both lines answer SDMX-ML 2.1, which sdmx1 reads."""
    response = client.get(_url(path, line), headers={"Accept": ML21})
    assert response.status_code == 200, response.get_data()[:300]
    message = sdmx.read_sdmx(io.BytesIO(response.get_data()))
    queried = path.split("/")[2]
    held = getattr(message, HOLDER[kind]).items()
    return {str(key) for key, obj in held if not obj.is_external_reference} - {queried}


def _direct(client: FlaskClient, path: str, kind: str, line: str = "v1") -> set[str]:
    """What `children` and `parents` (one level each way) hold of `kind`."""
    return _ids(client, f"{path}?references=children", kind, line) | _ids(
        client, f"{path}?references=parents", kind, line
    )


@pytest.mark.parametrize("line", ["v1", "v2"])
@pytest.mark.parametrize(
    "path, kind",
    [
        (DSD, "categorisation"),  # categorisations reference dataflows, not DSDs
        (DSD, "contentconstraint"),  # the constraints are attached to the dataflows
        (SCHEME, "codelist"),  # the scheme has no core representations
        (CODELIST, "conceptscheme"),
        (CODELIST, "categorisation"),
        (CATEGORISATION, "datastructure"),
        (CATEGORISATION, "conceptscheme"),
        (CATEGORISATION, "codelist"),
        (FLOW, "codelist"),  # a dataflow references its DSD, which references code lists
    ],
)
def test_indirect_relations_are_not_returned(
    migration_client: FlaskClient, path: str, kind: str, line: str
) -> None:
    assert _ids(migration_client, f"{path}?references={kind}", kind, line) == set()
    assert _direct(migration_client, path, kind, line) == set()


def test_indirect_relations_stay_with_descendants_and_all(migration_client: FlaskClient) -> None:
    assert _ids(migration_client, f"{FLOW}?references=descendants", "codelist")
    assert _ids(migration_client, f"{DSD}?references=all", "categorisation") == set()
    assert _ids(migration_client, f"{CATEGORISATION}?references=descendants", "datastructure")


@pytest.mark.parametrize("line", ["v1", "v2"])
@pytest.mark.parametrize(
    "path, kind",
    [
        (DSD, "codelist"),
        (DSD, "conceptscheme"),
        (DSD, "dataflow"),
        (FLOW, "datastructure"),
        (FLOW, "categorisation"),
        (FLOW, "contentconstraint"),
        (CATEGORISATION, "dataflow"),
        (CATEGORISATION, "categoryscheme"),
        (CODELIST, "datastructure"),
        (SCHEME, "datastructure"),
    ],
)
def test_a_type_selects_what_is_related_directly(
    migration_client: FlaskClient, path: str, kind: str, line: str
) -> None:
    expected = _direct(migration_client, path, kind, line)
    assert expected, f"{path} is related to some {kind} directly"
    assert _ids(migration_client, f"{path}?references={kind}", kind, line) == expected


def test_the_issue_cases_found_by_the_compliance_kit(migration_client: FlaskClient) -> None:
    dsd_lists = _ids(migration_client, f"{DSD}?references=codelist", "codelist")
    assert "CL_AREA" in dsd_lists
    assert _ids(migration_client, f"{DSD}?references=categorisation", "categorisation") == set()
    assert _ids(migration_client, f"{SCHEME}?references=codelist", "codelist") == set()
    constraints = _ids(
        migration_client, f"{FLOW}?references=contentconstraint", "contentconstraint"
    )
    assert constraints
    for constraint in constraints:
        path = f"contentconstraint/IMDX/{constraint}/latest?references=datastructure"
        assert _ids(migration_client, path, "datastructure") == set()


def test_2x_indirect_relations_stay_with_ancestors(migration_client: FlaskClient) -> None:
    """2.x `ancestors` follows parents up the chain: the DSD's dataflows bring their
    categorisations and constraints there, never under the type itself."""
    found = {
        kind: _ids(migration_client, f"{DSD}?references=ancestors", kind, "v2")
        for kind in ("dataflow", "categorisation", "contentconstraint")
    }
    assert "DF_MIG_STOCK_IMS" in found["dataflow"]
    assert "CAT_DF_MIG_STOCK_IMS_STOCKS" in found["categorisation"]
    assert found["contentconstraint"]
    for kind in ("categorisation", "contentconstraint"):
        assert _ids(migration_client, f"{DSD}?references={kind}", kind, "v2") == set()


def test_2x_several_types_select_each_directly(migration_client: FlaskClient) -> None:
    """A 2.x list of types is the union of each type's direct relations."""
    path = f"{FLOW}?references=datastructure,codelist,contentconstraint"
    assert _ids(migration_client, path, "datastructure", "v2") == {"DSD_MIG_STOCK"}
    assert _ids(migration_client, path, "codelist", "v2") == set()
    assert _ids(migration_client, path, "contentconstraint", "v2") == _ids(
        migration_client, f"{FLOW}?references=contentconstraint", "contentconstraint", "v2"
    )


STOCKS = "categoryscheme/IMDX/CAT_MIGRATION/1.0.0/STOCKS"
STOCK_CATEGORISATIONS = {
    "CAT_DF_MIG_STOCK_IMS_STOCKS",
    "CAT_DF_MIG_STOCK_IMS2017_STOCKS",
    "CAT_DF_MIG_STOCK_NAT_STOCKS",
}


@pytest.mark.parametrize("references", ["parentsandsiblings", "parents", "categorisation", "all"])
def test_item_query_brings_the_categorisations_of_the_queried_item_only(
    migration_client: FlaskClient, references: str
) -> None:
    found = _ids(migration_client, f"{STOCKS}?references={references}", "categorisation")
    assert found == STOCK_CATEGORISATIONS
    whole = _ids(
        migration_client, f"{STOCKS.rsplit('/', 1)[0]}?references={references}", "categorisation"
    )
    assert STOCK_CATEGORISATIONS < whole


def test_item_query_siblings_are_those_of_its_categorisations(
    migration_client: FlaskClient,
) -> None:
    flows = _ids(migration_client, f"{STOCKS}?references=parentsandsiblings", "dataflow")
    assert flows == {"DF_MIG_STOCK_IMS", "DF_MIG_STOCK_IMS2017", "DF_MIG_STOCK_NAT"}


def test_2x_item_query_too(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/v2/structure/categoryscheme/IMDX/CAT_MIGRATION/1.0.0/STOCKS"
        "?references=parentsandsiblings",
        headers={"Accept": ML21},
    )
    assert response.status_code == 200
    message = sdmx.read_sdmx(io.BytesIO(response.get_data()))
    assert {str(k) for k in message.categorisation} == STOCK_CATEGORISATIONS


def test_a_concept_scheme_references_the_code_lists_of_its_core_representations(
    loaded_client: FlaskClient,
) -> None:
    """A concept scheme references a code list only through a concept's core representation
    (ECB, UNICEF and INSEE schemes: some concepts enumerated, most not)."""
    listed = loaded_client.get("/rest/conceptscheme/all/all/latest", headers={"Accept": ML21})
    schemes = sdmx.read_sdmx(io.BytesIO(listed.get_data())).concept_scheme.values()
    enumerated_somewhere = False
    for scheme in schemes:
        expected = set()
        for concept in scheme:
            representation = concept.core_representation
            if representation is not None and representation.enumerated is not None:
                expected.add(representation.enumerated.id)
        enumerated_somewhere |= bool(expected)
        path = f"conceptscheme/{scheme.maintainer.id}/{scheme.id}/{scheme.version}"
        for line in ("v1", "v2"):
            found = _ids(loaded_client, f"{path}?references=codelist", "codelist", line)
            assert found == expected, (path, line)
    assert enumerated_somewhere
