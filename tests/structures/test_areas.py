"""IMDX:CL_AREA against pycountry, the M49 regions, and the DESA grouping of countries."""

from __future__ import annotations

import csv

import pytest
from lxml import etree

from tests.structures.conftest import DESA_CSV, NS, PROJECT, needs_shared_data

pycountry = pytest.importorskip("pycountry", reason="pycountry (authoring extra) not installed")

AREA_FILE = PROJECT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def area_codes() -> dict[str, etree._Element]:
    codelist = etree.parse(str(AREA_FILE)).find(".//str:Codelist", NS)
    return {code.get("id"): code for code in codelist.iterfind("str:Code", NS)}


def _annotation(code: etree._Element, type: str) -> str | None:
    for annotation in code.iterfind("com:Annotations/com:Annotation", NS):
        if annotation.findtext("com:AnnotationType", namespaces=NS) == type:
            return annotation.findtext("com:AnnotationText", namespaces=NS)
    return None


def _parent(code: etree._Element) -> str | None:
    ref = code.find("str:Parent/Ref", NS)
    return None if ref is None else ref.get("id")


def test_every_iso_country_is_present_with_its_iso_name(area_codes: dict) -> None:
    for country in pycountry.countries:
        code = area_codes[country.alpha_3]
        names = {name.get(XML_LANG): name.text for name in code.iterfind("com:Name", NS)}
        assert names["en"] == country.name
        assert _annotation(code, "ISO_ALPHA2") == country.alpha_2
        m49 = _annotation(code, "M49")
        assert m49 is None or int(m49) == int(country.numeric)


def test_alpha_ids_are_exactly_the_iso_countries(area_codes: dict) -> None:
    alpha_ids = {code_id for code_id in area_codes if not code_id.isdigit()}
    assert alpha_ids == {country.alpha_3 for country in pycountry.countries}


def test_names_come_in_the_un_languages(area_codes: dict) -> None:
    languages = {name.get(XML_LANG) for name in area_codes["FRA"].iterfind("com:Name", NS)}
    assert languages == {"en", "fr", "es", "ru", "zh", "ar"}


def test_region_ids_are_m49_numbers_without_leading_zeros(area_codes: dict) -> None:
    numeric = [code_id for code_id in area_codes if code_id.isdigit()]
    assert {"1", "2", "9", "19", "21", "142", "150", "419", "202", "747", "62", "513"} <= set(
        numeric
    )
    assert all(not code_id.startswith("0") for code_id in numeric)


def test_geographic_regions_hang_from_the_world(area_codes: dict) -> None:
    for region in ("2", "19", "142", "150", "9"):
        assert _parent(area_codes[region]) == "1"
    assert _parent(area_codes["14"]) == "202" and _parent(area_codes["202"]) == "2"
    assert _parent(area_codes["JEY"]) == "830" and _parent(area_codes["830"]) == "154"


def _ancestors(area_codes: dict, code_id: str) -> list[str]:
    chain = []
    parent = _parent(area_codes[code_id])
    while parent is not None:
        chain.append(parent)
        parent = _parent(area_codes[parent])
    return chain


@needs_shared_data
def test_countries_sit_under_the_region_desa_lists_them_in(area_codes: dict) -> None:
    from sdmxnode.authoring.demo import DESA_TO_M49

    region = None
    checked = 0
    with DESA_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for line in csv.reader(handle):
            if len(line) < 5 or not line[0].strip().isdigit() or not line[3].strip():
                continue
            code = int(line[3])
            if code in DESA_TO_M49:
                region = DESA_TO_M49[code]
            elif code < 900 and region is not None:
                country = pycountry.countries.get(numeric=f"{code:03d}")
                area_id = country.alpha_3 if country else str(code)
                assert region in _ancestors(area_codes, area_id), (line[1], region)
                checked += 1
    assert checked > 200
