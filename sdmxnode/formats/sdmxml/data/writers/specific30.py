"""Streaming writer of SDMX-ML 3.0 and 3.1 structure-specific data messages.

Follows SDMX 3.0 section 3A/3B: as in 2.1, components are XML attributes of DataSet, Series
and Obs named after their ids (multi-valued attributes, written as `Comp` elements, do not
occur in the row stream); the header references the structure by URN and the data set's
`xsi:type` is the `DataSetType` of the namespace `write_dsd_schema(version="3.0")` generates.
SDMX-ML 3.1 is the same message in the v3_1 namespaces, with 3.1's actions (`action_for`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from itertools import chain

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult
from sdmxnode.formats.sdmxml.data.series import write_body
from sdmxnode.formats.sdmxml.data.writers.layout import MessageLayout, plan_layout
from sdmxnode.formats.sdmxml.data.writers.specific21 import dataset_attributes_xml
from sdmxnode.formats.sdmxml.data.writers.stream import (
    Chunks,
    action_for,
    data_provider_xml,
    escape,
    write_message,
)


def write_structure_specific_30(
    result: DataResult, header: MessageHeader, version: str = "3.0"
) -> Iterator[bytes]:
    """Yield an SDMX-ML 3.0 (or `version` 3.1) StructureSpecificData message in chunks.

    `result` and the data sets `following` it are written as one mes:DataSet each.
    """
    layout = plan_layout(result)
    yield from write_message(
        version, "StructureSpecificData", header, result, layout, partial(_write_data_set, version)
    )


def _write_data_set(
    version: str, result: DataResult, layout: MessageLayout, sid: str, chunks: Chunks
) -> Iterator[bytes]:
    """One mes:DataSet with its own action and data set attributes."""
    rows = iter(result.rows)
    first = next(rows, None)
    valid = f' ss:validFromDate="{escape(result.valid_from)}"' if result.valid_from else ""
    chunks.append(
        f'<mes:DataSet ss:structureRef="{sid}" xsi:type="ns1:DataSetType" '
        f'ss:action="{action_for(version, result.action)}"{valid}'
        f"{dataset_attributes_xml(result, layout, first)}>" + data_provider_xml(version, result)
    )
    if first is not None:
        yield from write_body(chain((first,), rows), layout, chunks, series_only=result.series_only)
    chunks.append("</mes:DataSet>")
