"""Streaming reader of SDMX-CSV 1.0 and 2.0 data messages into the row stream (`data_rows`).

Follows the SDMX-CSV field guides (sdmx-twg/sdmx-csv, `data-message/docs`):

- the version and the field delimiter come from the first header cell: `DATAFLOW` (SDMX-CSV
  1.0, rows start with `AGENCY:ID(VERSION)`) or `STRUCTURE` / `STRUCTURE[sub]` (SDMX-CSV 2.0,
  rows start with `dataflow|datastructure|dataprovision` and the structure id); the character
  after that term (after the bracket term) is the delimiter ("Design principles");
- SDMX-CSV 2.0 `STRUCTURE_NAME`, `ACTION`, `SERIES_KEY`, `OBS_KEY` ("Column headers"); the
  component columns may come in any order; other (custom) columns are not read, and neither
  are nested metadata columns (`CONTACT[].NAME[]`), which are no DSD component: they are
  legal in SDMX-CSV 2.0 ("any other custom columns"), while in SDMX-CSV 1.0, whose own
  columns are only DATAFLOW and the series key, action and validity columns, they are given
  as `DatasetRows.unknown_columns` for validation to report (UNKNOWN_COMPONENT);
- `labels=both`: `ID: Name` headers and cells are read as the id (for dimensions, the time
  dimension and coded components; other values keep any `: ` they hold); `labels=name`
  (a `STRUCTURE_NAME` column): the name column after each component column is ignored;
- multi-valued `ATTR[]` and multilingual `ATTR[en;fr]` cells become one row string in the
  encoding of `sdmxnode.formats.values` (values joined by `;`, `lang:text` parts);
- intentionally missing values (`NaN`, `#N/A`, SDMX-CSV 2.1 "Intentionally missing values"),
  the Delete marker `-` and the switched-off dimension marker `~` are kept as written; an
  empty cell is an absent value (None);
- with a `;` delimiter, a measure whose representation is numeric (or not given) written
  with a decimal comma (`12,4`) is read as `12.4` (the localised form of example 4);
- the ACTION column is kept per row (`DatasetRows.action_column`, codes `I A M R D`; an
  empty cell reads as `I`); `DatasetRows.action` is the action of the data set's first row.

One `DatasetRows` per structure, in the order they appear; each row's location is its
record number (the header is record 1; a quoted field spanning lines is still one record).
Restriction (streaming, one pass): the rows of each structure must be contiguous. Rows of a
structure that come back after rows of another are refused with `Invalid` naming the row.
The `rows` of a data set must be consumed (or abandoned) before asking for the next data
set; the reader skips what was not consumed.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import BinaryIO

from sdmxnode.errors import Invalid, NotFound
from sdmxnode.formats.rows import (
    ACTION_CODES,
    DatasetRows,
    StructureInfo,
    StructureResolver,
)
from sdmxnode.formats.sdmxcsv.header import (
    LABEL,
    OWN_COLUMNS_10,
    ComponentColumn,
    CsvHeader,
    read_header,
    read_structure_ref,
)
from sdmxnode.formats.values import join_values, split_values
from sdmxnode.refs import ArtefactRef

logger = logging.getLogger(__name__)

_LANGUAGE_PART = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*:")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?")
_NUMERIC_TYPES = frozenset(
    {
        "double",
        "float",
        "decimal",
        "integer",
        "int",
        "long",
        "short",
        "biginteger",
        "count",
        "inclusivevaluerange",
        "exclusivevaluerange",
        "incremental",
    }
)


@dataclass
class _Plan:
    columns: tuple[str, ...]
    getter: Callable[[list[str]], tuple[str, ...]]
    fixes: list[tuple[int, Callable[[str], str]]]
    extra: tuple[str, ...]  # header columns that are no component and not the format's own


def read_sdmxcsv_data(
    stream: BinaryIO, resolve: StructureResolver, *, source: str = "message"
) -> Iterator[DatasetRows]:
    """Read an SDMX-CSV 1.0 or 2.0 data message into one `DatasetRows` per structure.

    `resolve` is asked once per structure the rows name; its NotFound propagates. Malformed
    input (unknown header, ragged rows, bad quoting or encoding, a field longer than the
    `csv` module's field limit, unknown actions) raises `Invalid` naming the row.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        try:
            first = text.readline()
        except UnicodeDecodeError as exc:
            raise _read_error(exc, 1) from exc
        header = read_header(first)
        reader = csv.reader(text, delimiter=header.delimiter, strict=True)
        cursor = _Cursor(reader, header)
        cursor.advance()
        seen: set[ArtefactRef] = set()
        while cursor.pending is not None:
            ref = cursor.ref_of(cursor.pending, cursor.number)
            if ref in seen:
                raise Invalid(
                    f"rows of {ref.kind}={ref.identity} resume after rows of another structure; "
                    "this reader needs the rows of each structure together",
                    where=f"row {cursor.number}",
                )
            seen.add(ref)
            try:
                structure = resolve(ref)
            except NotFound as exc:  # located at the first row naming it
                exc.where = exc.where or f"row {cursor.number}"
                raise
            plan = _plan(header, structure)
            action = "Information"
            if header.action_index is not None:
                code = _action_code(cursor.pending, header.action_index, cursor.number)
                action = ACTION_CODES.get(code, action)  # a bad code: BAD_ACTION, by row
            rows = cursor.run(ref, plan)
            yield DatasetRows(
                structure_ref=ref,
                structure=structure,
                action=action,
                columns=plan.columns,
                rows=rows,
                action_column=len(structure.columns) if header.action_index is not None else None,
                source=source,
                unknown_columns=plan.extra,
                given=tuple(c.id for c in header.components),
                sdmx_version="2.1" if header.version == "1.0" else "3.0",
            )
            for _ in rows:  # skip what the consumer left
                pass
    finally:
        if not text.closed:
            text.detach()


class _Cursor:
    """The csv reader with one row of lookahead: the first row of the next data set."""

    def __init__(self, reader: Iterator[list[str]], header: CsvHeader) -> None:
        self.reader = reader
        self.header = header
        self.pending: list[str] | None = None
        self.number = 1  # record number of `pending` (the header is 1)
        self._refs: dict[tuple[str, str], ArtefactRef] = {}

    def advance(self) -> None:
        """Move `pending` to the next non-blank record (None at the end)."""
        number = self.number
        try:
            for row in self.reader:
                number += 1
                if row:
                    self._check_width(row, number)
                    self.pending, self.number = row, number
                    return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _read_error(exc, number + 1) from exc
        self.pending, self.number = None, number

    def ref_of(self, row: list[str], number: int) -> ArtefactRef:
        kind_index = self.header.kind_index
        kind_cell = "dataflow" if kind_index is None else row[kind_index]
        id_cell = row[self.header.id_index]
        ref = self._refs.get((kind_cell, id_cell))
        if ref is None:
            ref = read_structure_ref(kind_cell, id_cell, number)
            self._refs[(kind_cell, id_cell)] = ref
        return ref

    def run(self, ref: ArtefactRef, plan: _Plan) -> Iterator[tuple]:
        """Rows from `pending` on while they belong to `ref`; leaves the next one pending."""
        header = self.header
        width = header.width
        kind_index = header.kind_index
        id_index = header.id_index
        action_index = header.action_index
        getter = plan.getter
        fixes = plan.fixes
        row = self.pending
        number = self.number
        assert row is not None
        current = (row[kind_index] if kind_index is not None else "", row[id_index])
        self.pending = None
        try:
            while True:
                values: list[str | int | None] = [v or None for v in getter(row + [""])]
                for position, fix in fixes:
                    value = values[position]
                    if isinstance(value, str):
                        values[position] = fix(value)
                if action_index is not None:
                    values.append(_action_code(row, action_index, number))
                values.append(number)
                yield tuple(values)
                while True:
                    number += 1
                    row = next(self.reader, None)
                    if row is None:
                        self.number = number
                        return
                    if row:
                        break
                if len(row) != width:
                    self._check_width(row, number)
                key = (row[kind_index] if kind_index is not None else "", row[id_index])
                if key != current:
                    if self.ref_of(row, number) != ref:
                        self.pending, self.number = row, number
                        return
                    current = key
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _read_error(exc, number) from exc

    def _check_width(self, row: list[str], number: int) -> None:
        if len(row) != self.header.width:
            raise Invalid(
                f"row {number} has {len(row)} fields where the header has {self.header.width}",
                where=f"row {number}",
            )


def _read_error(exc: csv.Error | UnicodeDecodeError, number: int) -> Invalid:
    if isinstance(exc, UnicodeDecodeError):
        return Invalid(f"the SDMX-CSV message is not UTF-8: {exc.reason}", where=f"row {number}")
    return Invalid(f"row {number} is not valid CSV: {exc}", where=f"row {number}")


def _action_code(row: list[str], index: int, number: int) -> str:
    """The row's ACTION code ('I' when empty). A value that is no SDMX action is passed on
    as it is: the row rules report it (BAD_ACTION) and read on, as for any other value."""
    code = row[index]
    return code if code else "I"


def _plan(header: CsvHeader, structure: StructureInfo) -> _Plan:
    """Where each column of `structure` is in a record, and what to do to its cells."""
    missing = header.width  # index of the "" appended to every record
    by_id = {column.id: column for column in header.components}
    dimension_ids = {c.id for c in structure.dimensions}
    if structure.time_dimension is not None:
        dimension_ids.add(structure.time_dimension.id)
    name_columns = set()
    if header.labels_name:
        name_columns = {c.index + 1 for c in header.components if structure.component(c.id)}
    sources: list[int] = []
    fixes: list[tuple[int, Callable[[str], str]]] = []
    for position, component_id in enumerate(structure.columns):
        column = by_id.get(component_id)
        if column is None or column.index in name_columns:
            sources.append(missing)
            continue
        sources.append(column.index)
        component = structure.component(component_id)
        assert component is not None
        coded = component_id in dimension_ids or component.codes is not None
        coded = coded or component.codelist is not None
        fix = _fix_for(header, column, coded and header.labels_both)
        if fix is None and component.role == "measure" and header.delimiter == ";":
            if component.text_type is None or component.text_type.lower() in _NUMERIC_TYPES:
                fix = _decimal_point
        if fix is not None:
            fixes.append((position, fix))
    extra = _extra_columns(header, structure)
    if extra:
        logger.debug("SDMX-CSV columns ignored for %s: %s", structure.dsd, extra)
    columns = structure.columns
    if header.action_index is not None:
        columns = columns + ("ACTION",)
    getter = itemgetter(*sources) if len(sources) > 1 else _single(sources[0])
    return _Plan(columns, getter, fixes, extra)


def _extra_columns(header: CsvHeader, structure: StructureInfo) -> tuple[str, ...]:
    """The header's columns that are neither a component of `structure` nor a column of the
    format, in header order: in SDMX-CSV 1.0, all but DATAFLOW, the components and the
    series key, action and validity columns; none in SDMX-CSV 2.0, which allows custom
    columns (field guide, "Columns": "any other custom columns")."""
    if header.version != "1.0":
        return ()
    extra = [
        (c.index, c.id)
        for c in header.components
        if structure.component(c.id) is None and c.id not in OWN_COLUMNS_10
    ]
    extra += header.other
    return tuple(text for _, text in sorted(extra))


def _single(index: int) -> Callable[[list[str]], tuple[str, ...]]:
    def get(row: list[str]) -> tuple[str, ...]:
        return (row[index],)

    return get


def _fix_for(
    header: CsvHeader, column: ComponentColumn, strip_labels: bool
) -> Callable[[str], str] | None:
    sub = header.sub_delimiter
    if column.languages:
        return lambda value: _recode_languages(value, sub)
    if column.multi:
        if strip_labels:
            return lambda value: join_values(_id_of(v) for v in split_values(value, sub))
        return lambda value: join_values(split_values(value, sub))
    if strip_labels:
        return _id_of
    return None


def _id_of(value: str) -> str:
    """The id of an `ID: Name` cell (labels=both)."""
    return value.partition(LABEL)[0]


def _decimal_point(value: str) -> str:
    if _DECIMAL_COMMA.fullmatch(value):
        return value.replace(",", ".")
    return value


def _recode_languages(value: str, sub: str) -> str:
    """`en:Text;fr:Texte` (one text) or `"en:A;fr:B";"en:C"` (several) in the row encoding."""
    parts = split_values(value, sub)
    if all(_LANGUAGE_PART.match(part) and sub not in part for part in parts):
        return join_values(parts)
    return join_values(join_values(split_values(part, sub)) for part in parts)
