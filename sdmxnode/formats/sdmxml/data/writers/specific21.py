"""Streaming writer of SDMX-ML 2.1 structure-specific data messages (and the time-series one).

Follows SDMX 2.1 section 3A ("StructureSpecificData", "StructureSpecificTimeSeriesData") and
3B (DSD-specific schemas): the header's mes:Structure carries `namespace` and
`dimensionAtObservation`; the data set's `xsi:type` is the `DataSetType` of the namespace
that `write_dsd_schema` generates for the same structure and dimension.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult
from sdmxnode.formats.sdmxml.data.series import write_body
from sdmxnode.formats.sdmxml.data.writers.layout import MessageLayout
from sdmxnode.formats.sdmxml.data.writers.stream import (
    Chunks,
    action_for,
    data_provider_xml,
    escape,
    escaped,
    plan_message_layout,
    write_message,
)

#: dataScope of the data set: the generated schemas are those of the DSD (not constrained).
DATA_SCOPE = "DataStructure"


def write_structure_specific_21(
    result: DataResult, header: MessageHeader, *, time_series: bool = False
) -> Iterator[bytes]:
    """Yield an SDMX-ML 2.1 StructureSpecificData (or ...TimeSeriesData) message in chunks.

    `result` and the data sets `following` it are written as one mes:DataSet each.
    """
    root = "StructureSpecificTimeSeriesData" if time_series else "StructureSpecificData"
    layout = plan_message_layout(result, root)
    yield from write_message("2.1", root, header, result, layout, _write_data_set)


def _write_data_set(
    result: DataResult, layout: MessageLayout, sid: str, chunks: Chunks
) -> Iterator[bytes]:
    """One mes:DataSet with its own action and data set attributes."""
    rows = iter(result.rows)
    first = next(rows, None)
    chunks.append(
        f'<mes:DataSet ss:structureRef="{sid}" xsi:type="ns1:DataSetType" '
        f'ss:dataScope="{DATA_SCOPE}" ss:action="{action_for("2.1", result.action)}"'
        f"{valid_from(result)}{dataset_attributes_xml(result, layout, first)}>"
        + data_provider_xml("2.1", result)
    )
    if first is not None:
        yield from write_body(chain((first,), rows), layout, chunks, series_only=result.series_only)
    chunks.append("</mes:DataSet>")


def valid_from(result: DataResult) -> str:
    """The ss:validFromDate attribute of a data set with a validity date, else ""."""
    if not result.valid_from:
        return ""
    return f' ss:validFromDate="{escape(result.valid_from)}"'


def dataset_values(
    result: DataResult, layout: MessageLayout, first: tuple | None
) -> dict[str, object]:
    """Data set attribute values: `dataset_attributes`, else the first row's cells."""
    given = result.dataset_attributes.items()
    values: dict[str, object] = {k: v for k, v in given if v is not None}
    if first is not None:
        for name, index in layout.dataset_attributes:
            if name not in values and first[index] is not None:
                values[name] = first[index]
    return values


def dataset_attributes_xml(result: DataResult, layout: MessageLayout, first: tuple | None) -> str:
    """The data set's attributes as XML attributes of the DataSet element."""
    values = dataset_values(result, layout, first)
    return "".join(f' {name}="{escaped(value)}"' for name, value in values.items())
