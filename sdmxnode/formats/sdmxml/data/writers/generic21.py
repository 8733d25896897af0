"""Streaming writer of SDMX-ML 2.1 generic data messages (GenericData, GenericTimeSeriesData).

Follows SDMX 2.1 section 3A, SDMXDataGeneric.xsd: a series is a `SeriesKey` and optional
`Attributes` of `Value id/value` pairs, each observation an `ObsDimension`, `ObsValue` and
`Attributes`; with `AllDimensions` observations carry an `ObsKey` of all dimensions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from itertools import chain

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult
from sdmxnode.formats.sdmxml.data.series import series_key_getter
from sdmxnode.formats.sdmxml.data.writers.layout import MessageLayout
from sdmxnode.formats.sdmxml.data.writers.specific21 import dataset_values
from sdmxnode.formats.sdmxml.data.writers.stream import (
    Chunks,
    action_for,
    data_provider_xml,
    escape,
    escaped,
    plan_message_layout,
    text,
    write_message,
)

log = logging.getLogger(__name__)

_Fields = tuple[tuple[str, int], ...]


def write_generic_21(
    result: DataResult, header: MessageHeader, *, time_series: bool = False
) -> Iterator[bytes]:
    """Yield an SDMX-ML 2.1 GenericData (or GenericTimeSeriesData) message in chunks.

    `result` and the data sets `following` it are written as one mes:DataSet each.
    """
    root = "GenericTimeSeriesData" if time_series else "GenericData"
    layout = plan_message_layout(result, root)
    if len(layout.measures) > 1:
        log.warning("SDMX-ML 2.1 generic data carry one measure; writing %s", layout.measures[0][0])
    yield from write_message("2.1", root, header, result, layout, _write_data_set)


def _write_data_set(
    result: DataResult, layout: MessageLayout, sid: str, chunks: Chunks
) -> Iterator[bytes]:
    """One mes:DataSet with its own action and data set attributes."""
    rows = iter(result.rows)
    first = next(rows, None)
    valid = f' validFromDate="{escape(result.valid_from)}"' if result.valid_from else ""
    chunks.append(
        f'<mes:DataSet structureRef="{sid}" action="{action_for("2.1", result.action)}"{valid}>'
        + data_provider_xml("2.1", result, "gen:")
    )
    dataset = dataset_values(result, layout, first)
    if dataset:
        values = "".join(
            f'<gen:Value id="{escape(k)}" value="{escaped(v)}"/>' for k, v in dataset.items()
        )
        chunks.append(f"<gen:Attributes>{values}</gen:Attributes>")
    if first is not None:
        yield from _write_body(
            chain((first,), rows), layout, chunks, series_only=result.series_only
        )
    chunks.append("</mes:DataSet>")


def _values_fields(places: _Fields) -> _Fields:
    return tuple((f'<gen:Value id="{name}" value="', index) for name, index in places)


def _values(fields: _Fields, row: tuple) -> str:
    out = ""
    for prefix, index in fields:
        value = row[index]
        if value is not None:
            out += prefix + escape(value if value.__class__ is str else text(value)) + '"/>'
    return out


# C901 allowed: the loop over every observation the generic writer writes, kept in one function
# (a function call per row costs more than the branches it would hide).
def _write_body(  # noqa: C901
    rows: Iterable[tuple], layout: MessageLayout, chunks: Chunks, *, series_only: bool
) -> Iterator[bytes]:
    append = chunks.append
    esc = escape
    to_text = text
    attribute_fields = _values_fields(layout.observation_attributes)
    measure = layout.measures[0][1] if layout.measures else None
    if layout.flat:
        if series_only:
            return
        key_fields = _values_fields(layout.observation_key)
        key_indices = [index for _, index in layout.observation_key]
        for row in rows:
            if None in [row[i] for i in key_indices]:
                continue
            obs = "<gen:Obs><gen:ObsKey>" + _values(key_fields, row) + "</gen:ObsKey>"
            if measure is not None and (value := row[measure]) is not None:
                value = esc(value if value.__class__ is str else to_text(value))
                obs += '<gen:ObsValue value="' + value + '"/>'
            attributes = _values(attribute_fields, row)
            if attributes:
                obs += "<gen:Attributes>" + attributes + "</gen:Attributes>"
            append(obs + "</gen:Obs>")
            if len(chunks.parts) >= chunks.limit:
                yield chunks.take()
        return

    series_key = series_key_getter(layout)
    key_fields = _values_fields(layout.series_key)
    series_fields = _values_fields(layout.series_attributes)
    obs_name, obs_index = layout.observation_key[0]
    obs_prefix = f'<gen:Obs><gen:ObsDimension id="{obs_name}" value="'
    previous: object = _NOTHING
    for row in rows:
        key = series_key(row)
        if key != previous:
            if previous is not _NOTHING:
                append("</gen:Series>")
            previous = key
            series = "<gen:Series><gen:SeriesKey>" + _values(key_fields, row) + "</gen:SeriesKey>"
            attributes = _values(series_fields, row)
            if attributes:
                series += "<gen:Attributes>" + attributes + "</gen:Attributes>"
            append(series)
            if len(chunks.parts) >= chunks.limit:
                yield chunks.take()
        if series_only or (value := row[obs_index]) is None:
            continue
        obs = obs_prefix + esc(value if value.__class__ is str else to_text(value)) + '"/>'
        if measure is not None and (value := row[measure]) is not None:
            obs += '<gen:ObsValue value="' + esc(
                value if value.__class__ is str else to_text(value)
            )
            obs += '"/>'
        attributes = _values(attribute_fields, row)
        if attributes:
            obs += "<gen:Attributes>" + attributes + "</gen:Attributes>"
        append(obs + "</gen:Obs>")
        if len(chunks.parts) >= chunks.limit:
            yield chunks.take()
    if previous is not _NOTHING:
        append("</gen:Series>")


class _Nothing:
    """A series key no row has."""


_NOTHING = _Nothing()
