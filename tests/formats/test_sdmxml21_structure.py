"""Round trips of the SDMX-ML 2.1 structure writer: schema-valid, and read back equal by
sdmx1 and pysdmx."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
import sdmx
import sdmx.writer.xml
from sdmx import message
from sdmx.model import common, v30

from sdmxnode.formats.sdmxml.structure21.message import write_structure_ml21
from sdmxnode.validation.schema import validate_ml21
from tests.conftest import CORPUS_STRUCTURE_MESSAGES

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent (real agency messages)"
)

#: Every SDMX-ML structure message of the corpus that sdmx1 reads.
CASES = [*CORPUS_STRUCTURE_MESSAGES, "ECB-EXR_CA-v30-dsd"]

#: Cases pysdmx cannot read back for reasons of its own.
PYSDMX_FAILS = {
    "ESTAT-esms-structure": "pysdmx's SDMX-ML 2.1 reader looks for the 3.0 element "
    "MetadataAttributeList in a 2.1 metadata structure; it fails on the source too",
    "IMF_STA-DSD_BOP-v30": "pysdmx's SDMX-ML 2.1 reader looks for the 3.0 element "
    "MetadataAttributeList in a 2.1 metadata structure (KeyError 'MetadataAttributeList')",
}

COLLECTIONS = (
    "organisation_scheme",
    "dataflow",
    "category_scheme",
    "categorisation",
    "codelist",
    "concept_scheme",
    "metadatastructure",
    "structure",
    "constraint",
    "provisionagreement",
)

#: pysdmx class name → sdmx1 StructureMessage collection.
PYSDMX_COLLECTION = {
    "AgencyScheme": "organisation_scheme",
    "DataProviderScheme": "organisation_scheme",
    "Dataflow": "dataflow",
    "CategoryScheme": "category_scheme",
    "Categorisation": "categorisation",
    "Codelist": "codelist",
    "ConceptScheme": "concept_scheme",
    "MetadataStructure": "metadatastructure",
    "DataStructureDefinition": "structure",
    "DataConstraint": "constraint",
    "ProvisionAgreement": "provisionagreement",
}


def read_corpus(name: str) -> message.StructureMessage:
    return sdmx.read_sdmx(CORPUS / f"{name}.xml")


def read_back(xml: bytes) -> message.StructureMessage:
    return sdmx.read_sdmx(io.BytesIO(xml), format="XML")


def maintainables(msg: message.StructureMessage) -> dict[tuple, Any]:
    """(collection, agency, id, version) → artefact, for artefacts 2.1 can identify."""
    found = {}
    for attr in COLLECTIONS:
        for obj in getattr(msg, attr).values():
            agency = getattr(obj.maintainer, "id", None)
            if agency:  # the writer leaves out artefacts without an agency
                # no version (a 3.0 wildcard reference) is written as the 2.1 default
                found[(attr, agency, obj.id, obj.version or "1.0")] = obj
    return found


def names(obj: Any) -> dict[str, str]:
    """The localised names; SDMX-ML 2.1 requires one, so a nameless object gets its id."""
    return dict(obj.name.localizations) or {"en": obj.id}


def items(obj: Any) -> dict[str, dict[str, str]]:
    return {i.id: names(i) for i in getattr(obj, "items", {}).values()}


def components(obj: Any) -> dict[str, list[str]]:
    if not isinstance(obj, common.BaseDataStructureDefinition) or obj.is_external_reference:
        return {}
    attributes = [
        a.id for a in obj.attributes.components if not isinstance(a, v30.MetadataAttributeUsage)
    ]
    return {
        "dimensions": [d.id for d in obj.dimensions.components],
        "attributes": attributes,
        "measures": [m.id for m in obj.measures.components][:1],
    }


@pytest.fixture(scope="module")
def written() -> dict[str, bytes]:
    """The corpus cases written once for all tests of this module."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus folder {CORPUS} is absent")
    return {name: write_structure_ml21(read_corpus(name)) for name in CASES}


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", CASES)
def test_corpus_writes_schema_valid_ml21(name: str, written: dict[str, bytes]) -> None:
    assert validate_ml21(written[name]) == []


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", CASES)
def test_corpus_reads_back_equal_with_sdmx1(name: str, written: dict[str, bytes]) -> None:
    source = maintainables(read_corpus(name))
    back = maintainables(read_back(written[name]))
    assert source, "the case holds no maintainable artefact"
    assert set(back) == set(source)
    for key, obj in source.items():
        other = back[key]
        assert other.is_external_reference == obj.is_external_reference, key
        assert names(other) == names(obj), key
        assert items(other) == items(obj), key
        assert components(other) == components(obj), key
        if isinstance(obj, common.BaseDataflow) and obj.structure is not None:
            assert other.structure.id == obj.structure.id, key


def pysdmx_params() -> list[Any]:
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(strict=True, reason=PYSDMX_FAILS[name])]
            if name in PYSDMX_FAILS
            else [],
        )
        for name in CASES
    ]


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", pysdmx_params())
def test_corpus_reads_back_equal_with_pysdmx(name: str, written: dict[str, bytes]) -> None:
    from pysdmx.io import read_sdmx

    back = read_sdmx(written[name].decode("utf-8"))
    source = maintainables(read_corpus(name))
    found = {}
    for obj in back.structures:
        agency = getattr(obj.agency, "id", obj.agency)
        found[(PYSDMX_COLLECTION[type(obj).__name__], agency, obj.id, obj.version)] = obj
    assert set(found) == set(source)
    for key, obj in source.items():
        other = found[key]
        # pysdmx strips names and keeps one localisation
        assert other.name.strip() in stripped(names(obj)), key
        if not hasattr(obj, "items") or isinstance(obj, common.CategoryScheme):
            continue
        if obj.is_external_reference:  # stubs are written without items
            assert list(other.items) == [], key
            continue
        # pysdmx names an agency in a non-SDMX scheme by its path, e.g. "UNICEF.EMOPS"
        back_items = {i.id.removeprefix(f"{key[1]}."): i for i in other.items}
        assert set(back_items) == set(obj.items), key
        for item_id, item in back_items.items():
            assert item.name.strip() in stripped(names(obj.items[item_id])), key


def stripped(localised: dict[str, str]) -> set[str]:
    return {text.strip() for text in localised.values()}


# Model objects built here: no corpus needed.


def codelist(**kwargs: Any) -> common.Codelist:
    cl = common.Codelist(
        id="CL_MIGRATION_STATUS",
        version="1.0",
        maintainer=common.Agency(id="SDMXNODE"),
        name={"en": "Migration status"},
        **kwargs,
    )
    return cl


def test_stub_codelist_is_written_as_external_reference() -> None:
    msg = message.StructureMessage()
    msg.add(codelist(is_external_reference=True))

    xml = write_structure_ml21(msg)

    assert validate_ml21(xml) == []
    back = read_back(xml).codelist["CL_MIGRATION_STATUS"]
    assert back.is_external_reference is True
    assert len(back.items) == 0
    assert (back.maintainer.id, back.version) == ("SDMXNODE", "1.0")


def test_stub_codelist_drops_items_held_in_the_model() -> None:
    cl = codelist(is_external_reference=True)
    cl.append(common.Code(id="MIG", name={"en": "Migrant"}))
    msg = message.StructureMessage()
    msg.add(cl)

    back = read_back(write_structure_ml21(msg)).codelist["CL_MIGRATION_STATUS"]

    assert back.is_external_reference is True
    assert len(back.items) == 0


def test_partial_codelist_keeps_is_partial_and_its_hierarchy() -> None:
    cl = codelist(is_partial=True)
    total = common.Code(id="_T", name={"en": "Total", "fr": "Total"})
    cl.append(total)
    child = common.Code(id="MIG", name={"en": "Migrant", "fr": "Migrant"}, parent=total)
    cl.append(child)
    total.append_child(child)
    msg = message.StructureMessage()
    msg.add(cl)

    xml = write_structure_ml21(msg)

    assert validate_ml21(xml) == []
    back = read_back(xml).codelist["CL_MIGRATION_STATUS"]
    assert str(back.is_partial).lower() == "true"  # sdmx1 keeps the attribute text
    assert back["MIG"].parent.id == "_T"
    assert dict(back["MIG"].name.localizations) == {"en": "Migrant", "fr": "Migrant"}


def test_stub_without_name_gets_its_id_as_name() -> None:
    cl = common.Codelist(
        id="CL_AREA", version="2.0", maintainer=common.Agency(id="X"), is_external_reference=True
    )
    msg = message.StructureMessage()
    msg.add(cl)

    xml = write_structure_ml21(msg)

    assert validate_ml21(xml) == []
    assert read_back(xml).codelist["CL_AREA"].name.localizations == {"en": "CL_AREA"}


def v30_dsd(measure_ids: list[str]) -> v30.DataStructureDefinition:
    agency = common.Agency(id="SDMXNODE")
    cs = common.ConceptScheme(id="CS_MIG", version="1.0", maintainer=agency, name={"en": "C"})
    for concept_id in ["REF_AREA", "OBS_VALUE", "FLOWS", "STOCKS"]:
        cs.append(common.Concept(id=concept_id, name={"en": concept_id}))
    dsd = v30.DataStructureDefinition(
        id="DSD_MIG", version="1.0", maintainer=agency, name={"en": "Migration"}
    )
    dsd.dimensions.getdefault("REF_AREA", concept_identity=cs["REF_AREA"], order=1)
    for measure_id in measure_ids:
        dsd.measures.getdefault(measure_id, concept_identity=cs[measure_id])
    return dsd, cs


def test_v30_multi_measure_dsd_is_written_with_its_first_measure_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dsd, cs = v30_dsd(["OBS_VALUE", "STOCKS"])
    msg = message.StructureMessage()
    msg.add(cs)
    msg.add(dsd)

    with caplog.at_level(logging.WARNING):
        xml = write_structure_ml21(msg)

    assert validate_ml21(xml) == []
    back = read_back(xml).structure["DSD_MIG"]
    assert [m.id for m in back.measures.components] == ["OBS_VALUE"]
    assert any("more than one measure" in r.getMessage() for r in caplog.records)


def test_v30_data_constraint_is_written_as_content_constraint() -> None:
    dsd, cs = v30_dsd(["OBS_VALUE"])
    dimension = dsd.dimensions.get("REF_AREA")
    dataflow = v30.Dataflow(
        id="DF_MIG", version="1.0", maintainer=dsd.maintainer, name={"en": "F"}, structure=dsd
    )
    selection = v30.MemberSelection(
        values_for=dimension, values=[v30.MemberValue(value="FR"), v30.MemberValue(value="IT")]
    )
    constraint = v30.DataConstraint(
        id="CC_MIG",
        version="1.0",
        maintainer=dsd.maintainer,
        name={"en": "Areas"},
        role="allowable",
        content={dataflow},
        data_content_region=[common.CubeRegion(included=True, member={dimension: selection})],
    )
    msg = message.StructureMessage()
    for obj in (cs, dsd, dataflow, constraint):
        msg.add(obj)

    xml = write_structure_ml21(msg)

    assert validate_ml21(xml) == []
    back = read_back(xml).constraint["CC_MIG"]
    assert back.role.role == common.ConstraintRoleType.allowable
    assert [a.id for a in back.content] == ["DF_MIG"]
    (region,) = back.data_content_region
    assert sorted(v.value for ms in region.member.values() for v in ms.values) == ["FR", "IT"]


def test_sdmx1_writer_is_left_unchanged() -> None:
    registry = sdmx.writer.xml.writer._dispatcher.registry
    before = dict(registry)
    msg = message.StructureMessage()
    msg.add(codelist())

    write_structure_ml21(msg)

    assert dict(registry) == before
