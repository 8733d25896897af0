import ast
from pathlib import Path

import pytest

from sdmxnode.refs import STRUCTURE_TYPES, ArtefactRecord, ArtefactRef, Urn, find_urns, parse_urn

PACKAGE = Path(__file__).resolve().parent.parent / "sdmxnode"


def test_ref_text_forms():
    ref = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
    assert str(ref) == "Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert ref.identity == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert ref.kind == "dataflow"
    assert ArtefactRef("DataStructure", "T", "DSD", "").identity == "T:DSD()"


def test_refs_are_values_that_sort():
    a = ArtefactRef("Codelist", "IMDX", "CL_SEX", "1.0.0")
    b = ArtefactRef("Codelist", "IMDX", "CL_SEX", "1.0.0")
    c = ArtefactRef("Codelist", "IMDX", "CL_AGE", "1.0.0")
    assert a == b and hash(a) == hash(b) and {a, b, c} == {a, c}
    assert sorted([a, c]) == [c, a]
    with pytest.raises(AttributeError):
        a.version = "2.0"  # type: ignore[misc]


def test_of_kind_names_what_data_are_structured_by():
    for kind, type_ in STRUCTURE_TYPES.items():
        ref = ArtefactRef.of_kind(kind, "T", "X", "1.0")
        assert ref == ArtefactRef(type_, "T", "X", "1.0")
        assert ref.kind == kind
    with pytest.raises(ValueError, match="codelist"):
        ArtefactRef.of_kind("codelist", "T", "X", "1.0")


def test_record_references_default_to_none():
    ref = ArtefactRef("Dataflow", "T", "DF", "1.0")
    record = ArtefactRecord(ref, True, "DF", "2.1", b"<x/>")
    assert record.references == frozenset()


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_formats_do_not_import_storage():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}: {module}"
        for path in sorted((PACKAGE / "formats").rglob("*.py"))
        for module in sorted(_imports(path))
        if module == "sdmxnode.storage" or module.startswith("sdmxnode.storage.")
    ]
    assert offenders == []


def test_parse_urn_reads_maintainables_items_and_nested_agencies() -> None:
    code = parse_urn(" urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).KEN\n")
    assert code == Urn("codelist", "Code", "IMDX", "CL_AREA", "1.0.0", "KEN")
    assert code.ref("Codelist") == ArtefactRef("Codelist", "IMDX", "CL_AREA", "1.0.0")
    flow = parse_urn("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=UN.DESA:DF(1.0)")
    assert flow is not None and (flow.agency_id, flow.item) == ("UN.DESA", "")
    nested = parse_urn("urn:sdmx:org.sdmx.infomodel.categoryscheme.Category=A:CS(1.0).X.Y")
    assert nested is not None and nested.item == "X.Y"


def test_parse_urn_refuses_what_is_not_one_urn() -> None:
    assert parse_urn("IMDX:CL_AREA(1.0.0)") is None
    assert parse_urn("urn:sdmx:org.sdmx.infomodel.codelist.Codelist=IMDX:CL_AREA") is None
    two = (
        "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=A:X(1.0) "
        "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=A:Y(1.0)"
    )
    assert parse_urn(two) is None
    assert [u.id for u in find_urns(two)] == ["X", "Y"]
