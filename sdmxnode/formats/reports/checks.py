"""Writers for the reports of the comparability checks: JSON and CSV, streamed record by record."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sdmxnode.formats.registry import Format

CHECK_JSON = Format("json", "application/json", "1.0.0", "report")
CHECK_CSV = Format("csv", "text/csv", "1.0.0", "report")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}  # Content-Type


def write_report(
    name: str,
    head: Mapping[str, Any],
    columns: Sequence[str],
    records: Iterable[Mapping[str, Any]],
) -> Iterator[bytes]:
    """The report in format `name` ('json' or 'csv'), in chunks as the records come."""
    if name == "csv":
        return write_csv(columns, records)
    return write_json(head, records)


def write_json(head: Mapping[str, Any], records: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """`{...head, "results": [records...], "count": n}`."""
    opening = json.dumps(dict(head), ensure_ascii=False)[:-1]
    yield f'{opening}{", " if head else ""}"results": [\n'.encode()
    count = 0
    for record in records:
        prefix = ",\n" if count else ""
        yield (prefix + json.dumps(_json_ready(record), ensure_ascii=False)).encode()
        count += 1
    yield f'\n], "count": {count}}}\n'.encode()


def write_csv(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """A header row, then one row per record (lists joined by spaces, None empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for number, record in enumerate(records):
        writer.writerow([_csv_cell(record.get(column)) for column in columns])
        if number % 200 == 199:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json_ready(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()
    }


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)
