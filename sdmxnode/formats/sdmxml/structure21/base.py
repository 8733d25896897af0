"""Shared machinery of the SDMX-ML 2.1 structure writer: the private dispatcher, URNs,
references, annotations, the identifiable/nameable/maintainable layers and representations.

The dispatcher is a private :class:`sdmx.writer.base.BaseWriter`, so nothing registered here
changes what :func:`sdmx.to_xml` does for other callers. Element construction, localised
text and the message header reuse sdmx1's SDMX-ML 2.1 writer (:mod:`sdmx.writer.xml`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from lxml import etree
from sdmx.model import common
from sdmx.writer.base import BaseWriter
from sdmx.writer.xml import Element, i11lstring

log = logging.getLogger(__name__)

#: The private dispatcher; handlers are registered by the sibling ``sdmxml21_*`` modules.
ml21_writer = BaseWriter("SDMX-ML 2.1 (sdmxnode)")

# What a write could not express in SDMX-ML 2.1, counted per kind and reported once.
_losses: ContextVar[Counter[str] | None] = ContextVar("ml21_losses", default=None)

#: Model class name → (SDMX-ML 2.1 class, package) for URNs and <Ref class= package=>.
#: SDMX 2.1 Section 5 (Registry specification), "6.2 Universal Resource Name".
REF_CLASS: dict[str, tuple[str, str]] = {
    "Agency": ("Agency", "base"),
    "AgencyScheme": ("AgencyScheme", "base"),
    "DataConsumer": ("DataConsumer", "base"),
    "DataConsumerScheme": ("DataConsumerScheme", "base"),
    "DataProvider": ("DataProvider", "base"),
    "DataProviderScheme": ("DataProviderScheme", "base"),
    "OrganisationUnit": ("OrganisationUnit", "base"),
    "OrganisationUnitScheme": ("OrganisationUnitScheme", "base"),
    "Category": ("Category", "categoryscheme"),
    "CategoryScheme": ("CategoryScheme", "categoryscheme"),
    "Categorisation": ("Categorisation", "categoryscheme"),
    "ReportingCategory": ("ReportingCategory", "categoryscheme"),
    "ReportingTaxonomy": ("ReportingTaxonomy", "categoryscheme"),
    "Code": ("Code", "codelist"),
    "Codelist": ("Codelist", "codelist"),
    "HierarchicalCodelist": ("HierarchicalCodelist", "codelist"),
    "Concept": ("Concept", "conceptscheme"),
    "ConceptScheme": ("ConceptScheme", "conceptscheme"),
    "DataStructureDefinition": ("DataStructure", "datastructure"),
    "DataflowDefinition": ("Dataflow", "datastructure"),
    "Dataflow": ("Dataflow", "datastructure"),
    "Dimension": ("Dimension", "datastructure"),
    "TimeDimension": ("TimeDimension", "datastructure"),
    "MeasureDimension": ("MeasureDimension", "datastructure"),
    "DataAttribute": ("DataAttribute", "datastructure"),
    "PrimaryMeasure": ("PrimaryMeasure", "datastructure"),
    "MetadataStructureDefinition": ("MetadataStructure", "metadatastructure"),
    "MetadataflowDefinition": ("Metadataflow", "metadatastructure"),
    "Metadataflow": ("Metadataflow", "metadatastructure"),
    "ContentConstraint": ("ContentConstraint", "registry"),
    "DataConstraint": ("ContentConstraint", "registry"),
    "ProvisionAgreement": ("ProvisionAgreement", "registry"),
}

#: FacetValueType names whose SDMX-ML 2.1 spelling is not the name with a capital first
#: letter, or which 2.1 lacks (SDMX 2.1 common:DataType; SDMX 3.0 added the last two).
_TEXT_TYPE_21 = {
    "uri": "URI",
    "timesRange": "TimeRange",
    "Xhtml": "XHTML",
    "gregorianMonth": "GregorianYearMonth",
    "geospatialInformation": "String",
}

#: FacetType fields that are SDMX-ML 3.0 only.
_FACET_30_ONLY = {"sentinel_values"}


@contextmanager
def collecting_losses() -> Iterator[Counter[str]]:
    """Collect, for one write, what SDMX-ML 2.1 could not express; log each kind once."""
    counter: Counter[str] = Counter()
    token = _losses.set(counter)
    try:
        yield counter
    finally:
        _losses.reset(token)
        for what, count in counter.items():
            log.warning("SDMX-ML 2.1 cannot express %s (%d occurrence(s))", what, count)


def note_loss(what: str) -> None:
    """Record that something of the model was written approximately or left out."""
    counter = _losses.get()
    if counter is None:
        log.warning("SDMX-ML 2.1 cannot express %s", what)
    else:
        counter[what] += 1


def class_of(obj: Any) -> tuple[str, str]:
    """The SDMX-ML 2.1 (class, package) for a model object, walking its class hierarchy."""
    for cls in type(obj).__mro__:
        if cls.__name__ in REF_CLASS:
            return REF_CLASS[cls.__name__]
    raise KeyError(f"no SDMX-ML 2.1 class for {type(obj).__name__}")


def class_name(cls: type) -> str:
    """The SDMX-ML 2.1 class name (common:ObjectTypeCodelistType) of a model class."""
    for base in cls.__mro__:
        if base.__name__ in REF_CLASS:
            return REF_CLASS[base.__name__][0]
    return cls.__name__


def agency_id(obj: common.MaintainableArtefact) -> str | None:
    """The id of the maintainer of `obj`; None when it has none."""
    return getattr(obj.maintainer, "id", None) or None


def make_urn(obj: Any, parent: common.MaintainableArtefact | None = None) -> str | None:
    """The SDMX 2.1 URN of a maintainable `obj`, or of an item `obj` in `parent`."""
    try:
        cls, package = class_of(obj)
    except KeyError:
        return None
    target = parent if parent is not None else obj
    if not isinstance(target, common.MaintainableArtefact) or agency_id(target) is None:
        return None
    head = f"urn:sdmx:org.sdmx.infomodel.{package}.{cls}="
    if parent is None:
        return f"{head}{agency_id(obj)}:{obj.id}({version_of(obj)})"
    if cls == "Agency":
        # Agencies are named by their path from SDMX, not by their scheme
        owner = agency_id(parent)
        return f"{head}{obj.id}" if owner == "SDMX" else f"{head}{owner}.{obj.id}"
    return f"{head}{agency_id(parent)}:{parent.id}({version_of(parent)}).{obj.id}"


#: SDMX-ML 2.1 common:VersionType default, for artefacts and references without a version.
DEFAULT_VERSION = "1.0"


def version_of(obj: common.MaintainableArtefact) -> str:
    """The version as text; the 2.1 default "1.0", written out, when the model has none
    (e.g. a 3.0 wildcard reference such as "1.0+.0", which 2.1 cannot express)."""
    if obj.version is None:
        note_loss("versions of artefacts referenced with a 3.0 wildcard (written as 1.0)")
        return DEFAULT_VERSION
    return str(obj.version)


def ref(obj: Any, tag: str, *, parent: common.MaintainableArtefact | None = None) -> Any:
    """A <tag><Ref .../></tag> reference to a maintainable `obj`, or to item `obj` of `parent`.

    SDMX-ML 2.1 common:RefBaseType; see :func:`version_of` for references without a version.
    """
    cls, package = class_of(obj)
    if isinstance(obj, common.MaintainableArtefact):
        attrib = {"agencyID": agency_id(obj), "id": obj.id, "version": version_of(obj)}
    else:
        scheme = parent if parent is not None else obj.get_scheme()
        if scheme is None:
            raise ValueError(f"cannot reference {obj!r} without its item scheme")
        attrib = {
            "agencyID": agency_id(scheme),
            "maintainableParentID": scheme.id,
            "maintainableParentVersion": version_of(scheme),
            "id": obj.id,
        }
    return Element(tag, Element(":Ref", **attrib, package=package, **{"class": cls}))


def local_ref(tag: str, id_: str) -> Any:
    """A <tag><Ref id=.../></tag> reference to a component or item in the same artefact."""
    return Element(tag, Element(":Ref", id=id_))


@ml21_writer
def _annotation(obj: common.BaseAnnotation) -> Any:
    """com:Annotation: SDMX-ML 2.1 has Title, Type, URL and Text; a 3.0 value is lost."""
    elem = Element("com:Annotation", id=obj.id or None)
    if obj.title:
        elem.append(Element("com:AnnotationTitle", obj.title))
    if obj.type:
        elem.append(Element("com:AnnotationType", obj.type))
    if getattr(obj, "url", None):
        elem.append(Element("com:AnnotationURL", str(obj.url)))
    elem.extend(i11lstring(obj.text, "com:AnnotationText"))
    if getattr(obj, "value", None):
        note_loss("annotation values (SDMX 3.0 AnnotationValue)")
    return elem


def annotable(obj: common.AnnotableArtefact, tag: str, *args: Any, **attrib: Any) -> Any:
    """An element `tag` with the annotations of `obj` first, then `args`."""
    children = list(args)
    if obj.annotations:
        annotations = [ml21_writer.recurse(a) for a in obj.annotations]
        children.insert(0, Element("com:Annotations", *annotations))
    return Element(tag, *children, **attrib)


def identifiable(
    obj: common.IdentifiableArtefact,
    tag: str,
    *args: Any,
    parent: common.MaintainableArtefact | None = None,
    with_urn: bool = True,
    **attrib: Any,
) -> Any:
    """common:IdentifiableType: id and urn attributes."""
    attrib.setdefault("id", obj.id)
    if with_urn:
        attrib.setdefault("urn", make_urn(obj, parent))
    if obj.uri:
        attrib.setdefault("uri", obj.uri)
    return annotable(obj, tag, *args, **attrib)


def names(obj: common.NameableArtefact) -> list[Any]:
    """com:Name (at least one, as 2.1 requires; the id when the model has none) and
    com:Description elements."""
    elems = i11lstring(obj.name, "com:Name")
    if not elems:
        elem = Element("com:Name", obj.id)
        elem.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        elems = [elem]
    return elems + i11lstring(obj.description, "com:Description")


def nameable(obj: common.NameableArtefact, tag: str, *args: Any, **kwargs: Any) -> Any:
    """common:NameableType."""
    return identifiable(obj, tag, *names(obj), *args, **kwargs)


def xml_bool(value: object) -> str | None:
    """An xs:boolean from a model flag (sdmx1's reader keeps some as the attribute text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return "true" if value.strip().lower() in ("true", "1") else "false"
    return str(bool(value)).lower()


def is_stub(obj: common.MaintainableArtefact) -> bool:
    """Whether `obj` is a reference to an artefact maintained elsewhere."""
    return xml_bool(obj.is_external_reference) == "true"


def maintainable(obj: common.MaintainableArtefact, tag: str, *args: Any, **attrib: Any) -> Any:
    """common:MaintainableType; a stub gets isExternalReference="true" and no content."""
    return _maintainable(obj, tag, () if is_stub(obj) else args, attrib)


def maintainable_with_content(
    obj: common.MaintainableArtefact, tag: str, *args: Any, **attrib: Any
) -> Any:
    """common:MaintainableType whose content its schema requires, stub or not (a 2.1
    ProvisionAgreement's dataflow and data provider)."""
    return _maintainable(obj, tag, args, attrib)


def _maintainable(
    obj: common.MaintainableArtefact, tag: str, args: tuple[Any, ...], attrib: dict[str, Any]
) -> Any:
    attrib.update(
        agencyID=agency_id(obj),
        version=version_of(obj),
        isFinal=xml_bool(obj.is_final),
        isExternalReference=str(is_stub(obj)).lower(),
    )
    if obj.valid_from:
        attrib["validFrom"] = str(obj.valid_from)
    if obj.valid_to:
        attrib["validTo"] = str(obj.valid_to)
    if getattr(obj, "service_url", None):
        attrib["serviceURL"] = str(obj.service_url)
    if getattr(obj, "structure_url", None):
        attrib["structureURL"] = str(obj.structure_url)
    return nameable(obj, tag, *args, **attrib)


def text_type(facet: common.Facet) -> str | None:
    """The SDMX-ML 2.1 textType of a facet."""
    if facet.value_type is None:
        return None
    name = facet.value_type.name
    if name in ("gregorianMonth", "geospatialInformation"):
        note_loss(f"the SDMX 3.0 text type {name}")
    return _TEXT_TYPE_21.get(name, name[:1].upper() + name[1:])


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def facet(obj: common.Facet, tag: str) -> Any:
    """str:TextFormat or str:EnumerationFormat, with every facet the model holds."""
    attrib: dict[str, str] = {}
    value_type = text_type(obj)
    if value_type:
        attrib["textType"] = value_type
    for name, value in vars(obj.type).items():
        if value is None:
            continue
        if name in _FACET_30_ONLY:
            note_loss(f"the SDMX 3.0 facet {name}")
            continue
        attrib[_camel(name)] = str(value).lower() if isinstance(value, bool) else str(value)
    return Element(tag, **attrib)


def representation(obj: common.Representation, tag: str, *, facets: bool = True) -> Any:
    """A representation: an enumeration reference with EnumerationFormat, or TextFormat."""
    elem = Element(tag)
    if obj.enumerated is not None:
        elem.append(ref(obj.enumerated, "str:Enumeration"))
        if facets:
            elem.extend(facet(f, "str:EnumerationFormat") for f in obj.non_enumerated[:1])
    elif facets:
        elem.extend(facet(f, "str:TextFormat") for f in obj.non_enumerated[:1])
    return elem


def to_bytes(elem: etree._Element) -> bytes:
    """Serialise an element tree as UTF-8 with an XML declaration."""
    return etree.tostring(elem, encoding="utf-8", xml_declaration=True)
