"""Convert UN DESA International Migrant Stock 2017, origin by destination (both sexes),
into IMDX:DF_MIG_STOCK_IMS2017 data.

The table (`../shared/data/ims2017/`, CC BY 3.0 IGO) has one row per year and area of
destination and one column per area of origin, all named in English. The names reach codes
only through the published representation maps of `dsd/IMDX-RM_IMS2017-1.0.0.xml`
(`authoring.ims2017_names`), applied by the node's own mapping engine
(`services.mapping.values.ValueMapper`): a name the maps do not hold stops the conversion,
listing every such name.

Each (destination, origin) pair with a figure becomes one series
`A.<destination>.STOCK.<origin>._T._T._T._T` with its years; empty cells are left out and
zeros kept (DESA writes 0 where it recorded no migrants from that origin). The `Total`
column becomes COUNTRY_BIRTH=FB, the residual origins OTH_NORTH and OTH_SOUTH. The figures
are mid-year estimates: OBS_STATUS E, REVISION IMS2017. Before anything is written, every
row's total must equal the sum of its origins, as DESA publishes it.

The message is written gzip-compressed (about 430,000 observations), reproducibly: the
same table gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sdmxnode.authoring import xml
from sdmxnode.authoring.demo import stock_series_attributes
from sdmxnode.authoring.ims2017_names import (
    AREA_MAP,
    GROUPINGS_LEFT_OUT,
    ORIGIN_MAP,
    REGION_TWINS,
    read_ims2017_maps,
)
from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml.maps import read_representation_map
from sdmxnode.services.mapping.values import ValueMapper

logger = logging.getLogger(__name__)

SOURCE_FILE = "UN_MigrantStockByOriginAndDestination_2017.csv"
DATAFLOW = ("IMDX", "DF_MIG_STOCK_IMS2017", "1.0.0")
TARGET_FILE = "IMDX-DF_MIG_STOCK_IMS2017-1.0.0.xml.gz"
YEARS = ("1990", "1995", "2000", "2005", "2010", "2015", "2017")
REVISION = "IMS2017"
TOTAL_COLUMN = "Total"
CITATION = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2017)."
    " Trends in International Migrant Stock: The 2017 Revision (United Nations database,"
    " POP/DB/MIG/Stock/Rev.2017), origin by destination, both sexes. Licence: CC BY 3.0 IGO."
)


@dataclass(frozen=True)
class TableRow:
    """One row of the table: year, destination name (twins renamed) and the non-empty
    figures by origin column name, in column order."""

    line: int
    year: str
    destination: str
    figures: tuple[tuple[str, int], ...]


class AreaNames:
    """The published maps, compiled: destination and origin names onto codes."""

    def __init__(self, maps_file: Path) -> None:
        elements = read_ims2017_maps(maps_file)
        try:
            self._area = ValueMapper(read_representation_map(elements[AREA_MAP]))
            self._origin = ValueMapper(read_representation_map(elements[ORIGIN_MAP]))
        except KeyError as exc:
            raise Invalid(f"{maps_file.name} lacks the representation map {exc}") from exc

    def destination(self, name: str) -> str | None:
        """The CL_AREA code of a destination row's name; None when the map lacks it."""
        found = self._area.map((name,))
        return found[0] if found else None

    def origin(self, name: str) -> str | None:
        """The CL_AREA_ORIGIN code of an origin column; None when neither map holds it."""
        found = self._origin.map((name,)) or self._area.map((name,))
        return found[0] if found else None


def _figure(cell: str, where: str) -> int | None:
    cell = cell.strip().replace(",", "")
    if cell == "":
        return None
    try:
        return int(cell)
    except ValueError as exc:
        raise Invalid(f"{where}: not a figure: {cell!r}", where=where) from exc


def read_table(path: Path) -> tuple[list[str], list[TableRow]]:
    """The origin column names and the rows of the table (blank rows skipped; the first of
    two same-named rows of a year renamed as `REGION_TWINS` says)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    if not lines or lines[0][:3] != ["Year", "MajorArea", TOTAL_COLUMN]:
        raise Invalid(f"{path.name}: the header must start with Year, MajorArea, Total")
    origins = lines[0][2:]
    rows: list[TableRow] = []
    seen: set[tuple[str, str]] = set()
    for number, line in enumerate(lines[1:], start=2):
        if len(line) < 2 or not line[1].strip():
            continue
        year, name = line[0].strip(), line[1].strip()
        if year not in YEARS:
            raise Invalid(f"{path.name} line {number}: year {year!r} is not one of {YEARS}")
        if name in REGION_TWINS and (year, REGION_TWINS[name]) not in seen:
            name = REGION_TWINS[name]  # the first of the pair is the region
        if (year, name) in seen:
            raise Invalid(f"{path.name} line {number}: {name!r} twice for {year}")
        seen.add((year, name))
        figures = []
        for column, cell in zip(origins, line[2:], strict=False):
            value = _figure(cell, f"{path.name} line {number}, column {column!r}")
            if value is not None:
                figures.append((column, value))
        rows.append(TableRow(number, year, name, tuple(figures)))
    return origins, rows


def check_totals(rows: list[TableRow], source: str) -> None:
    """Every row's Total equals the sum of its origins (Invalid naming the first that
    does not)."""
    for row in rows:
        figures = dict(row.figures)
        parts = sum(value for column, value in row.figures if column != TOTAL_COLUMN)
        if figures.get(TOTAL_COLUMN, 0) != parts:
            raise Invalid(
                f"{source} line {row.line}: {row.destination} {row.year} total "
                f"{figures.get(TOTAL_COLUMN)} is not the sum of its origins ({parts})"
            )


@dataclass(frozen=True)
class BilateralSeries:
    """One (destination, origin) series with its (year, figure) observations."""

    destination: str
    origin: str
    observations: tuple[tuple[str, int], ...]


def build_series(
    origins: list[str], rows: list[TableRow], names: AreaNames, source: str
) -> list[BilateralSeries]:
    """The series of the table, destinations in table order, origins in column order;
    Invalid listing every name the maps do not hold."""
    unknown = sorted(
        {r.destination for r in rows if r.destination not in GROUPINGS_LEFT_OUT}
        - {r.destination for r in rows if names.destination(r.destination)}
    )
    unknown += sorted(column for column in origins if names.origin(column) is None)
    if unknown:
        raise Invalid(
            f"{source}: no code for {len(unknown)} name(s) in the published maps: "
            + ", ".join(repr(name) for name in unknown),
            where=source,
        )
    origin_codes = {column: names.origin(column) or "" for column in origins}
    order = {column: index for index, column in enumerate(origins)}
    by_pair: dict[tuple[str, str], list[tuple[str, int]]] = {}
    destination_order: dict[str, int] = {}
    for row in rows:
        if row.destination in GROUPINGS_LEFT_OUT:
            continue
        destination = names.destination(row.destination) or ""
        destination_order.setdefault(destination, len(destination_order))
        for column, value in row.figures:
            by_pair.setdefault((destination, column), []).append((row.year, value))
    pairs = sorted(by_pair, key=lambda pair: (destination_order[pair[0]], order[pair[1]]))
    return [
        BilateralSeries(
            destination,
            origin_codes[column],
            tuple(sorted(by_pair[(destination, column)], key=lambda item: YEARS.index(item[0]))),
        )
        for destination, column in pairs
    ]


def _series_attributes(series: BilateralSeries) -> dict[str, str]:
    return stock_series_attributes(series.destination, series.origin, "_T", REVISION)


def _message_chunks(series: list[BilateralSeries]) -> Iterator[bytes]:
    """The StructureSpecificData message, written element by element."""
    agency_id, flow_id, _ = DATAFLOW
    root, dataset = xml.structure_specific_message(
        DATAFLOW, f"{agency_id}-{flow_id}-{REVISION}", CITATION
    )
    marker = "@SERIES@"
    dataset.text = marker
    head, tail = etree.tostring(root, xml_declaration=True, encoding="UTF-8").split(marker.encode())
    yield head
    for item in series:
        node = etree.Element("Series", _series_attributes(item))
        for year, value in item.observations:
            etree.SubElement(node, "Obs", TIME_PERIOD=year, OBS_VALUE=str(value), OBS_STATUS="E")
        yield b"\n" + etree.tostring(node)
    yield b"\n" + tail + b"\n"


def convert_table(source: Path, maps_file: Path) -> list[BilateralSeries]:
    """The series of the table at `source`, its names mapped through the published maps."""
    origins, rows = read_table(source)
    check_totals(rows, source.name)
    return build_series(origins, rows, AreaNames(maps_file), source.name)


def write_ims2017_data(source: Path, maps_file: Path, target: Path) -> Path:
    """Convert the table at `source` and write the gzip-compressed message to `target`."""
    series = convert_table(source, maps_file)
    logger.info(
        "%d series, %d observations for %s",
        len(series),
        sum(len(s.observations) for s in series),
        DATAFLOW[1],
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle,
    ):
        for chunk in _message_chunks(series):
            handle.write(chunk)
    return target
