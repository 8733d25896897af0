"""Read SDMX-ML data back with sdmx1 and pysdmx into {full key: {component: value}} maps."""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
import sdmx
import sdmx.reader.xml.v30  # noqa: F401  (see below)
from pysdmx.io import get_datasets

from sdmxnode.formats.rows import StructureInfo

# sdmx1 builds its SDMX-ML 3.0 parser table from the 2.1 one when sdmx.reader.xml.v30 is
# first imported; reading a 2.1 structure-specific message first adds the message's own
# namespace to that table and the later import fails (ValueError in ns_prefix). Importing
# the module up front avoids this sdmx1 quirk.


def _clean(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return str(value)


def _key_names(info: StructureInfo) -> list[str]:
    return [d.id for d in info.dimensions] + [info.time_dimension.id]  # type: ignore[union-attr]


def read_with_sdmx1(xml: bytes, dsd: Any, info: StructureInfo) -> dict[tuple, dict[str, str]]:
    """Observations as sdmx1 reads them (`read_sdmx(..., structure=dsd)`, then `to_pandas`)."""
    message = sdmx.read_sdmx(io.BytesIO(xml), structure=dsd)
    found: dict[tuple, dict[str, str]] = {}
    for data_set in message.data:
        frame = sdmx.to_pandas(data_set, attributes="dsgo")
        if isinstance(frame, pd.Series):
            frame = frame.to_frame("value")
        frame = frame.reset_index()
        for record in frame.to_dict("records"):
            key = tuple(str(record[name]) for name in _key_names(info))
            values = {}
            for column, value in record.items():
                if column in _key_names(info):
                    continue
                name = info.measures[0].id if column == "value" else str(column)
                cleaned = _clean(value)
                if cleaned is not None:
                    values[name] = cleaned
            found[key] = values
    return found


def read_with_pysdmx(
    xml: bytes, structure: Any, info: StructureInfo
) -> dict[tuple, dict[str, str]]:
    """Observations as pysdmx reads them (`get_datasets` with the structure, `.data` frame)."""
    found: dict[tuple, dict[str, str]] = {}
    for data_set in get_datasets(io.BytesIO(xml), structure):
        for record in data_set.data.to_dict("records"):
            key = tuple(str(record[name]) for name in _key_names(info))
            found[key] = {
                str(column): cleaned
                for column, value in record.items()
                if column not in _key_names(info) and (cleaned := _clean(value)) is not None
            }
    return found


def same_values(expected: dict[tuple, dict[str, str]], actual: dict[tuple, dict[str, str]]) -> list:
    """Differences between two observation maps; measures compared as numbers."""
    differences: list = []
    if set(expected) != set(actual):
        return [("keys", sorted(set(expected) ^ set(actual))[:5])]
    for key, values in expected.items():
        got = actual[key]
        for name, value in values.items():
            other = got.get(name)
            if other is None:
                differences.append((key, name, value, None))
            elif other != value and not _same_number(value, other):
                differences.append((key, name, value, other))
    return differences


def _same_number(a: str, b: str) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    except ValueError:
        return False
