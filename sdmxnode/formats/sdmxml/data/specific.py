"""Rows of SDMX-ML structure-specific data sets (2.1, 2.1 time series, 3.0).

Components are XML attributes of `DataSet`, `Group`, `Series` and `Obs` named by their id
(SDMX-ML 2.1 section 3.3, SDMX-ML 3.0 section 3.3); SDMX 3.0 complex values are `Comp`
children with one `Value` per value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import MAX_ATTRIBUTES
from sdmxnode.formats.sdmxml.data.dataset import (
    DataSetContext,
    DataSetSyntax,
    Row,
    read_dataset_rows,
)
from sdmxnode.formats.sdmxml.data.parse import ElementStream

OBS = "Obs"
SERIES = "Series"
GROUP = "Group"
TAGS = (GROUP, SERIES, OBS)
#: lxml's items() costs time quadratic in the number of attributes (each value is looked
#: up by name): 200,000 attributes would take minutes, so elements over MAX_ATTRIBUTES
#: are refused.

#: XML attributes of a structure-specific DataSet that are not components (BaseDataSetType).
DATASET_XML_ATTRIBUTES = frozenset(
    {
        "setID",
        "action",
        "reportingBeginDate",
        "reportingEndDate",
        "validFromDate",
        "validToDate",
        "publicationYear",
        "publicationPeriod",
        "dataScope",
        "structureRef",
    }
)


def read_dataset_values(context: DataSetContext) -> None:
    """Fill `context.base` from the DataSet's own attributes (and 3.0 `Comp` children)."""
    element = context.element
    base = context.base
    for key, value in _attributes(element):
        if key[0] != "{" and key not in DATASET_XML_ATTRIBUTES:
            base[context.column(key, element)] = value
    if context.complex_values:
        context.add_comp_values(base, element)


def _series_base(context: DataSetContext, series: etree._Element) -> tuple[Row, bool]:
    """The values every row of `series` starts from, and whether it has attributes."""
    row = context.base.copy()
    own = False
    index_get = context.index.get
    attributes = context.attribute_indexes
    for key, value in _attributes(series):
        position = index_get(key)
        if position is None:
            context.set_xml_attribute(row, key, value, series, at_obs=False)
        else:
            row[position] = value
            own = own or position in attributes
    if context.complex_values and context.add_comp_values(row, series):
        own = True
    if context.series_groups and context.apply_groups(row, context.series_groups):
        own = True
    return row, own


def _read_group(context: DataSetContext, group: etree._Element) -> None:
    key: dict[int, str] = {}
    values: list[tuple[int, str]] = []
    dimensions = context.dimension_indexes
    for name, value in _attributes(group):
        if name[0] == "{":
            continue  # xsi:type names the group
        position = context.column(name, group)
        if position in dimensions:
            key[position] = value
        else:
            values.append((position, value))
    if context.complex_values:
        row: Row = [None] * context.width
        context.add_comp_values(row, group)
        values.extend((i, v) for i, v in enumerate(row) if v is not None)
    context.add_group(key, values)


def read_specific_rows(context: DataSetContext, elements: ElementStream) -> Iterator[tuple]:
    """Yield the rows of one data set; stop (putting it back) at another data set's element."""
    return read_dataset_rows(context, elements, _SYNTAX)


def _obs_reader(context: DataSetContext) -> Callable[[Row, etree._Element], None]:
    """Components are the Obs element's XML attributes (and 3.0 `Comp` children)."""
    index_get = context.index.get
    complex_values = context.complex_values

    def read_obs(row: Row, obs: etree._Element) -> None:
        for key, value in _attributes(obs):
            position = index_get(key)
            if position is None:
                context.set_xml_attribute(row, key, value, obs, at_obs=True)
            else:
                row[position] = value
        if complex_values and len(obs):
            context.add_comp_values(row, obs)

    return read_obs


def _attributes(element: etree._Element) -> list[tuple[str, str]]:
    """The element's (name, value) pairs; Invalid past MAX_ATTRIBUTES."""
    if len(element.attrib) > MAX_ATTRIBUTES:
        raise Invalid(
            f"a {etree.QName(element).localname} element has more than {MAX_ATTRIBUTES} attributes",
            where=f"line {element.sourceline}",
        )
    return element.items()  # type: ignore[return-value]


_SYNTAX = DataSetSyntax(OBS, SERIES, _obs_reader, _series_base, _read_group)
