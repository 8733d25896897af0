"""Columnar downloads for analysts: Apache Parquet and Arrow IPC streams of a data answer.

Not SDMX formats: the SDMX-CSV 2.0 layout in columns (`STRUCTURE`, `STRUCTURE_ID`, `ACTION`,
then the components in DSD order, named by their ids; with `labels=name` a column of the
code's name after each coded component, named by the component's name, as SDMX-CSV 2.0's
`labels=name` does: a `STRUCTURE_NAME` column, and after each component a column named by the
component's name holding the code's name, the period for the time dimension, else nothing),
codes as strings and numeric measures as 64-bit floats. Rows are
gathered in groups of `GROUP_ROWS` and written as one Parquet row group or one Arrow record
batch each, so an answer streams with memory bounded by one group.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from typing import Any

from sdmxnode.errors import SemanticError
from sdmxnode.formats.rows import Component, DataResult, StoredRecords
from sdmxnode.formats.writing import (
    ACTION_LETTERS,
    check_choice,
    component_name,
    message_data_sets,
    structure_id,
    structure_name,
)

__all__ = ["GROUP_ROWS", "is_numeric_measure", "measure_number", "write_arrow", "write_parquet"]

GROUP_ROWS = 65_536

#: SDMX text types whose values are numbers (SDMX 2.1 section 3 / 3.0 section 2, DataType).
_NUMERIC = frozenset(
    {
        "Double",
        "Float",
        "Decimal",
        "Integer",
        "Long",
        "Short",
        "BigInteger",
        "Count",
        "InclusiveValueRange",
        "ExclusiveValueRange",
        "Incremental",
    }
)
_STRUCTURE_KIND = {"dataflow": "dataflow", "datastructure": "datastructure"}


def is_numeric_measure(component: Component) -> bool:
    """Whether a component is a measure whose values are numbers (written as such)."""
    return (
        component.role == "measure"
        and component.codes is None
        and (component.text_type is None or component.text_type in _NUMERIC)
    )


def measure_number(value: str | None) -> float | None:
    """A measure value as a float; None for an absent one, NaN for SDMX's missing 'NaN'."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return math.nan


class _Layout:
    """Column names, Arrow types and how each column's values come from a row."""

    def __init__(self, result: DataResult, labels: str) -> None:
        import pyarrow as pa

        self.names: list[str] = ["STRUCTURE", "STRUCTURE_ID"]
        if labels == "name":
            self.names.append("STRUCTURE_NAME")
        self.names.append("ACTION")
        self.lead = len(self.names)
        self.types: list[Any] = [pa.string()] * self.lead
        #: per output column after the lead ones: (row index, convert)
        self.columns: list[tuple[int, Callable[[Any], Any] | None]] = []
        taken = set(self.names)
        for index, column in enumerate(result.columns):
            component = result.structure.component(column) or Component(column, "attribute")
            number = is_numeric_measure(component)
            self.names.append(column)
            self.types.append(pa.float64() if number else pa.string())
            fixed = (
                result.dataset_attributes.get(column) if component.attachment == "dataset" else None
            )
            self.columns.append((index, measure_number if number else _filled(fixed)))
            taken.add(column)
            if labels == "name":
                name = component_name(result.labels, column)
                while name in taken:  # Parquet columns need unique names
                    name = f"{name} ({column})"
                taken.add(name)
                self.names.append(name)
                self.types.append(pa.string())
                self.columns.append((index, self._name_of(result, component)))

    @staticmethod
    def _name_of(result: DataResult, component: Component) -> Callable[[Any], Any]:
        """The name cell of a component (SDMX-CSV 2.0 `labels=name`)."""
        if component.role == "time":
            return lambda value: value
        if component.codes is None and component.codelist is None:
            return lambda value: None
        return _names(result.labels.codes.get(component.id, {}) if result.labels else {})

    def schema(self) -> Any:
        import pyarrow as pa

        return pa.schema(list(zip(self.names, self.types, strict=True)))

    def batch(self, rows: list[tuple], lead: tuple[str, ...]) -> Any:
        """One record batch of `rows`, each column built from the rows' values at once."""
        values = list(zip(*rows, strict=False)) if rows else []
        arrays = []
        for (index, convert), arrow_type in zip(self.columns, self.types[self.lead :], strict=True):
            column = values[index] if values else ()
            data = column if convert is None else tuple(map(convert, column))
            arrays.append(_array(data, arrow_type))
        return self.assembled(len(rows), lead, arrays)

    def assembled(self, count: int, lead: tuple[str, ...], arrays: list[Any]) -> Any:
        """One record batch of `count` rows: the `lead` columns (one value each), `arrays`."""
        import pyarrow as pa

        repeated = [pa.repeat(pa.scalar(part, pa.string()), count) for part in lead]
        return pa.RecordBatch.from_arrays(repeated + arrays, schema=self.schema())


def _array(values: tuple, arrow_type: Any) -> Any:
    """An Arrow array of `values` (a column no row fills: nulls, made at once)."""
    import pyarrow as pa

    count = len(values)
    if values.count(None) == count:
        return pa.nulls(count, arrow_type)
    return pa.array(values, arrow_type)


def _filled(fixed: str | None) -> Callable[[Any], Any] | None:
    """Cells of a data-set attribute: its data-set value where a row leaves it empty."""
    if fixed is None:
        return None
    return lambda value: fixed if value is None else value


def _names(codes: Any) -> Callable[[Any], Any]:
    return lambda value: codes.get(value) if value is not None else None


def _batches(result: DataResult, layout: _Layout, labels: str) -> Iterator[Any]:
    """The record batches of every data set of the message, GROUP_ROWS rows each."""
    named = (structure_name(result.labels, structure_id(result)),) if labels == "name" else ()
    for data_set in message_data_sets(result):
        agreement = data_set.provider.agreement if data_set.provider else None
        lead = (
            ("dataprovision", agreement.identity)
            if agreement is not None
            else (_STRUCTURE_KIND.get(result.structure_ref.kind, "dataflow"), structure_id(result))
        )
        action = ACTION_LETTERS.get(data_set.action) or ACTION_LETTERS["Information"]
        if data_set.records is not None:
            yield from _record_batches(
                data_set, data_set.records, layout, labels, (*lead, *named, action)
            )
            continue
        group: list[tuple] = []
        for row in data_set.rows:
            group.append(row)
            if len(group) == GROUP_ROWS:
                yield layout.batch(group, (*lead, *named, action))
                group = []
        if group:
            yield layout.batch(group, (*lead, *named, action))


def _record_batches(
    data_set: DataResult,
    records: StoredRecords,
    layout: _Layout,
    labels: str,
    lead: tuple[str, ...],
) -> Iterator[Any]:
    """The record batches of a data set built from its stored records, GROUP_ROWS a batch,
    each column at once (`records.RecordColumns`), never a row tuple: what the row stream
    of the data set would give."""
    from sdmxnode.formats.columnar.records import RecordColumns

    if data_set.release is not None:
        data_set.release()  # the row stream is not read: its connection goes back now
    columns = RecordColumns(data_set, records, labels)
    types = layout.types[layout.lead :]
    for batch in records.batches(GROUP_ROWS):
        yield layout.assembled(len(batch), lead, columns.arrays(batch, types))


class _Sink(io.RawIOBase):
    """A write-only byte sink whose content is taken out as it grows."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def _written(
    result: DataResult, labels: str, open_writer: Callable[[Any, Any], Any], name: str
) -> Iterator[bytes]:
    """The bytes a pyarrow writer (`open_writer(file, schema)`) makes of the answer, taken
    out of the sink after the schema and after each record batch."""
    import pyarrow as pa

    check_choice("labels", labels, ("id", "name"))
    layout = _Layout(result, labels)
    sink = _Sink()
    writer = None
    try:
        writer = open_writer(pa.PythonFile(sink, mode="w"), layout.schema())
        yield sink.take()
        for batch in _batches(result, layout, labels):
            writer.write_batch(batch)
            yield sink.take()
    except pa.ArrowException as exc:
        raise SemanticError(f"the data cannot be written as {name}: {exc}") from exc
    finally:
        if writer is not None:
            writer.close()
    yield sink.take()


def write_parquet(result: DataResult, *, labels: str = "id") -> Iterator[bytes]:
    """The answer as one Apache Parquet file, a row group per GROUP_ROWS rows."""
    import pyarrow.parquet as pq

    return _written(result, labels, pq.ParquetWriter, "Parquet")


def write_arrow(result: DataResult, *, labels: str = "id") -> Iterator[bytes]:
    """The answer as an Arrow IPC stream, a record batch per GROUP_ROWS rows."""
    import pyarrow as pa

    return _written(result, labels, pa.ipc.new_stream, "Arrow")
