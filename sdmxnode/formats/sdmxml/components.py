"""The component ids a stored DSD element declares, read without building a model."""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxml import parse_xml

#: Elements of a DSD's component lists (SDMX-ML 2.1 and 3.0) that declare a component.
_DIMENSIONS = {"Dimension", "TimeDimension", "MeasureDimension"}
_OTHERS = {"PrimaryMeasure", "Measure", "Attribute"}
_LISTS = {"DimensionList", "MeasureList", "AttributeList"}


def dsd_component_ids(xml: bytes) -> tuple[frozenset[str], frozenset[str]]:
    """(dimension ids, all component ids) of the DataStructure element `xml`."""
    root = parse_xml(xml, what="stored DSD").getroot()
    dimensions: set[str] = set()
    components: set[str] = set()
    for element in root.iter(etree.Element):
        name = etree.QName(element).localname
        parent = element.getparent()
        if parent is None or etree.QName(parent).localname not in _LISTS:
            continue
        component_id = element.get("id")
        if not component_id:
            continue
        if name in _DIMENSIONS:
            dimensions.add(component_id)
            components.add(component_id)
        elif name in _OTHERS:
            components.add(component_id)
    return frozenset(dimensions), frozenset(components)
