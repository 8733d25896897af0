"""SDMX 3.0 URNs for sdmx1 model objects, as SDMX-ML 3.0 writes every reference.

SDMX 3.0 (SDMX-ML section "URN references") replaces the 2.1 `<Ref>` elements with URN
text, and renames some classes: a 2.1 ContentConstraint is a DataConstraint, a
DataStructureDefinition is a DataStructure, a HierarchicalCodelist is a Hierarchy.
"""

from __future__ import annotations

import sdmx.urn
from sdmx.model import common

#: sdmx1 class name -> (SDMX 3.0 package, SDMX 3.0 class) used in URNs.
URN_CLASSES: dict[str, tuple[str, str]] = {
    "Agency": ("base", "Agency"),
    "AgencyScheme": ("base", "AgencyScheme"),
    "DataConsumer": ("base", "DataConsumer"),
    "DataConsumerScheme": ("base", "DataConsumerScheme"),
    "DataProvider": ("base", "DataProvider"),
    "DataProviderScheme": ("base", "DataProviderScheme"),
    "MetadataProvider": ("base", "MetadataProvider"),
    "MetadataProviderScheme": ("base", "MetadataProviderScheme"),
    "OrganisationUnit": ("base", "OrganisationUnit"),
    "OrganisationUnitScheme": ("base", "OrganisationUnitScheme"),
    "Categorisation": ("categoryscheme", "Categorisation"),
    "Category": ("categoryscheme", "Category"),
    "CategoryScheme": ("categoryscheme", "CategoryScheme"),
    "Code": ("codelist", "Code"),
    "Codelist": ("codelist", "Codelist"),
    "HierarchicalCodelist": ("codelist", "Hierarchy"),
    "Hierarchy": ("codelist", "Hierarchy"),
    "HierarchicalCode": ("codelist", "HierarchicalCode"),
    "ValueList": ("codelist", "ValueList"),
    "Concept": ("conceptscheme", "Concept"),
    "ConceptScheme": ("conceptscheme", "ConceptScheme"),
    "DataStructureDefinition": ("datastructure", "DataStructure"),
    "DataflowDefinition": ("datastructure", "Dataflow"),
    "Dataflow": ("datastructure", "Dataflow"),
    "DimensionDescriptor": ("datastructure", "DimensionDescriptor"),
    "GroupDimensionDescriptor": ("datastructure", "GroupDimensionDescriptor"),
    "AttributeDescriptor": ("datastructure", "AttributeDescriptor"),
    "MeasureDescriptor": ("datastructure", "MeasureDescriptor"),
    "Dimension": ("datastructure", "Dimension"),
    "MeasureDimension": ("datastructure", "Dimension"),
    "TimeDimension": ("datastructure", "TimeDimension"),
    "DataAttribute": ("datastructure", "DataAttribute"),
    "ReportingYearStartDay": ("datastructure", "DataAttribute"),
    "PrimaryMeasure": ("datastructure", "Measure"),
    "Measure": ("datastructure", "Measure"),
    "MetadataStructureDefinition": ("metadatastructure", "MetadataStructure"),
    "MetadataflowDefinition": ("metadatastructure", "Metadataflow"),
    "Metadataflow": ("metadatastructure", "Metadataflow"),
    "MetadataAttribute": ("metadatastructure", "MetadataAttribute"),
    "ContentConstraint": ("registry", "DataConstraint"),
    "DataConstraint": ("registry", "DataConstraint"),
    "MetadataConstraint": ("registry", "MetadataConstraint"),
    "ProvisionAgreement": ("registry", "ProvisionAgreement"),
}

#: Version assumed for an artefact that carries none (the SDMX 2.1 default).
DEFAULT_VERSION = "1.0"


def find_urn_class(obj: object) -> tuple[str, str] | None:
    """The SDMX 3.0 (package, class) of `obj`, walking its class hierarchy; None if unknown."""
    for klass in type(obj).__mro__:
        found = URN_CLASSES.get(klass.__name__)
        if found:
            return found
    return None


def format_version(obj: common.VersionableArtefact) -> str | None:
    """The version of `obj` as written in a `version` attribute, or None when it has none."""
    return str(obj.version) if obj.version not in (None, "") else None


def make_urn(
    target: object,
    maintainable: common.MaintainableArtefact,
    item_id: str | None = None,
    klass: tuple[str, str] | None = None,
) -> str:
    """The URN of `target` (`maintainable` itself, or a part of it named by `item_id`)."""
    package, name = klass or find_urn_class(target) or ("", "")
    if not name:
        raise ValueError(f"no SDMX 3.0 URN class for {type(target).__name__}")
    agency = getattr(maintainable.maintainer, "id", None)
    if not agency:
        raise ValueError(f"no maintainer for {maintainable!r}")
    version = format_version(maintainable) or DEFAULT_VERSION
    urn = f"urn:sdmx:org.sdmx.infomodel.{package}.{name}={agency}:{maintainable.id}({version})"
    return f"{urn}.{item_id}" if item_id else urn


def make_organisation_scheme_urn(scheme: common.MaintainableArtefact) -> str:
    """The URN of an organisation scheme; SDMX 3.0 fixes these at version 1.0."""
    package, name = find_urn_class(scheme) or ("base", "AgencyScheme")
    agency = getattr(scheme.maintainer, "id", None) or "SDMX"
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{name}={agency}:{scheme.id}(1.0)"


def _item_path(item: common.Item) -> str:
    """Dotted path of an item: nested categories are identified through their parents."""
    if isinstance(item, common.Category):
        parts = [item.id]
        parent = item.parent
        while isinstance(parent, common.Category):
            parts.append(parent.id)
            parent = parent.parent
        return ".".join(reversed(parts))
    return item.id


def urn_for(obj: object) -> str:
    """The SDMX 3.0 URN of any referenced sdmx1 object (maintainable or item).

    Falls back on the URN the object was read with (its class renamed to 3.0) when the
    object is detached from its scheme. Raises ValueError when neither is possible.
    """
    try:
        if isinstance(obj, common.Organisation):
            scheme = obj.get_scheme()
            klass = find_urn_class(obj)
            if isinstance(scheme, common.MaintainableArtefact) and klass:
                scheme_urn = make_organisation_scheme_urn(scheme)
                prefix, _, rest = scheme_urn.partition("=")
                return f"urn:sdmx:org.sdmx.infomodel.{klass[0]}.{klass[1]}={rest}.{obj.id}"
        elif isinstance(obj, common.OrganisationScheme):
            return make_organisation_scheme_urn(obj)
        elif isinstance(obj, common.MaintainableArtefact):
            return make_urn(obj, obj)
        elif isinstance(obj, common.Item):
            scheme = obj.get_scheme()
            if isinstance(scheme, common.MaintainableArtefact):
                return make_urn(obj, scheme, _item_path(obj))
    except ValueError:
        pass
    return _urn_from_existing(obj)


def _urn_from_existing(obj: object) -> str:
    existing = getattr(obj, "urn", None)
    if not existing:
        raise ValueError(f"cannot construct a URN for {obj!r}")
    parsed = sdmx.urn.URN(existing)
    klass = find_urn_class(obj)
    if klass:
        parsed.package, parsed.klass = klass
    if not parsed.version:
        parsed.version = DEFAULT_VERSION
    return str(parsed)
