"""Excel workbooks (.xlsx) of a data answer, for people: one sheet of data, one of notes.

Not an SDMX format. Sheet `Data` holds the SDMX-CSV 2.0 rows: `STRUCTURE`, `STRUCTURE_ID`,
`ACTION`, then each component by its id and, after each coded component and the time
dimension, a column named by the component's name with the code's name (the period for the
time dimension); numeric measures are numbers. Sheet `Notes` says what the data are (the
dataflow, its name, the query, when it was extracted, the providers), how to cite them, and
what the codes of the coded attributes used mean (observation status, unit, multiplier).

Written with XlsxWriter in its constant-memory mode: rows go to a temporary file as they
come, so memory stays bounded; the workbook is assembled when the last row is written (a
zip file cannot be streamed before that) and then sent in chunks.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sdmxnode.errors import TooLarge
from sdmxnode.formats.columnar.writers import is_numeric_measure, measure_number
from sdmxnode.formats.rows import Component, DataResult
from sdmxnode.formats.writing import (
    ACTION_LETTERS,
    component_name,
    message_data_sets,
    structure_id,
    structure_name,
)

CHUNK = 1 << 16
#: Excel's limit of rows per sheet (the header row included).
MAX_ROWS = 1_048_576


def write_xlsx(result: DataResult, *, source_url: str = "", sender: str = "") -> Iterator[bytes]:
    """The answer as an .xlsx workbook (see the module); `source_url` is the query the data
    answer, `sender` the node that sends them."""
    import xlsxwriter

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path, {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
        )
        bold = workbook.add_format({"bold": True})
        sheet = workbook.add_worksheet("Data")
        columns = _columns(result)
        sheet.write_row(
            0, 0, ["STRUCTURE", "STRUCTURE_ID", "ACTION", *(title for title, _ in columns)], bold
        )
        sheet.freeze_panes(1, 0)
        used: dict[str, set[str]] = {}
        coded = [
            (index, column)
            for index, column in enumerate(result.columns)
            if (result.structure.component(column) or Component(column, "attribute")).role
            == "attribute"
        ]
        count, providers = 0, []
        for data_set in message_data_sets(result):
            if data_set.provider is not None:
                providers.append(f"{data_set.provider.agency_id}:{data_set.provider.id}")
            lead = (
                "dataflow" if result.structure_ref.kind == "dataflow" else "datastructure",
                structure_id(result),
                ACTION_LETTERS.get(data_set.action) or ACTION_LETTERS["Information"],
            )
            for row in data_set.rows:
                count += 1
                if count >= MAX_ROWS:
                    raise TooLarge(
                        f"more than {MAX_ROWS - 1:,} observations: too many for one Excel "
                        "sheet; ask for a smaller selection, or for SDMX-CSV or Parquet"
                    )
                sheet.write_row(count, 0, [*lead, *(cell(row) for _, cell in columns)])
                for index, column in coded:
                    if row[index] is not None:
                        used.setdefault(column, set()).add(row[index])
        _notes(workbook, bold, result, count, providers, used, source_url, sender)
        workbook.close()
        with open(path, "rb") as written:
            while chunk := written.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _columns(result: DataResult) -> list[tuple[str, Callable[[tuple], Any]]]:
    """(title, cell of a row) of each column after the data set's three."""
    columns: list[tuple[str, Callable[[tuple], Any]]] = []
    codes = result.labels.codes if result.labels else {}
    for index, column in enumerate(result.columns):
        component = result.structure.component(column) or Component(column, "attribute")
        fixed = result.dataset_attributes.get(column) if component.attachment == "dataset" else None
        if is_numeric_measure(component):
            columns.append((column, partial(_measure, index)))
        else:
            columns.append((column, partial(_value, index, fixed)))
        if component.role == "time":
            columns.append((component_name(result.labels, column), partial(_value, index, None)))
        elif component.codes is not None or component.codelist is not None:
            names = codes.get(column, {})
            columns.append(
                (component_name(result.labels, column), partial(_name, index, names, fixed))
            )
    return columns


def _measure(index: int, row: tuple) -> float | None:
    return measure_number(row[index])


def _value(index: int, fixed: str | None, row: tuple) -> str | None:
    return row[index] or fixed


def _name(index: int, names: Mapping[str, str], fixed: str | None, row: tuple) -> str | None:
    return names.get(row[index] or fixed or "")


def _notes(workbook, bold, result, count, providers, used, source_url, sender) -> None:
    """Sheet `Notes`: what the data are, how to cite them, what the attribute codes mean."""
    sheet = workbook.add_worksheet("Notes")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 100)
    now = datetime.now(UTC).replace(microsecond=0)
    flow = structure_id(result)
    name = structure_name(result.labels, flow)
    who = ", ".join(sorted(set(providers))) or sender or "the SDMX node"
    lines: list[tuple[str, str]] = [
        ("Data", name),
        ("Dataflow", flow),
        ("Structure", result.structure.dsd),
        ("Query", source_url),
        ("Extracted", now.isoformat().replace("+00:00", "Z")),
        ("Observations", f"{count:,}"),
        ("Data provider", who),
        (
            "How to cite",
            f"{who} ({now.year}). {name} [{flow}]. Retrieved on {now.date().isoformat()} "
            f"from {source_url or sender}.",
        ),
        ("", ""),
    ]
    codes = result.labels.codes if result.labels else {}
    for component_id in sorted(used):
        names = codes.get(component_id, {})
        if not names:
            continue
        title = component_name(result.labels, component_id)
        for code in sorted(used[component_id]):
            lines.append(
                (f"{title} {code}" if title != component_id else code, names.get(code, ""))
            )
    for number, (label, text) in enumerate(lines):
        sheet.write_string(number, 0, label, bold)
        sheet.write_string(number, 1, text)
