"""The demo metadata sets agree with the DESA table's "Type of data" column, read here on its
own (csv and pycountry, not the conversion's reader), and fit IMDX:MSD_MIG_COMPARABILITY."""

from __future__ import annotations

import csv

import pytest
from lxml import etree

from sdmxnode.formats.metadata import MetadataSet, ReportedAttribute, from_json, to_json
from tests.structures.conftest import DESA_CSV, PROJECT, needs_shared_data

METADATA_FIXTURE = PROJECT / "fixtures" / "metadata" / "demo" / "IMDX-MDF_MIG_STOCK-IMS2019.xml"

pycountry = pytest.importorskip("pycountry", reason="pycountry (authoring extra) not installed")

pytestmark = needs_shared_data
S30 = {"str": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"}
STOCK_FLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
AREA_CODE = "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0)."


def _source_types() -> dict[str, str]:
    """CL_AREA id -> the 'Type of data' cell (spaces removed), for every country row."""
    with DESA_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = next(i for i, row in enumerate(rows) if row and row[0].startswith("Sort"))
    columns = rows[header]
    code_at = columns.index("Code")
    type_at = next(i for i, name in enumerate(columns) if name.startswith("Type of data"))
    found = {}
    for row in rows[header + 2 :]:
        if len(row) <= type_at or not row[code_at].strip().isdigit():
            continue
        code, data_type = int(row[code_at]), row[type_at].replace(" ", "")
        if code >= 900:  # regions and groupings: no type of data
            assert data_type == "", row[:5]
            continue
        country = pycountry.countries.get(numeric=f"{code:03d}")
        area = "830" if code == 830 else country.alpha_3  # Channel Islands: M49 region code
        found[area] = data_type
    return found


@pytest.fixture(scope="module")
def source_types() -> dict[str, str]:
    return _source_types()


@pytest.fixture(scope="module")
def sets() -> dict[str, MetadataSet]:
    from sdmxnode.authoring.demo_metadata import demo_metadata_sets

    by_area = {}
    for metadata_set in demo_metadata_sets(DESA_CSV):
        (report,) = metadata_set.reports
        flow, area = (target.value for target in report.targets)
        assert flow == STOCK_FLOW and area.startswith(AREA_CODE)
        by_area[area.removeprefix(AREA_CODE)] = metadata_set
    return by_area


def _values(metadata_set: MetadataSet) -> dict[str, list[ReportedAttribute]]:
    found: dict[str, list[ReportedAttribute]] = {}
    pending = list(metadata_set.reports[0].attributes)
    while pending:
        attribute = pending.pop(0)
        found.setdefault(attribute.id, []).append(attribute)
        pending.extend(attribute.attributes)
    return found


def _expected_criteria(data_type: str) -> set[str]:
    criteria = {code for letter, code in (("B", "BIRTH"), ("C", "CITIZEN")) if letter in data_type}
    return criteria or {"_U"}


def test_one_set_per_country_of_the_table(source_types: dict, sets: dict) -> None:
    assert len(source_types) == 232
    assert set(sets) == set(source_types)
    assert len({s.id for s in sets.values()}) == len(sets)


def test_kenya_counts_the_foreign_born_and_adds_refugees(sets: dict) -> None:
    values = _values(sets["KEN"])
    assert sets["KEN"].structure.id == "MDF_MIG_STOCK"
    assert [a.value for a in values["MIG_DEF_CRITERION"]] == ["BIRTH"]
    assert [a.value for a in values["POP_INCLUDED"]] == ["REF"]
    assert [a.value for a in values["IMPUTED"]] == ["N"]
    assert [a.value for a in values["DATA_TYPE_IMS"]] == ["BR"]
    assert "POP/DB/MIG/Stock/Rev.2019" in values["SOURCE_CITATION"][0].texts[0][1]
    assert "Documentation" in values["DOC_METHOD"][0].texts[0][1]


def test_france_counts_the_foreign_born_only(sets: dict) -> None:
    values = _values(sets["FRA"])
    assert [a.value for a in values["MIG_DEF_CRITERION"]] == ["BIRTH"]
    assert "POP_INCLUDED" not in values
    assert [a.value for a in values["IMPUTED"]] == ["N"]


def test_every_country_has_the_criterion_refugees_and_imputation_of_its_row(
    source_types: dict, sets: dict
) -> None:
    for area, data_type in source_types.items():
        values = _values(sets[area])
        assert {a.value for a in values["MIG_DEF_CRITERION"]} == _expected_criteria(data_type)
        refugees = [a.value for a in values.get("POP_INCLUDED", [])]
        assert refugees == (["REF"] if "R" in data_type else []), area
        assert values["IMPUTED"][0].value == ("Y" if "I" in data_type else "N"), area
        sources = [a.value for a in values.get("SOURCE_TYPE", [])]
        assert sources == (["MODEL"] if "I" in data_type else []), area


def test_sets_fit_the_msd_and_its_code_lists(sets: dict, codelists: dict) -> None:
    msd = etree.parse(str(PROJECT / "dsd" / "IMDX-MSD_MIG_COMPARABILITY-1.0.0.xml"))
    declared = {}
    for attribute in msd.iterfind(".//str:MetadataAttribute", S30):
        enumeration = attribute.findtext("str:LocalRepresentation/str:Enumeration", namespaces=S30)
        codes = None
        if enumeration is not None:
            agency, rest = enumeration.split("=")[1].split(":")
            codes = codelists[(agency, rest.split("(")[0], rest.split("(")[1].rstrip(")"))]
        declared[attribute.get("id")] = (attribute, codes)
    for metadata_set in sets.values():
        for attribute_id, reported in _values(metadata_set).items():
            element, codes = declared[attribute_id]
            if element.get("maxOccurs", "1") != "unbounded":
                assert len(reported) == 1, (metadata_set.id, attribute_id)
            if codes is not None:
                assert all(a.value in codes for a in reported), (metadata_set.id, attribute_id)
        assert from_json(to_json(metadata_set)) == metadata_set


def test_committed_fixture_holds_the_sets_the_table_gives(sets: dict) -> None:
    """The file `sdmxnode init` loads reads back (with the node's reader) to exactly the
    sets the conversion builds from the table: one per country, attribute by attribute."""
    from sdmxnode.formats.sdmxml.metadata.reader import read_metadata_ml

    with METADATA_FIXTURE.open("rb") as stream:
        read = list(read_metadata_ml(stream, source=METADATA_FIXTURE.name))

    assert len(read) == len(sets)
    by_id = {metadata_set.id: metadata_set for metadata_set in sets.values()}
    for metadata_set in read:
        built = by_id[metadata_set.id]
        assert metadata_set.reports == built.reports, metadata_set.id
        assert metadata_set.structure == built.structure
