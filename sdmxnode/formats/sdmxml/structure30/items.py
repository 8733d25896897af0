"""SDMX-ML 3.0 item schemes: code lists, concept, category and organisation schemes, value lists."""

from __future__ import annotations

import logging
import re
from typing import Any

from lxml import etree
from sdmx.model import common

from sdmxnode.formats.sdmxml.structure30.common import (
    add_annotations,
    add_representation,
    add_text,
    element,
    is_31,
    maintainable_element,
    nameable_element,
    sub,
)

log = logging.getLogger(__name__)

#: common:SingleNCNameIDType, the type of a code's or concept's `Parent` in the 3.0 XSD.
_NCNAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")

#: sdmx1 organisation scheme class -> (element, item element, fixed scheme id) in SDMX-ML 3.0.
ORGANISATION_SCHEMES: dict[str, tuple[str, str, str | None]] = {
    "AgencyScheme": ("str:AgencyScheme", "str:Agency", "AGENCIES"),
    "DataProviderScheme": ("str:DataProviderScheme", "str:DataProvider", "DATA_PROVIDERS"),
    "DataConsumerScheme": ("str:DataConsumerScheme", "str:DataConsumer", "DATA_CONSUMERS"),
    "MetadataProviderScheme": (
        "str:MetadataProviderScheme",
        "str:MetadataProvider",
        "METADATA_PROVIDERS",
    ),
    "OrganisationUnitScheme": ("str:OrganisationUnitScheme", "str:OrganisationUnit", None),
}


def _scheme_element(tag: str, scheme: common.ItemScheme, **attrib: Any) -> etree._Element:
    # sdmx1's readers keep isPartial as read ("true"/"false"); the model says bool
    partial = True if str(scheme.is_partial).lower() == "true" else None
    return maintainable_element(tag, scheme, isPartial=partial, **attrib)


def _parent_id(item: common.Item) -> str | None:
    """The id of the parent item (SDMX-ML 3.x `Parent`), None for a top-level item.

    The SDMX-ML 3.0.0 XSD types `Parent` as an NCName although code ids are IDTypes (3.1
    corrected it to IDType): in 3.0 a parent such as the M49 region `150` or `_T` cannot be
    written validly, so it is left out (the hierarchy stays in SDMX-ML 2.1, 3.1 and
    SDMX-JSON); SDMX-ML 3.1 writes every parent.
    """
    parent = item.parent
    if not isinstance(parent, common.Item):
        return None
    if not is_31() and not _NCNAME.fullmatch(parent.id):
        log.debug("parent %r of %r left out: not an NCName (SDMX-ML 3.0.0 XSD)", parent.id, item.id)
        return None
    return parent.id


def write_codelist(codelist: common.Codelist) -> etree._Element:
    """`str:Codelist`: codes in scheme order, each naming its parent code (3.0 `Parent`)."""
    elem = _scheme_element("str:Codelist", codelist)
    for code in codelist.items.values():
        code_elem = nameable_element("str:Code", code)
        parent_id = _parent_id(code)
        if parent_id:
            sub(code_elem, "str:Parent", parent_id)
        elem.append(code_elem)
    return elem


def write_concept_scheme(scheme: common.ConceptScheme) -> etree._Element:
    """`str:ConceptScheme`: concepts with parent, core representation and ISO reference."""
    elem = _scheme_element("str:ConceptScheme", scheme)
    for concept in scheme.items.values():
        concept_elem = nameable_element("str:Concept", concept)
        parent_id = _parent_id(concept)
        if parent_id:
            sub(concept_elem, "str:Parent", parent_id)
        add_representation(concept_elem, "str:CoreRepresentation", concept.core_representation)
        iso = concept.iso_concept
        if iso is not None:
            iso_elem = sub(concept_elem, "str:ISOConceptReference")
            sub(iso_elem, "str:ConceptAgency", str(iso.agency))
            sub(iso_elem, "str:ConceptSchemeID", str(iso.scheme_id))
            sub(iso_elem, "str:ConceptID", str(iso.id))
        elem.append(concept_elem)
    return elem


def write_category_scheme(scheme: common.CategoryScheme) -> etree._Element:
    """`str:CategoryScheme`: SDMX-ML 3.0 nests child categories inside their parent."""
    elem = _scheme_element("str:CategoryScheme", scheme)
    written: set[int] = set()
    for category in scheme.items.values():
        if not isinstance(category.parent, common.Category):
            elem.append(_category(category, written))
    for category in scheme.items.values():
        if id(category) not in written:
            # A child whose parent is missing from a partial scheme: write it top-level
            elem.append(_category(category, written))
    return elem


def _category(category: common.Category, written: set[int]) -> etree._Element:
    written.add(id(category))
    elem = nameable_element("str:Category", category)
    for child in category.child:
        if id(child) not in written:
            elem.append(_category(child, written))
    return elem


def write_organisation_scheme(scheme: common.OrganisationScheme) -> etree._Element | None:
    """Agency, data provider, data consumer, metadata provider or organisation unit scheme.

    SDMX-ML 3.0 prohibits a version on these schemes and fixes their ids (AGENCIES, ...).
    """
    kind = next(
        (
            ORGANISATION_SCHEMES[k.__name__]
            for k in type(scheme).__mro__
            if k.__name__ in ORGANISATION_SCHEMES
        ),
        None,
    )
    if kind is None:
        log.warning("Skipping %s %s: no SDMX-ML 3.0 element", type(scheme).__name__, scheme.id)
        return None
    tag, item_tag, fixed_id = kind
    if fixed_id and scheme.id != fixed_id:
        log.warning("%s id %r is not the fixed 3.0 id %r", tag, scheme.id, fixed_id)
    elem = _scheme_element(tag, scheme, versioned=False)
    for organisation in scheme.items.values():
        org_elem = nameable_element(item_tag, organisation)
        parent_id = _parent_id(organisation)
        if parent_id and item_tag == "str:OrganisationUnit":
            sub(org_elem, "str:Parent", parent_id)
        for contact in organisation.contact:
            org_elem.append(_contact(contact))
        elem.append(org_elem)
    return elem


def _contact(contact: common.Contact) -> etree._Element:
    elem = element("str:Contact")
    add_text(elem, "com:Name", contact.name)
    add_text(elem, "str:Department", contact.org_unit)
    add_text(elem, "str:Role", contact.responsibility)
    if contact.telephone:
        sub(elem, "str:Telephone", contact.telephone)
    for fax in contact.fax:
        sub(elem, "str:Fax", fax)
    for uri in contact.uri:
        sub(elem, "str:URI", uri)
    for email in contact.email:
        sub(elem, "str:Email", email)
    return elem


def write_value_list(value_list: common.MaintainableArtefact) -> etree._Element:
    """`str:ValueList` (SDMX 3.0 only): value items with optional names."""
    elem = maintainable_element("str:ValueList", value_list)
    for item in getattr(value_list, "items", []):
        item_elem = sub(elem, "str:ValueItem", id=item.id)
        add_annotations(item_elem, item)
        add_text(item_elem, "com:Name", item.name)
        add_text(item_elem, "com:Description", item.description)
    return elem
