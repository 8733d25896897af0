"""The DESA IMS 2019 demo data: totals, codes, attributes, and the source's own figures."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
import sdmx
from lxml import etree

from tests.structures.conftest import DEMO, DESA_CSV, NS, PROJECT, needs_shared_data

WORLD = "1"
# Africa, Asia, Europe, Latin America and the Caribbean, Northern America, Oceania
SIX_REGIONS = ("2", "142", "150", "419", "21", "9")
YEARS = ("1990", "1995", "2000", "2005", "2010", "2015", "2019")


@pytest.fixture(scope="module")
def demo_series() -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    dataset = (
        etree.parse(str(DEMO))
        .getroot()
        .find("{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}DataSet")
    )
    return [(dict(s.attrib), [dict(o.attrib) for o in s.iterfind("Obs")]) for s in dataset]


@pytest.fixture(scope="module")
def figures(demo_series: list) -> dict[tuple[str, str, str], int]:
    """(REF_AREA, SEX, TIME_PERIOD) -> OBS_VALUE from the committed message."""
    result = {}
    for attributes, observations in demo_series:
        for obs in observations:
            key = (attributes["REF_AREA"], attributes["SEX"], obs["TIME_PERIOD"])
            assert key not in result, key
            result[key] = int(obs["OBS_VALUE"])
    return result


def _csv_rows() -> dict[int, list[str]]:
    """DESA code -> the 21 figure cells (both sexes, male, female; 7 years each)."""
    rows = {}
    with DESA_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for line in csv.reader(handle):
            if len(line) >= 26 and line[0].strip().isdigit() and line[3].strip():
                rows.setdefault(int(line[3]), line[5:26])
    return rows


def test_world_totals_are_the_published_figures(figures: dict) -> None:
    assert figures[(WORLD, "_T", "1990")] == 153_011_473
    assert figures[(WORLD, "_T", "2019")] == 271_642_105


def test_six_regions_sum_to_the_world_in_the_message(figures: dict) -> None:
    for sex in ("_T", "M", "F"):
        for year in YEARS:
            total = sum(figures[(region, sex, year)] for region in SIX_REGIONS)
            assert total == figures[(WORLD, sex, year)], (sex, year)


def test_male_plus_female_is_both_sexes(figures: dict) -> None:
    for (area, sex, year), value in figures.items():
        if sex == "_T" and (area, "M", year) in figures and (area, "F", year) in figures:
            assert figures[(area, "M", year)] + figures[(area, "F", year)] == value, (area, year)


@needs_shared_data
def test_six_regions_sum_to_the_world_in_the_source() -> None:
    rows = _csv_rows()
    desa_regions = (903, 935, 908, 904, 905, 909)

    def number(cell: str) -> int:
        return int(cell.replace(",", ""))

    for column in range(21):
        assert sum(number(rows[code][column]) for code in desa_regions) == number(rows[900][column])


@needs_shared_data
def test_message_keeps_every_source_figure_of_kept_rows(figures: dict) -> None:
    rows = _csv_rows()
    pairs = {900: WORLD, 903: "2", 935: "142", 908: "150", 904: "419", 905: "21", 909: "9"}
    pairs.update({404: "KEN", 710: "ZAF", 830: "830", 840: "USA", 1829: "513", 947: "202"})
    for desa_code, area in pairs.items():
        for block, sex in enumerate(("_T", "M", "F")):
            for offset, year in enumerate(YEARS):
                cell = rows[desa_code][block * 7 + offset].strip()
                if cell == "..":
                    assert (area, sex, year) not in figures
                else:
                    assert figures[(area, sex, year)] == int(cell.replace(",", ""))


@needs_shared_data
def test_missing_cells_are_left_out(figures: dict) -> None:
    rows = _csv_rows()
    # South Sudan (728) has '..' before independence; Curacao (531) before 2010.
    assert ("SSD", "_T", "1990") not in figures and ("SSD", "_T", "2019") in figures
    assert all(cell.strip() == ".." for cell in rows[728][:4])


def test_every_code_is_in_its_code_list(demo_series: list, codelists: dict) -> None:
    dsd = etree.parse(str(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    enumerations = {}
    for component in dsd.iterfind(".//str:DimensionList/str:Dimension", NS):
        enumerations[component.get("id")] = component.find(".//str:Enumeration/Ref", NS)
    for component in dsd.iterfind(".//str:Attribute", NS):
        ref = component.find(".//str:Enumeration/Ref", NS)
        if ref is not None:
            enumerations[component.get("id")] = ref
    allowed = {
        component: set(codelists[(ref.get("agencyID"), ref.get("id"), ref.get("version"))])
        for component, ref in enumerations.items()
    }
    seen = defaultdict(set)
    for attributes, observations in demo_series:
        for values in [attributes, *observations]:
            for component, value in values.items():
                if component in allowed:
                    assert value in allowed[component], (component, value)
                    seen[component].add(value)
    assert {"FREQ", "REF_AREA", "SEX", "OBS_STATUS", "DATA_TYPE_IMS"} <= set(seen)
    assert seen["SEX"] == {"_T", "M", "F"}


def test_mandatory_attributes_are_present(demo_series: list) -> None:
    dsd = etree.parse(str(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    series_level, obs_level = set(), set()
    for attribute in dsd.iterfind(".//str:Attribute[@assignmentStatus='Mandatory']", NS):
        relationship = attribute.find("str:AttributeRelationship", NS)
        at_obs = relationship.find("str:PrimaryMeasure", NS) is not None
        target = obs_level if at_obs else series_level
        target.add(attribute.get("id"))
    assert {"UNIT_MEASURE", "UNIT_MULT", "REF_PERIOD_DETAIL", "REVISION"} <= series_level
    for attributes, observations in demo_series:
        assert series_level <= set(attributes)
        assert attributes["REVISION"] == "IMS2019" and attributes["UNIT_MEASURE"] == "PS"
        for obs in observations:
            assert obs_level <= set(obs)


def test_content_respects_the_dataflow_constraint(demo_series: list) -> None:
    dsd = etree.parse(str(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    constraint = next(
        node
        for node in dsd.iterfind(".//str:ContentConstraint", NS)
        if node.get("id") == "CC_DF_MIG_STOCK_IMS"
    )
    region = {
        key.get("id"): {value.text for value in key.iterfind("com:Value", NS)}
        for key in constraint.iterfind("str:CubeRegion/com:KeyValue", NS)
    }
    for attributes, _ in demo_series:
        for dimension, values in region.items():
            assert attributes[dimension] in values


def test_sdmx1_reads_the_demo_data_with_the_dsd(demo_series: list) -> None:
    structure = sdmx.read_sdmx(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml")
    message = sdmx.read_sdmx(DEMO, structure=structure.structure["DSD_MIG_STOCK"])
    dataset = message.data[0]
    assert len(dataset.series) == len(demo_series)
    assert len(dataset.obs) == sum(len(observations) for _, observations in demo_series)
