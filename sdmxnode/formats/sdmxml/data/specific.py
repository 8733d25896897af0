"""Rows of SDMX-ML structure-specific data sets (2.1, 2.1 time series, 3.0).

Components are XML attributes of `DataSet`, `Group`, `Series` and `Obs` named by their id
(SDMX-ML 2.1 section 3.3, SDMX-ML 3.0 section 3.3); SDMX 3.0 complex values are `Comp`
children with one `Value` per value.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import MAX_ATTRIBUTES
from sdmxnode.formats.sdmxml.data.dataset import DataSetContext, Row
from sdmxnode.formats.sdmxml.data.parse import ElementStream, forget_previous, syntax_error

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
    """Yield the rows of one data set; stop (putting it back) at another data set's element.

    The hot path per observation: one end event, a copy of the series' row, one dict
    lookup per XML attribute, a tuple, and clearing the element.
    """
    dataset = context.element
    index_get = context.index.get
    obs_groups = context.obs_groups
    complex_values = context.complex_values
    series: etree._Element | None = None
    base: Row = context.base
    try:
        for _, element in elements.resume():
            tag = element.tag
            if tag == OBS:
                parent = element.getparent()
                if parent is not series:
                    if parent is dataset:
                        base = context.base
                    elif parent.tag == SERIES and parent.getparent() is dataset:
                        base, _ = _series_base(context, parent)
                    else:
                        elements.push_back(element)
                        return
                    series = parent
                row = base.copy()
                for key, value in _attributes(element):
                    position = index_get(key)
                    if position is None:
                        context.set_xml_attribute(row, key, value, element, at_obs=True)
                    else:
                        row[position] = value
                if complex_values and len(element):
                    context.add_comp_values(row, element)
                if obs_groups:
                    context.apply_groups(row, obs_groups)
                row.append(element.sourceline)
                yield tuple(row)
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
            elif element is dataset:
                forget_previous(element)
                return
            elif element.getparent() is not dataset:
                elements.push_back(element)
                return
            elif tag == SERIES:
                if element is not series:
                    empty, own = _series_base(context, element)
                    if own:  # a series without observations that carries attributes
                        empty.append(element.sourceline)
                        yield tuple(empty)
                series = None
                forget_previous(element)
            else:
                _read_group(context, element)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, context.source) from exc


def _attributes(element: etree._Element) -> list[tuple[str, str]]:
    """The element's (name, value) pairs; Invalid past MAX_ATTRIBUTES."""
    if len(element.attrib) > MAX_ATTRIBUTES:
        raise Invalid(
            f"a {etree.QName(element).localname} element has more than {MAX_ATTRIBUTES} attributes",
            where=f"line {element.sourceline}",
        )
    return element.items()  # type: ignore[return-value]
