"""SDMX-JSON 2.0/2.1 structure maps and representation maps, written from their SDMX-ML elements.

sdmx1 has no model of the SDMX 3.0 mapping artefacts, so their stored SDMX-ML 3.0/3.1
elements are read by `formats.sdmxml.maps` and written here as the `structureMaps` and
`representationMaps` of the SDMX-JSON 2.0 field guide (`StructureMapType`,
`RepresentationMapType` of the JSON Schema): names and annotations from the element, the
rules from the reading. SDMX-JSON 1.0 (SDMX 2.1) has no such artefacts.
"""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.languages import best_text
from sdmxnode.formats.sdmxjson.structure.common import (
    JsonObject,
    JsonWriting,
    date_time_text,
    language_tag,
)
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.sdmxml.maps import (
    RepresentationMapping,
    StructureMapping,
    read_representation_map,
    read_structure_map,
)

__all__ = ["MAP_KEYS", "element_maintainable", "write_map"]

#: The artefact types written here and the `data` property that holds them.
MAP_KEYS = {"StructureMap": "structureMaps", "RepresentationMap": "representationMaps"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ANNOTATION_KEYS = {"AnnotationTitle": "title", "AnnotationType": "type", "AnnotationURL": "url"}
_URN = "urn:sdmx:org.sdmx.infomodel.{}.{}={}"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _texts(writing: JsonWriting, element: etree._Element, tag: str) -> dict[str, str]:
    texts = {
        language_tag(child.get(_XML_LANG, "en")): (child.text or "").strip()
        for child in element
        if isinstance(child.tag, str) and _local(child) == tag
    }
    writing.languages.update(texts)
    return texts


def _annotations(element: etree._Element) -> list[JsonObject]:
    found = []
    for container in (c for c in element if isinstance(c.tag, str) and _local(c) == "Annotations"):
        for annotation in container:
            written: JsonObject = {}
            if annotation.get("id"):
                written["id"] = annotation.get("id")
            for child in annotation:
                if not isinstance(child.tag, str):
                    continue
                name = _local(child)
                if name in _ANNOTATION_KEYS:
                    written[_ANNOTATION_KEYS[name]] = (child.text or "").strip()
                elif name == "AnnotationText":
                    texts = written.setdefault("texts", {})
                    texts[language_tag(child.get(_XML_LANG, "en"))] = (child.text or "").strip()
            if "texts" in written:
                written["text"] = next(iter(written["texts"].values()))
            found.append(written)
    return found


def element_maintainable(
    writing: JsonWriting, element: etree._Element, type_: str, package: str = "structuremapping"
) -> JsonObject:
    """The SDMX-JSON 2.x properties of a maintainable artefact, read from its SDMX-ML element:
    identification, validity, names, descriptions, annotations and its `self` link."""
    agency, id_, version = (
        element.get("agencyID", ""),
        element.get("id", ""),
        element.get("version", "1.0"),
    )
    result: JsonObject = {"id": id_, "version": version, "agencyID": agency}
    result["isExternalReference"] = element.get("isExternalReference") == "true"
    for key in ("validFrom", "validTo"):
        if element.get(key):
            result[key] = date_time_text(element.get(key))
    names = _texts(writing, element, "Name")
    if names:
        result["name"] = best_text(names, writing.language)
        result["names"] = names
    descriptions = _texts(writing, element, "Description")
    if descriptions:
        result["description"] = best_text(descriptions, writing.language)
        result["descriptions"] = descriptions
    annotations = _annotations(element)
    if annotations:
        result["annotations"] = annotations
    urn = _URN.format(package, type_, f"{agency}:{id_}({version})")
    result["links"] = [{"rel": "self", "urn": urn}]
    return result


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
    result = element_maintainable(writing, element, "StructureMap")
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
    result = element_maintainable(writing, element, "RepresentationMap")
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
