"""SDMX-ML 2.1 item schemes: code lists, concept schemes, category schemes and the
organisation schemes (agencies, data providers, data consumers, organisation units)."""

from __future__ import annotations

from typing import Any

from sdmx.model import common
from sdmx.writer.xml import writer as sdmx1_writer

from sdmxnode.formats.sdmxml.structure21.base import (
    local_ref,
    maintainable,
    make_urn,
    ml21_writer,
    nameable,
    note_loss,
    representation,
    version_of,
    xml_bool,
)

#: Model class name → SDMX-ML 2.1 element of an item scheme and of its items.
_SCHEME_TAG: dict[str, tuple[str, str]] = {
    "Codelist": ("str:Codelist", "str:Code"),
    "ConceptScheme": ("str:ConceptScheme", "str:Concept"),
    "CategoryScheme": ("str:CategoryScheme", "str:Category"),
    "AgencyScheme": ("str:AgencyScheme", "str:Agency"),
    "DataProviderScheme": ("str:DataProviderScheme", "str:DataProvider"),
    "DataConsumerScheme": ("str:DataConsumerScheme", "str:DataConsumer"),
    "OrganisationUnitScheme": ("str:OrganisationUnitScheme", "str:OrganisationUnit"),
}

#: Organisation schemes have a fixed id and version in SDMX-ML 2.1 (SDMXStructureOrganisation.xsd).
_FIXED_SCHEME_ID = {
    "AgencyScheme": "AGENCIES",
    "DataProviderScheme": "DATA_PROVIDERS",
    "DataConsumerScheme": "DATA_CONSUMERS",
}


def _tags(obj: common.ItemScheme) -> tuple[str, str]:
    for cls in type(obj).__mro__:
        if cls.__name__ in _SCHEME_TAG:
            return _SCHEME_TAG[cls.__name__]
    raise KeyError(type(obj).__name__)


def _parent_ref(item: common.Item) -> list[Any]:
    """str:Parent, for item types whose hierarchy SDMX-ML 2.1 writes by reference."""
    if isinstance(item.parent, common.Item):
        return [local_ref("str:Parent", item.parent.id)]
    return []


def _item(obj: common.Item, tag: str, scheme: common.ItemScheme) -> Any:
    """One item; categories nest their children, other items refer to their parent."""
    if isinstance(obj, common.Category):
        children = [_item(child, tag, scheme) for child in obj.child]
        return nameable(obj, tag, *children, urn=_category_urn(obj, scheme), with_urn=False)
    extra: list[Any] = []
    if isinstance(obj, common.Organisation):
        if type(obj).__name__ == "OrganisationUnit":
            extra.extend(_parent_ref(obj))
        # SDMX-ML 2.1 str:Contact, written by sdmx1's own handler
        extra.extend(sdmx1_writer.recurse(contact) for contact in obj.contact)
    else:
        extra.extend(_parent_ref(obj))
    if isinstance(obj, common.Concept):
        if obj.core_representation is not None:
            extra.append(representation(obj.core_representation, "str:CoreRepresentation"))
        if obj.iso_concept is not None:
            note_loss("ISO concept references")
    return nameable(obj, tag, *extra, parent=scheme)


def _category_urn(obj: common.Category, scheme: common.ItemScheme) -> str | None:
    """A category's URN names the path from its root category (SDMX 2.1 Section 5, 6.2)."""
    path = [obj.id]
    parent = obj.parent
    while isinstance(parent, common.Category):
        path.insert(0, parent.id)
        parent = parent.parent
    urn = make_urn(obj, scheme)
    return None if urn is None else urn.rsplit(".", 1)[0] + "." + ".".join(path)


def _top_level(obj: common.ItemScheme) -> list[common.Item]:
    """Items to write at scheme level: all of them, or only the roots for categories."""
    items = list(obj.items.values())
    if isinstance(obj, common.CategoryScheme):
        return [i for i in items if not isinstance(i.parent, common.Category)]
    return items


@ml21_writer
def _item_scheme(obj: common.ItemScheme) -> Any:
    """str:Codelist, str:ConceptScheme, str:CategoryScheme and the organisation schemes."""
    scheme_tag, item_tag = _tags(obj)
    fixed = next(
        (_FIXED_SCHEME_ID[c.__name__] for c in type(obj).__mro__ if c.__name__ in _FIXED_SCHEME_ID),
        None,
    )
    if fixed and (obj.id != fixed or version_of(obj) != "1.0"):
        note_loss(f"organisation scheme ids other than {fixed} version 1.0")
    attrib: dict[str, str | None] = {}
    if obj.is_partial is not None:
        attrib["isPartial"] = xml_bool(obj.is_partial)
    items = [_item(i, item_tag, obj) for i in _top_level(obj)]
    return maintainable(obj, scheme_tag, *items, **attrib)
