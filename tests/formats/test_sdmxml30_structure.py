"""Tests of the SDMX-ML 3.0 structure writer: schema validity and read-back by sdmx1 and pysdmx."""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path
from typing import Any

import pytest
import sdmx
from lxml import etree
from sdmx import message
from sdmx.model import common, v21

from sdmxnode.formats.sdmxml.structure30.common import NS
from sdmxnode.formats.sdmxml.structure30.message import (
    list_schema_errors_ml30,
    write_structure_ml30,
)
from tests.conftest import CORPUS_STRUCTURE_MESSAGES

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

# sdmx1 2.28 reads SDMX-ML 3.0 in the container order the XSD fixes, so an artefact
# referenced before its definition (a categorisation before its category scheme and
# dataflow, a constraint attachment or a <str:Dataflow/> attribute relationship before
# the dataflow) comes back without its names, or the read fails outright.
SDMX1_FORWARD_REFS = "sdmx1 2.28 loses the names of artefacts referenced before their definition"
SDMX1_XFAIL = {
    "ECB-EXR-structure-full": SDMX1_FORWARD_REFS,
    "ESTAT-esms-structure": SDMX1_FORWARD_REFS,
    "INSEE-CNA-2010-CONSO-SI-A17-structure": SDMX1_FORWARD_REFS,
    "ISTAT-22_289-structure": SDMX1_FORWARD_REFS + " (<str:AttributeRelationship><str:Dataflow/>)",
    "IMF_RES-WEO-structure": "sdmx1 2.28 reads <str:AttributeRelationship><str:Dataflow/> "
    "as a Dataflow definition and fails to build its URN",
    "ISTAT-47_850-structure": "sdmx1 2.28 reads <str:AttributeRelationship><str:Dataflow/> "
    "as a Dataflow definition and fails to build its URN",
    "IMF_STA-DSD_BOP-v30": "sdmx1 2.28 reads <str:AttributeRelationship><str:Dataflow/> "
    "as a Dataflow definition and fails to build its URN",
    "ECB-EXR-sg-structure-full": "sdmx1 2.28 fails on <str:AttributeRelationship><str:Group> "
    "(AttributeError: common.Measure)",
    "UNICEF-GLOBAL_DATAFLOW-structure": "sdmx1 2.28 has no parser for <str:DataProviderSchemes>",
}
PYSDMX_XFAIL = {
    "IMF_STA-DSD_BOP-v30": "pysdmx 1.21 rejects com:AnnotationValue (valid SDMX-ML 3.0)",
}

CORPUS_FILES = list(CORPUS_STRUCTURE_MESSAGES)

#: sdmx1 StructureMessage collection -> pysdmx class names it reads back as.
KINDS = {
    "categorisation": {"Categorisation"},
    "category_scheme": {"CategoryScheme"},
    "codelist": {"Codelist"},
    "concept_scheme": {"ConceptScheme"},
    "constraint": {"DataConstraint"},
    "dataflow": {"Dataflow"},
    "metadatastructure": {"MetadataStructure"},
    "organisation_scheme": {"AgencyScheme", "DataProviderScheme", "DataConsumerScheme"},
    "provisionagreement": {"ProvisionAgreement"},
    "structure": {"DataStructureDefinition"},
}

Summary = dict[tuple[str, str, str, str | None], dict[str, Any]]


def _marked(files: list[str], xfails: dict[str, str]) -> list[Any]:
    return [
        pytest.param(
            name,
            marks=[pytest.mark.xfail(strict=True, reason=xfails[name])] if name in xfails else [],
        )
        for name in files
    ]


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@functools.cache
def _written(path: Path) -> tuple[message.StructureMessage, bytes]:
    source = sdmx.read_sdmx(path)
    return source, write_structure_ml30(source)


def _summarise_sdmx1(msg: message.StructureMessage) -> Summary:
    """Identity, names and items of each artefact the writer writes (agency known)."""
    summary: Summary = {}
    for kind in KINDS:
        for obj in getattr(msg, kind).values():
            agency = getattr(obj.maintainer, "id", None)
            if not agency or agency == common.MissingID:
                continue
            version = None if kind == "organisation_scheme" else str(obj.version or "1.0")
            items = getattr(obj, "items", None)
            summary[(kind, agency, obj.id, version)] = {
                "names": dict(obj.name.localizations),
                "items": (
                    {i.id: dict(i.name.localizations) for i in items.values()}
                    if items is not None
                    else None
                ),
            }
    return summary


def _stripped(names: dict[str, str]) -> set[str]:
    return {str(text).strip() for text in names.values()}


def _pysdmx_items(items: Any) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for item in items or []:
        found[item.id] = item.name
        found.update(_pysdmx_items(getattr(item, "categories", None)))
    return found


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_output_is_valid_sdmx_ml_30(corpus: Path, name: str) -> None:
    _, document = _written(corpus / f"{name}.xml")
    assert list_schema_errors_ml30(document) == []


@pytest.mark.corpus
@pytest.mark.parametrize("name", _marked(CORPUS_FILES, SDMX1_XFAIL))
def test_corpus_reads_back_with_sdmx1(corpus: Path, name: str) -> None:
    source, document = _written(corpus / f"{name}.xml")
    expected = _summarise_sdmx1(source)
    actual = _summarise_sdmx1(sdmx.read_sdmx(io.BytesIO(document)))

    assert set(actual) == set(expected)
    for key, want in expected.items():
        got = actual[key]
        if want["names"]:  # a stub read without names is written with its id as name
            assert got["names"] == want["names"], key
        if want["items"] is not None:
            assert set(got["items"]) == set(want["items"]), key
            for item_id, names in want["items"].items():
                if names:
                    assert got["items"][item_id] == names, (key, item_id)


@pytest.mark.corpus
@pytest.mark.parametrize("name", _marked(CORPUS_FILES, PYSDMX_XFAIL))
def test_corpus_reads_back_with_pysdmx(corpus: Path, name: str) -> None:
    from pysdmx.io import read_sdmx

    source, document = _written(corpus / f"{name}.xml")
    expected = _summarise_sdmx1(source)
    structures = read_sdmx(document.decode("utf-8")).structures

    actual = {}
    for artefact in structures:
        kind = next(k for k, names in KINDS.items() if type(artefact).__name__ in names)
        version = None if kind == "organisation_scheme" else str(artefact.version)
        actual[(kind, str(artefact.agency), artefact.id, version)] = artefact
    assert set(actual) == set(expected)
    for key, want in expected.items():
        got = actual[key]
        if want["names"]:
            # pysdmx keeps one name and strips surrounding whitespace
            assert got.name.strip() in _stripped(want["names"]), key
        if want["items"] is not None:
            items = _pysdmx_items(got.items)
            if key[0] == "organisation_scheme":
                # pysdmx names an agency of a non-SDMX scheme "{maintainer}.{id}"
                items = {k.removeprefix(f"{key[1]}."): v for k, v in items.items()}
            assert set(items) == set(want["items"]), key
            for item_id, names in want["items"].items():
                if names:
                    assert (items[item_id] or "").strip() in _stripped(names), (key, item_id)


def _agency(agency_id: str = "TEST") -> common.Agency:
    return common.Agency(id=agency_id)


def _codelist(**kwargs: Any) -> common.Codelist:
    codelist = common.Codelist(
        id="CL_MIG_STATUS",
        version="1.2",
        maintainer=_agency(),
        name={"en": "Migratory status"},
        **kwargs,
    )
    return codelist


def _one_message(*objects: common.MaintainableArtefact) -> message.StructureMessage:
    msg = message.StructureMessage(header=message.Header(id="TEST1", sender=_agency()))
    for obj in objects:
        msg.add(obj)
    return msg


def _find(document: bytes, path: str) -> list[etree._Element]:
    return etree.fromstring(document).findall(path, {"str": NS["str"], "com": NS["com"]})


def test_stub_is_written_as_external_reference_with_what_it_carries() -> None:
    stub = common.ConceptScheme(
        id="MIGRATION_CONCEPTS",
        version="2.0",
        maintainer=_agency("ESTAT"),
        is_external_reference=True,
    )
    document = write_structure_ml30(_one_message(stub))

    assert list_schema_errors_ml30(document) == []
    (elem,) = _find(document, ".//str:ConceptScheme")
    assert elem.get("isExternalReference") == "true"
    assert elem.get("agencyID") == "ESTAT" and elem.get("version") == "2.0"
    assert _find(document, ".//str:Concept") == []
    back = sdmx.read_sdmx(io.BytesIO(document)).concept_scheme["MIGRATION_CONCEPTS"]
    assert back.is_external_reference is True
    assert str(back.version) == "2.0"


def test_partial_codelist_keeps_is_partial_and_parents() -> None:
    codelist = _codelist(is_partial=True)
    total = common.Code(id="TOTAL", name={"en": "Total"})
    codelist.append(total)
    codelist.append(common.Code(id="MIG", name={"en": "Migrants", "fr": "Migrants"}, parent=total))
    total.child.append(codelist["MIG"])
    document = write_structure_ml30(_one_message(codelist))

    assert list_schema_errors_ml30(document) == []
    (elem,) = _find(document, ".//str:Codelist")
    assert elem.get("isPartial") == "true"
    back = sdmx.read_sdmx(io.BytesIO(document)).codelist["CL_MIG_STATUS"]
    assert str(back.is_partial).lower() == "true"  # sdmx1 keeps the attribute text
    assert [c.id for c in back] == ["TOTAL", "MIG"]
    assert back["MIG"].parent is back["TOTAL"]
    assert back["MIG"].name.localizations == {"en": "Migrants", "fr": "Migrants"}

    from pysdmx.io import read_sdmx

    (read,) = read_sdmx(document.decode("utf-8")).structures
    assert (read.agency, read.id, read.version) == ("TEST", "CL_MIG_STATUS", "1.2")
    assert [c.id for c in read.items] == ["TOTAL", "MIG"]


def test_hierarchical_codelist_with_several_hierarchies_gives_one_hierarchy_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    codelist = _codelist()
    for code_id in ("_T", "MIG", "NAT"):
        codelist.append(common.Code(id=code_id, name={"en": code_id}))
    hierarchies = []
    for hierarchy_id, child in (("BY_MIG", "MIG"), ("BY_NAT", "NAT")):
        top = common.HierarchicalCode(id="TOTAL", code=codelist["_T"])
        leaf = common.HierarchicalCode(id=child, code=codelist[child], parent=top)
        top.child.append(leaf)
        hierarchies.append(
            v21.Hierarchy(id=hierarchy_id, name={"en": hierarchy_id}, codes={"TOTAL": top})
        )
    hcl = v21.HierarchicalCodelist(
        id="HCL_MIG",
        version="1.0",
        maintainer=_agency(),
        name={"en": "Migration"},
        hierarchy=hierarchies,
    )
    with caplog.at_level(logging.INFO):
        document = write_structure_ml30(_one_message(codelist, hcl))

    assert list_schema_errors_ml30(document) == []
    ids = [e.get("id") for e in _find(document, ".//str:Hierarchy")]
    assert ids == ["HCL_MIG_BY_MIG", "HCL_MIG_BY_NAT"]
    codes = [e.text for e in _find(document, ".//str:Hierarchy/str:HierarchicalCode/str:Code")]
    assert codes == [
        "urn:sdmx:org.sdmx.infomodel.codelist.Code=TEST:CL_MIG_STATUS(1.2)._T",
        "urn:sdmx:org.sdmx.infomodel.codelist.Code=TEST:CL_MIG_STATUS(1.2)._T",
    ]


def test_structure_set_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    structure_set = v21.StructureSet(
        id="SS_MIG", version="1.0", maintainer=_agency(), name={"en": "Maps"}
    )
    with caplog.at_level(logging.WARNING):
        document = write_structure_ml30(_one_message(_codelist(), structure_set))

    assert list_schema_errors_ml30(document) == []
    assert _find(document, ".//str:Codelist")
    assert any("SS_MIG" in r.getMessage() for r in caplog.records)
