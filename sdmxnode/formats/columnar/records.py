"""The columns of a Parquet or Arrow answer built from a batch of stored records at once.

A batch of records (`StoredRecords`) is transposed once; each stored column becomes one
Arrow array, from which `pyarrow.compute` derives the output columns: the series key split
on '.' into the dimensions, the attribute strings on their separator, the measure cast to
a float, the names looked up in one array of the code list's names. Keys and attribute
strings repeat from row to row (a series' observations share them), so they are split once
per distinct value (a dictionary array) and taken back to the rows. The values equal those
the row stream gives (`services.data.queries._row_builder`) and the row writer converts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sdmxnode.formats.rows import Component, DataResult, StoredRecords

__all__ = ["RecordColumns"]

#: Positions of a stored record's items (`StoredRecords`).
_KEY, _SERIES_ATTRIBUTES, _PERIOD, _VALUE, _OBSERVATION_ATTRIBUTES = range(5)


class RecordColumns:
    """How each column of the answer after the lead ones (`writers._Layout`'s order) comes
    from a batch of stored records."""

    def __init__(self, result: DataResult, records: StoredRecords, labels: str) -> None:
        from sdmxnode.formats.columnar.writers import is_numeric_measure

        #: per output column: (raw column of the batch, convert, name of its codes or None)
        self.columns: list[tuple[Callable[[_Batch], Any], str, Any]] = []
        for column in result.columns:
            component = result.structure.component(column) or Component(column, "attribute")
            fixed = (
                result.dataset_attributes.get(column) if component.attachment == "dataset" else None
            )
            raw = _source(records, column)
            if is_numeric_measure(component):
                self.columns.append((raw, "number", None))
            else:
                self.columns.append((raw, "text", fixed))
            if labels == "name":
                self.columns.append((raw, "name", _name_lookup(result, component)))

    def arrays(self, records: Sequence[tuple], types: Sequence[Any]) -> list[Any]:
        """The arrays of the answer's columns (after the lead ones) for one batch, of the
        Arrow `types` the layout gives them."""
        import pyarrow as pa
        import pyarrow.compute as pc

        batch = _Batch(records)
        out = []
        for (raw, how, extra), arrow_type in zip(self.columns, types, strict=True):
            values = raw(batch)
            if how == "number":
                values = _numbers(values)
            elif how == "text":
                if extra is not None:
                    values = pc.fill_null(values, pa.scalar(extra, pa.string()))
            elif extra == "same":
                pass  # the time dimension's name cell is its period
            elif extra is None:
                values = pa.nulls(len(batch), pa.string())
            else:
                codes, names = extra
                values = names.take(pc.index_in(values, value_set=codes))
            out.append(values.cast(arrow_type) if values.type != arrow_type else values)
        return out


class _Batch:
    """One batch of records: its stored columns as Arrow arrays, each built once, and the
    split of the key and of the attribute strings, each made once."""

    def __init__(self, records: Sequence[tuple]) -> None:
        import pyarrow as pa

        self.count = len(records)
        self._arrays: dict[Any, Any] = {}
        # The records as one array of structs, read by Arrow from the tuples in one pass
        # (measured: about twice as fast as transposing them with zip(*records) and
        # building an array per column); records that are not tuples are transposed.
        width = len(records[0]) if records else 0
        shape = pa.struct([(str(i), pa.string()) for i in range(width)])
        if records and isinstance(records[0], tuple):
            self._columns: list[Any] = pa.array(records, shape).flatten()
        else:
            self._columns = [pa.array(c, pa.string()) for c in zip(*records, strict=True)]

    def __len__(self) -> int:
        return self.count

    def column(self, index: int) -> Any:
        """The stored column `index` as a string array."""
        return self._columns[index]

    def part(self, index: int, separator: str, position: int, width: int) -> Any:
        """Item `position` of the stored column `index` split on `separator` into `width`
        items (at most), '' as null (a missing value)."""
        key = (index, separator, width)
        if key not in self._arrays:
            self._arrays[key] = _split(self.column(index), separator, width)
        indices, parts = self._arrays[key]
        return _empty_as_null(parts[position]).take(indices)


def _split(values: Any, separator: str, width: int) -> tuple[Any, list[Any]]:
    """The distinct values of a string array split on `separator` (at most `width` items,
    the last keeping any further separators; '' and null: no items), and the indices that
    take them back to the rows."""
    import pyarrow.compute as pc

    encoded = values.dictionary_encode()
    distinct = _empty_as_null(encoded.dictionary)
    split = pc.split_pattern(distinct, separator, max_splits=max(width - 1, 0))
    return encoded.indices, [pc.list_element(split, i) for i in range(width)]


def _empty_as_null(values: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)


def _source(records: StoredRecords, column: str) -> Callable[[_Batch], Any]:
    """Where an output column's raw values come from in a batch (as the row builder)."""
    import pyarrow as pa

    separator = records.separator
    if column in records.dimensions:
        position, width = records.dimensions.index(column), len(records.dimensions)
        return lambda batch: batch.part(_KEY, ".", position, width)
    if column == records.time_dimension:
        return lambda batch: batch.column(_PERIOD)
    if column in records.measures:  # one measure: the value as stored
        return lambda batch: batch.column(_VALUE)
    if column in records.series_attributes:
        position, width = records.series_attributes.index(column), len(records.series_attributes)
        return lambda batch: batch.part(_SERIES_ATTRIBUTES, separator, position, width)
    if column in records.observation_attributes:
        position = records.observation_attributes.index(column)
        width = len(records.observation_attributes)
        return lambda batch: batch.part(_OBSERVATION_ATTRIBUTES, separator, position, width)
    return lambda batch: pa.nulls(len(batch), pa.string())


def _numbers(values: Any) -> Any:
    """A measure's values as floats, as `writers.measure_number` makes them: '' and null
    null, a value that is no number NaN (Arrow's parse, else Python's per value)."""
    import pyarrow as pa

    from sdmxnode.formats.columnar.writers import measure_number

    present = _empty_as_null(values)
    try:
        return present.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array(map(measure_number, values.to_pylist()), pa.float64())


def _name_lookup(result: DataResult, component: Component) -> Any:
    """How a component's name cell is found: "same" (the time dimension: its period), None
    (not coded: nothing), else (codes, names) arrays for a lookup."""
    import pyarrow as pa

    if component.role == "time":
        return "same"
    if component.codes is None and component.codelist is None:
        return None
    codes = result.labels.codes.get(component.id, {}) if result.labels else {}
    return (
        pa.array(list(codes), pa.string()),
        pa.array(list(codes.values()), pa.string()),
    )
