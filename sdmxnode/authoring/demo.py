"""Convert UN DESA International Migrant Stock 2019, Table 1, into IMDX:DF_MIG_STOCK_IMS data."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sdmxnode.authoring import xml
from sdmxnode.authoring.areas import area_id_for_m49
from sdmxnode.errors import Invalid

logger = logging.getLogger(__name__)

SOURCE_FILE = "UN_MigrantStockBySexByDestination_2019.csv"
DATAFLOW = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
YEARS = ("1990", "1995", "2000", "2005", "2010", "2015", "2019")
SEXES = ("_T", "M", "F")  # the table's three blocks: both sexes, male, female
REVISION = "IMS2019"
CITATION = (
    "United Nations, Department of Economic and Social Affairs. Population Division (2019)."
    " International Migrant Stock 2019 (United Nations database, POP/DB/MIG/Stock/Rev.2019)."
    " Table 1. Licence: CC BY 3.0 IGO."
)

#: DESA aggregate codes -> M49 region or grouping ids of IMDX:CL_AREA. Several DESA codes
#: name the same M49 region (LAC 904 and 1830, Europe 908 and 917, Northern America 905 and
#: 918); their rows must carry equal figures.
DESA_TO_M49: dict[int, str] = {
    900: "1",
    903: "2",
    935: "142",
    908: "150",
    904: "419",
    905: "21",
    909: "9",
    941: "199",
    947: "202",
    910: "14",
    911: "17",
    913: "18",
    914: "11",
    1833: "747",
    912: "15",
    922: "145",
    921: "62",
    5500: "143",
    5501: "34",
    1832: "753",
    906: "30",
    920: "35",
    1830: "419",
    915: "29",
    916: "13",
    931: "5",
    927: "53",
    928: "54",
    954: "57",
    957: "61",
    1829: "513",
    917: "150",
    918: "21",
    923: "151",
    924: "154",
    925: "39",
    926: "155",
}

#: DESA aggregates left out: no M49 equivalent (development and World Bank income groups).
DESA_DROPPED: dict[int, str] = {
    901: "More developed regions",
    902: "Less developed regions",
    934: "Less developed regions, excluding least developed countries",
    1503: "High-income countries",
    1517: "Middle-income countries",
    1502: "Upper-middle-income countries",
    1501: "Lower-middle-income countries",
    1500: "Low-income countries",
    1518: "No income group available",
}


@dataclass(frozen=True)
class ImsRow:
    """One row of Table 1 with a DESA code: figures by (sex, year); '..' cells are absent."""

    sort_order: int
    name: str
    desa_code: int
    data_type: str
    values: dict[tuple[str, str], int]


@dataclass(frozen=True)
class StockSeries:
    """One DF_MIG_STOCK_IMS series: the area, the sex, its attributes and observations."""

    ref_area: str
    sex: str
    data_type: str
    observations: tuple[tuple[str, int], ...]


def _number(cell: str) -> int | None:
    cell = cell.strip()
    if cell in {"", ".."}:
        return None
    try:
        return int(cell.replace(",", ""))
    except ValueError as exc:
        raise Invalid(f"not a figure: {cell!r}") from exc


def read_ims_table(path: Path) -> list[ImsRow]:
    """Rows of Table 1 that carry a DESA code (group headings without a code are skipped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    try:
        header = next(i for i, line in enumerate(lines) if line and line[0].startswith("Sort"))
    except StopIteration as exc:
        raise Invalid(f"{path.name}: no 'Sort order' header row") from exc
    years = lines[header + 1][5:26]
    if tuple(years) != YEARS * 3:
        raise Invalid(f"{path.name}: unexpected year columns {years}")
    rows = []
    for line in lines[header + 2 :]:
        if len(line) < 26 or not line[0].strip().isdigit() or not line[3].strip():
            continue
        values = {}
        for block, sex in enumerate(SEXES):
            for offset, year in enumerate(YEARS):
                value = _number(line[5 + block * 7 + offset])
                if value is not None:
                    values[(sex, year)] = value
        data_type = "".join(line[4].split())
        rows.append(ImsRow(int(line[0]), line[1].strip(), int(line[3]), data_type, values))
    logger.info("read %d coded rows from %s", len(rows), path.name)
    return rows


def area_id_for_desa(desa_code: int) -> str | None:
    """The CL_AREA id of a DESA code, or None for an aggregate that is left out."""
    if desa_code in DESA_DROPPED:
        return None
    if desa_code in DESA_TO_M49:
        return DESA_TO_M49[desa_code]
    if desa_code >= 900:
        raise Invalid(f"DESA aggregate {desa_code} has no mapping")
    return area_id_for_m49(desa_code)


def build_series(rows: list[ImsRow]) -> list[StockSeries]:
    """One series per area and sex in source order; duplicate areas must agree figure by figure."""
    by_area: dict[str, ImsRow] = {}
    for row in rows:
        area_id = area_id_for_desa(row.desa_code)
        if area_id is None:
            continue
        if area_id in by_area:
            if by_area[area_id].values != row.values:
                raise Invalid(f"DESA rows {row.desa_code} and {by_area[area_id].desa_code} differ")
            continue
        by_area[area_id] = row
    series = []
    for area_id, row in by_area.items():
        for sex in SEXES:
            observations = tuple(
                (year, row.values[(sex, year)]) for year in YEARS if (sex, year) in row.values
            )
            if observations:
                series.append(StockSeries(area_id, sex, row.data_type, observations))
    return series


def stock_series_attributes(
    ref_area: str, country_birth: str, sex: str, revision: str
) -> dict[str, str]:
    """The key and series attributes of a DESA mid-year stock series in persons (the
    other breakdowns at their totals), as both demo editions write them."""
    return {
        "FREQ": "A",
        "REF_AREA": ref_area,
        "MEASURE": "STOCK",
        "COUNTRY_BIRTH": country_birth,
        "CITIZENSHIP": "_T",
        "SEX": sex,
        "AGE": "_T",
        "EDUCATION_LEV": "_T",
        "UNIT_MEASURE": "PS",
        "UNIT_MULT": "0",
        "REF_PERIOD_DETAIL": "MID_YEAR",
        "REVISION": revision,
    }


def _series_attributes(series: StockSeries) -> dict[str, str]:
    attributes = stock_series_attributes(series.ref_area, "FB", series.sex, REVISION)
    if series.data_type:
        attributes["DATA_TYPE_IMS"] = series.data_type
        # DESA imputes the figures of "I" rows, so their source is a model.
        if "I" in series.data_type:
            attributes["SOURCE_TYPE"] = "MODEL"
    return attributes


def build_message(series: list[StockSeries]) -> etree._Element:
    """A StructureSpecificData message for DF_MIG_STOCK_IMS, observations by TIME_PERIOD."""
    agency_id, flow_id, _ = DATAFLOW
    root, dataset = xml.structure_specific_message(
        DATAFLOW, f"{agency_id}-{flow_id}-{REVISION}", CITATION
    )
    for item in series:
        node = etree.SubElement(dataset, "Series", _series_attributes(item))
        status = "I" if "I" in item.data_type else "E"
        for year, value in item.observations:
            etree.SubElement(node, "Obs", TIME_PERIOD=year, OBS_VALUE=str(value), OBS_STATUS=status)
    return root


def write_demo_data(source: Path, target: Path) -> Path:
    """Convert the DESA CSV at `source` and write the SDMX-ML message to `target`."""
    series = build_series(read_ims_table(source))
    logger.info("%d series for %s", len(series), DATAFLOW[1])
    return xml.write_message(build_message(series), target)
