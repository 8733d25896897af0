"""Tests of the SDMX-ML 3.1 structure writer (the 3.0 writer with the 3.1 model's
differences): validity against the official 3.1 schemas and read-back by pysdmx.

sdmx1 2.28 reads no SDMX-ML 3.1 (it knows the v2_1 and v3_0 namespaces only), so the
read-back is pysdmx's.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import pytest
import sdmx
import sdmx.message
from lxml import etree
from sdmx.model import common, v21

from sdmxnode.formats.sdmxml import NS31
from sdmxnode.formats.sdmxml.structure30.message import (
    list_schema_errors_ml30,
    write_structure_ml30,
    write_structure_ml31,
)
from tests.conftest import CORPUS_STRUCTURE_MESSAGES
from tests.formats.test_sdmxml30_structure import PYSDMX_XFAIL, _marked

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@functools.cache
def _written(path: Path) -> bytes:
    return write_structure_ml31(sdmx.read_sdmx(path))


def _find(document: bytes, path: str) -> list[etree._Element]:
    return etree.fromstring(document).findall(path, {"str": NS31["str"], "com": NS31["com"]})


def _read_pysdmx(document: bytes) -> list:
    from pysdmx.io import read_sdmx

    return list(read_sdmx(document.decode("utf-8")).structures)


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_STRUCTURE_MESSAGES)
def test_corpus_output_is_valid_sdmx_ml_31(corpus: Path, name: str) -> None:
    assert list_schema_errors_ml30(_written(corpus / f"{name}.xml"), "3.1") == []


@pytest.mark.corpus
@pytest.mark.parametrize("name", _marked(list(CORPUS_STRUCTURE_MESSAGES), PYSDMX_XFAIL))
def test_corpus_reads_back_with_pysdmx(corpus: Path, name: str) -> None:
    source = sdmx.read_sdmx(corpus / f"{name}.xml")
    structures = _read_pysdmx(_written(corpus / f"{name}.xml"))
    written_30 = _read_pysdmx(write_structure_ml30(source))
    # The same artefacts as the 3.0 output, but for the actual-content constraints, which
    # are availability constraints in 3.1 (not maintainable, not read by pysdmx).
    identity = {(type(a).__name__, str(a.agency), a.id) for a in structures}
    expected = {(type(a).__name__, str(a.agency), a.id) for a in written_30}
    actual_constraints = {
        ("DataConstraint", str(getattr(c.maintainer, "id", "")), c.id)
        for c in source.constraint.values()
        if getattr(getattr(c, "role", None), "role", None) == common.ConstraintRoleType.actual
    }
    assert identity == expected - actual_constraints


def test_message_is_in_the_31_namespaces(dsd_message: sdmx.message.StructureMessage) -> None:
    document = write_structure_ml31(dsd_message)
    root = etree.fromstring(document)
    assert etree.QName(root).namespace == NS31["mes"]
    assert list_schema_errors_ml30(document, "3.1") == []
    # the 3.0 output does not pass the 3.1 schema, and the reverse
    assert list_schema_errors_ml30(write_structure_ml30(dsd_message), "3.1") != []
    assert list_schema_errors_ml30(document) != []


def test_numeric_and_underscore_parents_are_kept(agency: common.Agency) -> None:
    """A code's parent is an IDType in 3.1 (an NCName in 3.0, which drops `150` and `_T`)."""
    areas = common.Codelist(id="CL_AREA", version="1.0", maintainer=agency, name={"en": "Areas"})
    codes = {cid: common.Code(id=cid, name={"en": cid}) for cid in ("_T", "150", "155", "FRA")}
    for code in codes.values():
        areas.append(code)
    codes["_T"].append_child(codes["150"])
    codes["150"].append_child(codes["155"])
    codes["155"].append_child(codes["FRA"])
    message = sdmx.message.StructureMessage()
    message.add(areas)

    document = write_structure_ml31(message)
    assert list_schema_errors_ml30(document, "3.1") == []
    parents = {
        code.get("id"): code.findtext(f"{{{NS31['str']}}}Parent")
        for code in _find(document, ".//str:Code")
    }
    assert parents == {"_T": None, "150": "_T", "155": "150", "FRA": "155"}
    (codelist,) = _read_pysdmx(document)
    assert {code.id for code in codelist.codes} == set(codes)

    ns30 = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure}"
    in_30 = etree.fromstring(write_structure_ml30(message))
    assert [p.text for p in in_30.iter(f"{ns30}Parent")] == []


def test_allowed_constraint_has_no_role(dsd_message: sdmx.message.StructureMessage) -> None:
    document = write_structure_ml31(dsd_message)
    (constraint,) = _find(document, ".//str:DataConstraints/str:DataConstraint")
    assert constraint.get("role") is None
    assert constraint.get("id") == "CC_MIG"
    (in_30,) = etree.fromstring(write_structure_ml30(dsd_message)).iter("{*}DataConstraint")
    assert in_30.get("role") == "Allowed"
    (read,) = [a for a in _read_pysdmx(document) if type(a).__name__ == "DataConstraint"]
    assert read.id == "CC_MIG"


def test_actual_constraint_is_an_availability_constraint(
    dsd_message: sdmx.message.StructureMessage,
) -> None:
    constraint = dsd_message.constraint["CC_MIG"]
    constraint.role = common.ConstraintRole(role=common.ConstraintRoleType.actual)
    document = write_structure_ml31(dsd_message)
    assert list_schema_errors_ml30(document, "3.1") == []
    assert _find(document, ".//str:DataConstraint") == []
    (available,) = _find(document, ".//str:AvailabilityConstraints/str:AvailabilityConstraint")
    (attached,) = available.find("str:ConstraintAttachment", {"str": NS31["str"]})
    assert attached.text.endswith("Dataflow=TEST:DF_MIG(1.0)")
    values = available.findall(".//str:KeyValue/str:Value", {"str": NS31["str"]})
    assert [v.text for v in values] == ["FR"]


def test_actual_constraint_without_region_is_left_out(
    dsd_message: sdmx.message.StructureMessage, caplog: pytest.LogCaptureFixture
) -> None:
    constraint = dsd_message.constraint["CC_MIG"]
    constraint.role = common.ConstraintRole(role=common.ConstraintRoleType.actual)
    constraint.data_content_region = []
    document = write_structure_ml31(dsd_message)
    assert list_schema_errors_ml30(document, "3.1") == []
    assert _find(document, ".//str:AvailabilityConstraint") == []
    assert "no availability constraint" in caplog.text


def test_categorisation_is_unversioned(agency: common.Agency) -> None:
    """SDMX-ML 3.1 prohibits a categorisation's version; its URN carries (1.0)."""
    scheme = common.CategoryScheme(id="CAT", version="2.0", maintainer=agency, name={"en": "C"})
    category = common.Category(id="MIG", name={"en": "Migration"})
    scheme.append(category)
    flow = v21.DataflowDefinition(id="DF", version="1.0", maintainer=agency, name={"en": "F"})
    categorisation = common.Categorisation(
        id="CAT_DF", version="1.0", maintainer=agency, name={"en": "c"}, category=category
    )
    categorisation.artefact = flow
    message = sdmx.message.StructureMessage()
    for obj in (scheme, flow, categorisation):
        message.add(obj)
    document = write_structure_ml31(message)
    assert list_schema_errors_ml30(document, "3.1") == []
    (written,) = _find(document, ".//str:Categorisation")
    assert written.get("version") is None
    assert written.get("urn").endswith("Categorisation=TEST:CAT_DF(1.0)")
    source, target = (child.text for child in written[-2:])
    assert source.endswith("Dataflow=TEST:DF(1.0)")
    assert target.endswith("Category=TEST:CAT(2.0).MIG")


def test_a_31_message_is_read_with_its_availability_constraints_left_out(
    dsd_message: sdmx.message.StructureMessage, caplog: pytest.LogCaptureFixture
) -> None:
    from sdmxnode.services.structures.loading import read_structure_records

    dsd_message.constraint["CC_MIG"].role = common.ConstraintRole(
        role=common.ConstraintRoleType.actual
    )
    records = read_structure_records(write_structure_ml31(dsd_message))
    assert sorted(r.ref.type for r in records) == [
        "Codelist",
        "ConceptScheme",
        "DataStructure",
        "Dataflow",
    ]
    assert {r.sdmx_ml for r in records} == {"3.1"}
    assert "1 availability constraints not stored" in caplog.text


def test_a_31_element_is_read_by_sdmx1_in_the_30_vocabulary(
    dsd_message: sdmx.message.StructureMessage,
) -> None:
    """sdmx1 reads no 3.1: a stored 3.1 data constraint gets the role 3.0 requires."""
    from sdmxnode.formats.header import MessageHeader
    from sdmxnode.formats.sdmxml.elements import (
        assemble_structure_message,
        split_structure_message,
    )
    from sdmxnode.formats.sdmxml.version31 import element_as_ml30

    split = split_structure_message(write_structure_ml31(dsd_message))
    elements = [(r.ref.type, element_as_ml30(r.xml)) for r in split.records]
    message = assemble_structure_message(elements, "3.0", MessageHeader(id="T", sender="TEST"))
    read = sdmx.read_sdmx(io.BytesIO(message))
    constraint = read.constraint["CC_MIG"]
    assert constraint.role.role == common.ConstraintRoleType.allowable
    assert [
        v.value for v in next(iter(constraint.data_content_region[0].member.values())).values
    ] == ["FR"]
