"""SDMX-JSON artefacts written from their SDMX-ML element: what the element writers share
(identification, texts, annotations), and reporting taxonomies and processes.

sdmx1 models neither a reporting taxonomy it can read nor a process, so their stored
elements, taken to the SDMX-ML 3.0 vocabulary (`formats.sdmxml.element_forms`: references
are URN text), are written here as the `reportingTaxonomies` and `processes` of the
SDMX-JSON 1.0 and 2.0 field guides. The two versions differ in how a transition names its
target step: by URN in 1.0, by the step's nested id in 2.0.
"""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.languages import best_text
from sdmxnode.formats.reports.registry_interface import artefact_urn
from sdmxnode.formats.sdmxjson.structure.common import (
    JsonObject,
    JsonWriting,
    date_time_text,
    language_tag,
)
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.sdmxml.elements import is_stable_version
from sdmxnode.refs import ArtefactRef

__all__ = ["ELEMENT_KEYS", "element_annotations", "local", "maintainable", "texts", "write_element"]

#: The artefact types written here and the `data` property that holds them.
ELEMENT_KEYS = {"ReportingTaxonomy": "reportingTaxonomies", "Process": "processes"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ANNOTATION_KEYS = {"AnnotationTitle": "title", "AnnotationType": "type", "AnnotationURL": "url"}


def local(element: etree._Element) -> str:
    """The element's name without its namespace."""
    return etree.QName(element).localname


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local(c) == tag]


def texts(writing: JsonWriting, element: etree._Element, tag: str) -> dict[str, str]:
    """The `tag` children of `element` (names, descriptions) by language."""
    found = {
        language_tag(child.get(_XML_LANG, "en")): (child.text or "").strip()
        for child in _children(element, tag)
    }
    writing.languages.update(found)
    return found


def element_annotations(element: etree._Element) -> list[JsonObject]:
    """The annotations of `element` as SDMX-JSON annotation objects."""
    found = []
    for container in _children(element, "Annotations"):
        for annotation in container:
            written: JsonObject = {}
            if annotation.get("id"):
                written["id"] = annotation.get("id")
            for child in annotation:
                if not isinstance(child.tag, str):
                    continue
                name = local(child)
                if name in _ANNOTATION_KEYS:
                    written[_ANNOTATION_KEYS[name]] = (child.text or "").strip()
                elif name == "AnnotationText":
                    texts_ = written.setdefault("texts", {})
                    texts_[language_tag(child.get(_XML_LANG, "en"))] = (child.text or "").strip()
            if "texts" in written:
                written["text"] = next(iter(written["texts"].values()))
            found.append(written)
    return found


def _nameable(writing: JsonWriting, element: etree._Element) -> JsonObject:
    result: JsonObject = {}
    for tag, key in (("Name", "name"), ("Description", "description")):
        found = texts(writing, element, tag)
        if found:
            result[key] = best_text(found, writing.language)
            result[f"{key}s"] = found
    found_annotations = element_annotations(element)
    if found_annotations:
        result["annotations"] = found_annotations
    return result


def maintainable(writing: JsonWriting, element: etree._Element, type_: str) -> JsonObject:
    """Identification, names, annotations and self link of a maintainable's element."""
    agency, id_, version = (
        element.get("agencyID", ""),
        element.get("id", ""),
        element.get("version", "1.0"),
    )
    result: JsonObject = {"id": id_, "version": version, "agencyID": agency}
    result["isExternalReference"] = element.get("isExternalReference") == "true"
    if writing.major == 1:  # 3.0 has no isFinal: a stable version is final
        result["isFinal"] = is_stable_version(version)
    for key in ("validFrom", "validTo"):
        if element.get(key):
            result[key] = date_time_text(element.get(key))
    result.update(_nameable(writing, element))
    urn = artefact_urn(ArtefactRef(type_, agency, id_, version))
    result["links"] = [{"rel": "self", "urn": urn}]
    return result


def _urns(element: etree._Element, tag: str) -> list[str]:
    return [(c.text or "").strip() for c in _children(element, tag)]


def _reporting_category(writing: JsonWriting, element: etree._Element, urn: str) -> JsonObject:
    result: JsonObject = {"id": element.get("id", "")}
    result.update(_nameable(writing, element))
    result["links"] = [{"rel": "self", "urn": urn}]
    for tag, key in (
        ("StructuralMetadata", "structuralMetadata"),
        ("ProvisioningMetadata", "provisioningMetadata"),
    ):
        found = _urns(element, tag)
        if found:
            result[key] = found
    children = [
        _reporting_category(writing, child, f"{urn}.{child.get('id', '')}")
        for child in _children(element, "ReportingCategory")
    ]
    if children:
        result["reportingCategories"] = children
    return result


def _reporting_taxonomy(writing: JsonWriting, element: etree._Element) -> JsonObject:
    result = maintainable(writing, element, "ReportingTaxonomy")
    if element.get("isPartial") == "true":
        result["isPartial"] = True
    identity = f"{result['agencyID']}:{result['id']}({result['version']})"
    base = f"urn:sdmx:org.sdmx.infomodel.categoryscheme.ReportingCategory={identity}"
    categories = [
        _reporting_category(writing, child, f"{base}.{child.get('id', '')}")
        for child in _children(element, "ReportingCategory")
    ]
    if categories:
        result["reportingCategories"] = categories
    return result


def _input_output(element: etree._Element) -> JsonObject:
    result: JsonObject = {}
    if element.get("localID"):
        result["localID"] = element.get("localID")
    found = element_annotations(element)
    if found:
        result["annotations"] = found
    result["objectReference"] = (_urns(element, "ObjectReference") or [""])[0]
    return result


def _computation(writing: JsonWriting, element: etree._Element) -> JsonObject:
    result: JsonObject = {
        key: element.get(key)
        for key in ("localID", "softwareLanguage", "softwarePackage", "softwareVersion")
        if element.get(key)
    }
    found = element_annotations(element)
    if found:
        result["annotations"] = found
    descriptions = texts(writing, element, "Description")
    result["description"] = best_text(descriptions, writing.language)
    result["descriptions"] = descriptions
    return result


def _transition(writing: JsonWriting, element: etree._Element, step_urn: str) -> JsonObject:
    result: JsonObject = {"id": element.get("id", "")} if element.get("id") else {}
    if element.get("localID"):
        result["localID"] = element.get("localID")
    found = element_annotations(element)
    if found:
        result["annotations"] = found
    target = (_urns(element, "TargetStep") or [""])[0]
    # 1.0: the target step's URN; 2.0: its nested id (a sibling's, under the same parent)
    result["targetStep"] = f"{step_urn}.{target}" if writing.major == 1 else target
    conditions = texts(writing, element, "Condition")
    result["condition"] = best_text(conditions, writing.language)
    result["conditions"] = conditions
    return result


def _process_step(
    writing: JsonWriting, element: etree._Element, process_urn: str, path: str
) -> JsonObject:
    result: JsonObject = {"id": element.get("id", "")}
    result.update(_nameable(writing, element))
    step_urn = f"urn:sdmx:org.sdmx.infomodel.process.ProcessStep={process_urn}"
    result["links"] = [{"rel": "self", "urn": f"{step_urn}.{path}"}]
    for tag, key in (("Input", "inputs"), ("Output", "outputs")):
        found = [_input_output(child) for child in _children(element, tag)]
        if found:
            result[key] = found
    for child in _children(element, "Computation"):
        result["computation"] = _computation(writing, child)
    transitions = [
        _transition(writing, child, step_urn) for child in _children(element, "Transition")
    ]
    if transitions:
        result["transitions"] = transitions
    steps = [
        _process_step(writing, child, process_urn, f"{path}.{child.get('id', '')}")
        for child in _children(element, "ProcessStep")
    ]
    if steps:
        result["processSteps"] = steps
    return result


def _process(writing: JsonWriting, element: etree._Element) -> JsonObject:
    result = maintainable(writing, element, "Process")
    identity = f"{result['agencyID']}:{result['id']}({result['version']})"
    steps = [
        _process_step(writing, child, identity, child.get("id", ""))
        for child in _children(element, "ProcessStep")
    ]
    if steps:
        result["processSteps"] = steps
    return result


def write_element(writing: JsonWriting, type_: str, xml: bytes) -> tuple[str, JsonObject]:
    """The `data` property and the SDMX-JSON object of one stored reporting taxonomy or
    process element (SDMX-ML 3.0 vocabulary)."""
    element = etree.fromstring(xml, safe_parser())
    if type_ == "ReportingTaxonomy":
        return ELEMENT_KEYS[type_], _reporting_taxonomy(writing, element)
    return ELEMENT_KEYS[type_], _process(writing, element)
