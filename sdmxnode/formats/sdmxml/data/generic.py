"""Rows of SDMX-ML 2.1 generic data sets (GenericData and GenericTimeSeriesData).

Components are `Value id= value=` elements under `SeriesKey`, `GroupKey`, `ObsKey` and
`Attributes`; the observation has `ObsDimension` (id defaults to the dimension at
observation) and `ObsValue` (id defaults to the primary measure), SDMX-ML 2.1 section 3.2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from lxml import etree

from sdmxnode.formats.sdmxml.data.dataset import (
    DataSetContext,
    DataSetSyntax,
    Row,
    read_dataset_rows,
)
from sdmxnode.formats.sdmxml.data.parse import ElementStream

GENERIC = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
OBS = f"{{{GENERIC}}}Obs"
SERIES = f"{{{GENERIC}}}Series"
GROUP = f"{{{GENERIC}}}Group"
TAGS = (GROUP, SERIES, OBS)
_SERIES_KEY = f"{{{GENERIC}}}SeriesKey"
_GROUP_KEY = f"{{{GENERIC}}}GroupKey"
_OBS_KEY = f"{{{GENERIC}}}ObsKey"
_ATTRIBUTES = f"{{{GENERIC}}}Attributes"
_OBS_DIMENSION = f"{{{GENERIC}}}ObsDimension"
_OBS_VALUE = f"{{{GENERIC}}}ObsValue"
_KEY_TAGS = frozenset({_SERIES_KEY, _GROUP_KEY, _OBS_KEY, _ATTRIBUTES})


def _read_values(context: DataSetContext, row: Row, values: etree._Element) -> bool:
    """Copy `Value id= value=` children into `row`; True if there were any."""
    found = False
    for value in values:
        if isinstance(value.tag, str):
            row[context.column(value.get("id") or "", value)] = value.get("value")
            found = True
    return found


def read_dataset_values(context: DataSetContext) -> None:
    """Fill `context.base` from the data set's `Attributes`."""
    for child in context.element:
        if child.tag == _ATTRIBUTES:
            _read_values(context, context.base, child)


def _series_base(context: DataSetContext, series: etree._Element) -> tuple[Row, bool]:
    row = context.base.copy()
    own = False
    for child in series:
        tag = child.tag
        if tag == _SERIES_KEY:
            _read_values(context, row, child)
        elif tag == _ATTRIBUTES:
            own = _read_values(context, row, child) or own
        elif tag == OBS:
            break
    if context.series_groups and context.apply_groups(row, context.series_groups):
        own = True
    return row, own


def _read_group(context: DataSetContext, group: etree._Element) -> None:
    key_row: Row = [None] * context.width
    values_row: Row = [None] * context.width
    for child in group:
        if child.tag == _GROUP_KEY:
            _read_values(context, key_row, child)
        elif child.tag == _ATTRIBUTES:
            _read_values(context, values_row, child)
    key = {i: v for i, v in enumerate(key_row) if v is not None}
    context.add_group(key, [(i, v) for i, v in enumerate(values_row) if v is not None])


def _read_obs(context: DataSetContext, row: Row, obs: etree._Element) -> None:
    for child in obs:
        tag = child.tag
        if tag == _OBS_DIMENSION:
            component = child.get("id")
            if component is None:
                position = context.obs_dimension_index
                if position is None:
                    position = context.column(context.dimension_at_observation, child)
            else:
                position = context.column(component, child)
            row[position] = child.get("value")
        elif tag == _OBS_VALUE:
            component = child.get("id")
            if component is None:
                position = context.primary_measure_index(child)
            else:
                position = context.column(component, child)
            row[position] = child.get("value")
        elif tag in _KEY_TAGS:
            _read_values(context, row, child)


def read_generic_rows(context: DataSetContext, elements: ElementStream) -> Iterator[tuple]:
    """Yield the rows of one data set; stop (putting it back) at another data set's element."""
    return read_dataset_rows(context, elements, _SYNTAX)


def _obs_reader(context: DataSetContext) -> Callable[[Row, etree._Element], None]:
    return partial(_read_obs, context)


_SYNTAX = DataSetSyntax(OBS, SERIES, _obs_reader, _series_base, _read_group)
