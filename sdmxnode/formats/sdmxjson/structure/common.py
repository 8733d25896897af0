"""Identification, URNs, localised text, annotations and links shared by the SDMX-JSON writers."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sdmx.model import common, v21, v30

from sdmxnode.formats.languages import DEFAULT_LANGUAGE, best_text

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]

_URN_PREFIX = "urn:sdmx:org.sdmx.infomodel."
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_@$-]+$")
# "Agency:Id(Version)" in a URN, version possibly empty or wildcarded as SDMX 3.0 allows.
_URN_TARGET = re.compile(r"=([^:=]+):([^(]+)\(([^)]*)\)")


@dataclass(frozen=True)
class JsonWriting:
    """The state of one SDMX-JSON structure message being written."""

    #: SDMX-JSON major version: 1 (SDMX 2.1 information model) or 2 (SDMX 3.0).
    major: int
    #: Minor version: 1 with major 2 is SDMX-JSON 2.1 (SDMX 3.1), else 0.
    minor: int = 0
    #: Language of the best-match `name`, `description` and `text` properties.
    language: str = DEFAULT_LANGUAGE
    #: Languages met while writing (lower case), for `meta.contentLanguages`.
    languages: set[str] = field(default_factory=set)


# SDMX URN package and class for each information-model class, most specific first. Where
# SDMX 3.0 renamed a class, the tuple holds the SDMX-JSON 1.0 (2.1) and 2.0 (3.0) names.
_URN_CLASSES: list[tuple[type, str, str | tuple[str, str]]] = [
    (v30.ValueList, "codelist", "ValueList"),
    (common.Codelist, "codelist", "Codelist"),
    (v30.GeoCodelist, "codelist", "Codelist"),
    (common.Code, "codelist", "Code"),
    (v21.HierarchicalCodelist, "codelist", "HierarchicalCodelist"),
    (v30.Hierarchy, "codelist", "Hierarchy"),
    (common.HierarchicalCode, "codelist", "HierarchicalCode"),
    (common.ConceptScheme, "conceptscheme", "ConceptScheme"),
    (common.Concept, "conceptscheme", "Concept"),
    (v21.ReportingTaxonomy, "categoryscheme", "ReportingTaxonomy"),
    (v21.ReportingCategory, "categoryscheme", "ReportingCategory"),
    (common.CategoryScheme, "categoryscheme", "CategoryScheme"),
    (common.Category, "categoryscheme", "Category"),
    (common.Categorisation, "categoryscheme", "Categorisation"),
    (common.AgencyScheme, "base", "AgencyScheme"),
    (common.Agency, "base", "Agency"),
    (common.DataProviderScheme, "base", "DataProviderScheme"),
    (common.DataProvider, "base", "DataProvider"),
    (common.DataConsumerScheme, "base", "DataConsumerScheme"),
    (common.DataConsumer, "base", "DataConsumer"),
    (v30.MetadataProviderScheme, "base", "MetadataProviderScheme"),
    (v30.MetadataProvider, "base", "MetadataProvider"),
    (common.BaseDataStructureDefinition, "datastructure", "DataStructure"),
    (common.BaseDataflow, "datastructure", "Dataflow"),
    (common.GroupDimensionDescriptor, "datastructure", "GroupDimensionDescriptor"),
    (common.DimensionDescriptor, "datastructure", "DimensionDescriptor"),
    (common.AttributeDescriptor, "datastructure", "AttributeDescriptor"),
    (v21.MeasureDescriptor, "datastructure", "MeasureDescriptor"),
    (v30.MeasureDescriptor, "datastructure", "MeasureDescriptor"),
    (common.TimeDimension, "datastructure", "TimeDimension"),
    (v21.MeasureDimension, "datastructure", ("MeasureDimension", "Dimension")),
    (common.Dimension, "datastructure", "Dimension"),
    (common.DataAttribute, "datastructure", "DataAttribute"),
    (v21.PrimaryMeasure, "datastructure", ("PrimaryMeasure", "Measure")),
    (v30.Measure, "datastructure", "Measure"),
    (common.BaseMetadataStructureDefinition, "metadatastructure", "MetadataStructure"),
    (common.BaseMetadataflow, "metadatastructure", "Metadataflow"),
    (common.MetadataAttribute, "metadatastructure", "MetadataAttribute"),
    (v30.MetadataAttributeDescriptor, "metadatastructure", "MetadataAttributeDescriptor"),
    (v21.MetadataTarget, "metadatastructure", "MetadataTarget"),
    (v21.ReportStructure, "metadatastructure", "ReportStructure"),
    (v21.ContentConstraint, "registry", ("ContentConstraint", "DataConstraint")),
    (v30.DataConstraint, "registry", ("ContentConstraint", "DataConstraint")),
    (v30.MetadataConstraint, "registry", "MetadataConstraint"),
    (common.ProvisionAgreement, "registry", "ProvisionAgreement"),
    (v21.StructureSet, "mapping", "StructureSet"),
]


def urn_class(obj: object, writing: JsonWriting) -> str | None:
    """The `package.Class` part of the SDMX URN of `obj`, or None for an unknown class."""
    for cls, package, name in _URN_CLASSES:
        if isinstance(obj, cls):
            if isinstance(name, tuple):
                name = name[0] if writing.major == 1 else name[1]
            return f"{package}.{name}"
    return None


def version_text(obj: common.MaintainableArtefact) -> str | None:
    """The version of `obj` as text, or None when the model does not carry one."""
    version = getattr(obj, "version", None)
    return None if version is None else str(version)


def maintainable_target(obj: common.MaintainableArtefact) -> str:
    """`Agency:Id(Version)` of a maintainable artefact (SDMX 2.1 section 6 "URN" structure).

    When the model lacks the version (as for references whose version sdmx1 could not
    parse), the version parsed from the object's own URN is used, else it is left empty.
    """
    agency = obj.maintainer.id if obj.maintainer is not None else ""
    version = version_text(obj)
    if version is None and obj.urn:
        match = _URN_TARGET.search(obj.urn)
        version = match.group(3) if match else None
    if not version:
        log.warning(
            "No version for %s %s:%s; its URN is incomplete", type(obj).__name__, agency, obj.id
        )
    return f"{agency}:{obj.id}({version or ''})"


def maintainable_urn(obj: common.MaintainableArtefact, writing: JsonWriting) -> str | None:
    """The URN of a maintainable artefact, or None for a class without an SDMX URN."""
    cls = urn_class(obj, writing)
    if cls is None:
        return None
    return f"{_URN_PREFIX}{cls}={maintainable_target(obj)}"


def item_scheme_of(item: common.Item) -> common.ItemScheme | None:
    """The item scheme holding `item`, following its parents up to the scheme."""
    node: Any = item
    for _ in range(1000):  # guards against a cyclic hierarchy
        parent = getattr(node, "parent", None)
        if parent is None or isinstance(parent, common.ItemScheme):
            return parent
        node = parent
    return None


def item_path(item: common.Item) -> str:
    """The nested id of an item in URNs: categories and reporting categories carry their path."""
    if not isinstance(item, common.Category | v21.ReportingCategory):
        return item.id
    ids = [item.id]
    parent = item.parent
    while isinstance(parent, common.Item):
        ids.append(parent.id)
        parent = parent.parent
    return ".".join(reversed(ids))


def item_urn(
    item: common.Item, writing: JsonWriting, scheme: common.ItemScheme | None = None
) -> str | None:
    """The URN of an item in `scheme` (by default the scheme holding the item)."""
    scheme = scheme or item_scheme_of(item)
    cls = urn_class(item, writing)
    if scheme is None or cls is None:
        return _urn_from_model(item, cls)
    return f"{_URN_PREFIX}{cls}={maintainable_target(scheme)}.{item_path(item)}"


def component_urn(
    component: common.IdentifiableArtefact,
    structure: common.MaintainableArtefact,
    writing: JsonWriting,
    nested_id: str | None = None,
) -> str | None:
    """The URN of a component or component list of `structure`."""
    cls = urn_class(component, writing)
    if cls is None:
        return None
    return f"{_URN_PREFIX}{cls}={maintainable_target(structure)}.{nested_id or component.id}"


def _urn_from_model(obj: common.IdentifiableArtefact, cls: str | None) -> str | None:
    """The URN the model carries, with the class renamed as `cls` when given."""
    if not obj.urn:
        return None
    if cls is None:
        return obj.urn
    _, _, rest = obj.urn.partition("=")
    return f"{_URN_PREFIX}{cls}={rest}"


def reference_urn(obj: Any, writing: JsonWriting) -> str | None:
    """The URN of any referenced artefact: maintainable or item."""
    if obj is None:
        return None
    if isinstance(obj, common.MaintainableArtefact):
        return maintainable_urn(obj, writing)
    if isinstance(obj, common.Item):
        return item_urn(obj, writing)
    return _urn_from_model(obj, urn_class(obj, writing))


def is_reference_stub(obj: common.MaintainableArtefact) -> bool:
    """True for an object a reader created only from a reference: external and nameless.

    sdmx1 adds such objects to the message collections when a structure refers to an
    artefact that the message does not contain; they are not written. An artefact the
    message declares as an external reference has a name and is written as a stub.
    """
    return bool(obj.is_external_reference) and not obj.name.localizations


def language_tag(tag: str) -> str:
    """A language tag in lower case (tags are case-insensitive, RFC 5646 section 2.1.1)."""
    return tag.strip().lower()


def localised(
    writing: JsonWriting, text: common.InternationalString | None, single: str, multiple: str
) -> JsonObject:
    """`{single: best match, multiple: {lang: text}}` for an international string, or `{}`."""
    if text is None or not text.localizations:
        return {}
    texts: dict[str, str] = {}
    for lang, value in text.localizations.items():
        if value is None:
            continue
        tag = language_tag(lang)
        texts.setdefault(tag, str(value))
    if not texts:
        return {}
    writing.languages.update(texts)
    return {single: best_text(texts, writing.language), multiple: texts}


def annotation_properties(writing: JsonWriting, obj: common.AnnotableArtefact) -> JsonObject:
    """`{"annotations": [...]}` for an annotable artefact, or `{}`."""
    result = []
    for annotation in getattr(obj, "annotations", None) or []:
        item: JsonObject = {}
        for key in ("id", "title", "type"):
            value = getattr(annotation, key, None)
            if value:
                item[key] = str(value)
        value = getattr(annotation, "value", None)  # SDMX 3.0 AnnotationValue
        if value and writing.major >= 2:
            item["value"] = str(value)
        item.update(localised(writing, annotation.text, "text", "texts"))
        if annotation.url:
            # pysdmx reads the URL of an annotation from its "self" link.
            item["links"] = [{"href": str(annotation.url), "rel": "self"}]
        result.append(item)
    return {"annotations": result} if result else {}


def links(obj: common.IdentifiableArtefact, urn: str | None) -> JsonObject:
    """`{"links": [...]}`: the self link with the URN, and the URLs the model carries."""
    result: list[JsonObject] = []
    if urn:
        self_link: JsonObject = {"rel": "self", "urn": urn}
        if obj.uri:
            self_link["uri"] = str(obj.uri)
        result.append(self_link)
    elif obj.uri:
        result.append({"href": str(obj.uri), "rel": "self"})
    structure_url = getattr(obj, "structure_url", None)
    if structure_url:
        result.append({"href": str(structure_url), "rel": "alternate"})
    service_url = getattr(obj, "service_url", None)
    if service_url:
        result.append({"href": str(service_url), "rel": "service"})
    return {"links": result} if result else {}


def nameable(writing: JsonWriting, obj: common.NameableArtefact) -> JsonObject:
    """Name and description properties (best match and localised) of a nameable artefact."""
    result = localised(writing, obj.name, "name", "names")
    result.update(localised(writing, obj.description, "description", "descriptions"))
    return result


def identity(writing: JsonWriting, obj: common.IdentifiableArtefact, urn: str | None) -> JsonObject:
    """Properties of an identifiable, nameable artefact that is not maintainable."""
    result: JsonObject = {"id": obj.id}
    if isinstance(obj, common.NameableArtefact):
        result.update(nameable(writing, obj))
    result.update(annotation_properties(writing, obj))
    result.update(links(obj, urn))
    return result


def maintainable(writing: JsonWriting, obj: common.MaintainableArtefact) -> JsonObject:
    """Common properties of a maintainable artefact, in the order of the field guides."""
    result: JsonObject = {"id": obj.id}
    version = version_text(obj)
    if version is not None:
        result["version"] = version
    if obj.maintainer is not None:
        result["agencyID"] = obj.maintainer.id
    result["isExternalReference"] = bool(obj.is_external_reference)
    if writing.major == 1:
        result["isFinal"] = bool(obj.is_final)
    for key, value in (("validFrom", obj.valid_from), ("validTo", obj.valid_to)):
        if value:
            result[key] = date_time_text(value)
    result.update(nameable(writing, obj))
    result.update(annotation_properties(writing, obj))
    result.update(links(obj, maintainable_urn(obj, writing)))
    return result


def date_time_text(value: Any) -> str:
    """An RFC 3339 date-time, as the SDMX-JSON schemas require for validity periods.

    SDMX-ML allows a date-time without a time zone, or a date; such values are taken as
    UTC (a date as its midnight). Text that is no ISO 8601 date-time is kept as it is.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def message_id(text: str | None) -> str | None:
    """A header id made to fit the SDMX-JSON id pattern, or None."""
    if not text:
        return None
    if _ID_PATTERN.match(text):
        return text
    return re.sub(r"[^A-Za-z0-9_@$-]", "_", text)
