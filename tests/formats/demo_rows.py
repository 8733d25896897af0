"""Rows of a structure-specific SDMX-ML 2.1 file with TIME_PERIOD at observation level, for tests.

A deliberately tiny reader (the node's own reader lives on another branch): every XML
attribute of a Series or Obs is a component value; rows follow `StructureInfo.columns`.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from sdmxnode.formats.rows import StructureInfo

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


def sort_rows(info: StructureInfo, rows: list[tuple], dimension_at_observation: str) -> list[tuple]:
    """Rows ordered as DataResult requires: by series key, then the observation dimension."""
    columns = info.columns
    dimensions = [d.id for d in info.dimensions] + (
        [info.time_dimension.id] if info.time_dimension else []
    )
    order = [d for d in dimensions if d != dimension_at_observation]
    if dimension_at_observation in dimensions:
        order.append(dimension_at_observation)
    indices = [columns.index(d) for d in order]
    return sorted(rows, key=lambda row: tuple(row[i] or "" for i in indices))


def observations(info: StructureInfo, rows: list[tuple]) -> dict[tuple, dict[str, str]]:
    """Full observation key (dimensions, then time) -> non-empty measure and attribute values."""
    columns = info.columns
    dimensions = [d.id for d in info.dimensions] + [info.time_dimension.id]  # type: ignore[union-attr]
    key_indices = [columns.index(d) for d in dimensions]
    found: dict[tuple, dict[str, str]] = {}
    for row in rows:
        key = tuple(row[i] for i in key_indices)
        values = {
            c: str(row[i])
            for i, c in enumerate(columns)
            if c not in dimensions and row[i] is not None
        }
        found[key] = values
    return found
