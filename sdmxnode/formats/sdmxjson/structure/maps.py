"""SDMX-JSON 2.0/2.1 structure maps and representation maps, written from their SDMX-ML elements.

sdmx1 has no model of the SDMX 3.0 mapping artefacts, so their stored SDMX-ML 3.0/3.1
elements are read by `formats.sdmxml.maps` and written here as the `structureMaps` and
`representationMaps` of the SDMX-JSON 2.0 field guide (`StructureMapType`,
`RepresentationMapType` of the JSON Schema): names and annotations from the element, the
rules from the reading. SDMX-JSON 1.0 (SDMX 2.1) has no such artefacts.
"""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxjson.structure.common import JsonObject, JsonWriting, date_time_text
from sdmxnode.formats.sdmxjson.structure.elements import maintainable
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.sdmxml.maps import (
    RepresentationMapping,
    StructureMapping,
    read_representation_map,
    read_structure_map,
)

__all__ = ["MAP_KEYS", "write_map"]

#: The artefact types written here and the `data` property that holds them.
MAP_KEYS = {"StructureMap": "structureMaps", "RepresentationMap": "representationMaps"}


def _urn(ref_identity: str, type_: str, package: str) -> str:
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{type_}={ref_identity}"


_PACKAGES = {
    "Dataflow": "datastructure",
    "DataStructure": "datastructure",
    "Metadataflow": "metadatastructure",
    "MetadataStructure": "metadatastructure",
    "RepresentationMap": "structuremapping",
}


def _structure_map(
    writing: JsonWriting, element: etree._Element, found: StructureMapping
) -> JsonObject:
    result = maintainable(writing, element, "StructureMap")
    for key, ref in (("source", found.source), ("target", found.target)):
        result[key] = _urn(ref.identity, ref.type, _PACKAGES.get(ref.type, "datastructure"))
    if found.date_patterns:
        result["datePatternMaps"] = [
            {
                "id": d.id,
                "mappedComponents": [
                    {"source": s, "target": t} for s, t in zip(d.sources, d.targets, strict=False)
                ],
                **({"resolvePeriod": d.resolve_period} if d.resolve_period else {}),
                **(
                    {"targetFrequencyID": d.target_frequency}
                    if d.target_frequency
                    else {"frequencyDimension": d.frequency_dimension or ""}
                ),
                "sourcePattern": d.pattern,
                "locale": d.locale,
            }
            for d in found.date_patterns
        ]
    if found.components:
        result["componentMaps"] = [
            {
                "source": list(c.sources),
                "target": list(c.targets),
                **(
                    {
                        "representationMap": _urn(
                            c.representation_map.identity, "RepresentationMap", "structuremapping"
                        )
                    }  # fmt: skip
                    if c.representation_map
                    else {}
                ),
            }
            for c in found.components
        ]
    if found.fixed_values:
        result["fixedValueMaps"] = [
            {("source" if f.on_source else "target"): f.component, "values": list(f.values)}
            for f in found.fixed_values
        ]
    return result


def _side(text: str) -> JsonObject:
    return {"codelist": text} if text.startswith("urn:") else {"dataType": text}


def _representation_map(
    writing: JsonWriting, element: etree._Element, found: RepresentationMapping
) -> JsonObject:
    result = maintainable(writing, element, "RepresentationMap")
    result["source"] = [_side(s) for s in found.sources]
    result["target"] = [_side(t) for t in found.targets]
    mappings = []
    for rule in found.rules:
        written: JsonObject = {"sourceValues": []}
        for value in rule.sources:
            source: JsonObject = {"value": value.value}
            if value.is_regex:
                source["isRegEx"] = True
            if value.start_index is not None:
                source["startIndex"] = value.start_index
            if value.end_index is not None:
                source["endIndex"] = value.end_index
            written["sourceValues"].append(source)
        if rule.targets:
            written["targetValues"] = list(rule.targets)
        if rule.valid_from:
            written["validFrom"] = date_time_text(rule.valid_from)
        if rule.valid_to:
            written["validTo"] = date_time_text(rule.valid_to)
        mappings.append(written)
    if mappings:
        result["representationMappings"] = mappings
    return result


def write_map(writing: JsonWriting, type_: str, xml: bytes) -> tuple[str, JsonObject]:
    """The `data` property and the SDMX-JSON 2.x object of one stored map element."""
    element = etree.fromstring(xml, safe_parser())
    if type_ == "StructureMap":
        return MAP_KEYS[type_], _structure_map(writing, element, read_structure_map(element))
    return MAP_KEYS[type_], _representation_map(writing, element, read_representation_map(element))
