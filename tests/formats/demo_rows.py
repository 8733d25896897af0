"""Rows of a structure-specific SDMX-ML 2.1 file with TIME_PERIOD at observation level, for tests.

A deliberately tiny reader (the node's own reader lives on another branch): every XML
attribute of a Series or Obs is a component value; rows follow `StructureInfo.columns`.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from sdmxnode.formats.data_rows import StructureInfo

DEMO_FILE = (
    Path(__file__).resolve().parents[2] / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
)


def read_demo_rows(
    info: StructureInfo, path: Path = DEMO_FILE, *, max_series: int | None = None
) -> list[tuple]:
    """Row tuples (columns of `info`, then the source line) of the first `max_series` series."""
    columns = info.columns
    rows: list[tuple] = []
    tree = etree.parse(str(path))
    for number, series in enumerate(tree.iterfind(".//Series")):
        if max_series is not None and number >= max_series:
            break
        for obs in series.iterfind("Obs"):
            values = dict(series.attrib) | dict(obs.attrib)
            rows.append(tuple(values.get(c) for c in columns) + (obs.sourceline or 0,))
    return rows
