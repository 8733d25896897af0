"""SDMX-JSON 2.0/2.1 hierarchy associations, written from their SDMX-ML 3.0/3.1 elements.

sdmx1 reads no SDMX 3.0 `HierarchyAssociation`, so the stored element is written here as a
`hierarchyAssociations` entry of the SDMX-JSON 2.0 field guide (`HierarchyAssociationType`
of the JSON Schema): the maintainable's properties as the maps write them, and the three
URNs `linkedHierarchy`, `linkedObject` and `contextObject` as the element holds them.
SDMX-JSON 1.0 (SDMX 2.1) has no hierarchy associations.
"""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxjson.structure.common import JsonObject, JsonWriting
from sdmxnode.formats.sdmxjson.structure.elements import maintainable
from sdmxnode.formats.sdmxml import safe_parser

__all__ = ["ASSOCIATION_KEY", "write_hierarchy_association"]

#: The `data` property that holds hierarchy associations.
ASSOCIATION_KEY = "hierarchyAssociations"
_LINKS = {
    "LinkedHierarchy": "linkedHierarchy",
    "LinkedObject": "linkedObject",
    "ContextObject": "contextObject",
}


def write_hierarchy_association(
    writing: JsonWriting, type_: str, xml: bytes
) -> tuple[str, JsonObject]:
    """The `data` property and the SDMX-JSON 2.x object of one stored HierarchyAssociation
    element (`type_` is always "HierarchyAssociation": the signature of `write_map`)."""
    element = etree.fromstring(xml, safe_parser())
    result = maintainable(writing, element, type_)
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname in _LINKS:
            result[_LINKS[etree.QName(child).localname]] = (child.text or "").strip()
    return ASSOCIATION_KEY, result
