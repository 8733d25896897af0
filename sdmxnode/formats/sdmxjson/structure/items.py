"""Item schemes in SDMX-JSON: codelists, concept, category and organisation schemes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sdmx.model import common, v21, v30

from sdmxnode.formats.sdmxjson.structure.common import (
    JsonObject,
    JsonWriting,
    date_time_text,
    identity,
    item_urn,
    localised,
    maintainable,
)
from sdmxnode.formats.sdmxjson.structure.representation import representation

log = logging.getLogger(__name__)

# Item scheme class -> (SDMX-JSON property in `data`, property holding the items).
# Order matters: subclasses first.
ITEM_SCHEMES: list[tuple[type, str, str]] = [
    (v30.GeographicCodelist, "geographicCodelists", "geoFeatureSetCodes"),
    (v30.GeoGridCodelist, "geoGridCodelists", "geoGridCodes"),
    (common.Codelist, "codelists", "codes"),
    (common.ConceptScheme, "conceptSchemes", "concepts"),
    (v21.ReportingTaxonomy, "reportingTaxonomies", "reportingCategories"),
    (common.CategoryScheme, "categorySchemes", "categories"),
    (common.AgencyScheme, "agencySchemes", "agencies"),
    (common.DataProviderScheme, "dataProviderSchemes", "dataProviders"),
    (common.DataConsumerScheme, "dataConsumerSchemes", "dataConsumers"),
    (v30.MetadataProviderScheme, "metadataProviderSchemes", "metadataProviders"),
    (v30.ValueList, "valueLists", "valueItems"),
]
# Arrays that SDMX-JSON 1.0 does not have (SDMX 3.0 artefacts).
V2_ONLY = {"geographicCodelists", "geoGridCodelists", "metadataProviderSchemes", "valueLists"}


def item_scheme_keys(scheme: object) -> tuple[str, str] | None:
    """The `data` property and the items property for an item scheme, or None."""
    for cls, data_key, items_key in ITEM_SCHEMES:
        if isinstance(scheme, cls):
            return data_key, items_key
    return None


def _items(scheme: Any) -> list[Any]:
    items = scheme.items
    return list(items.values()) if isinstance(items, dict) else list(items)


def _contact(writing: JsonWriting, contact: common.Contact) -> JsonObject:
    result: JsonObject = {}
    result.update(localised(writing, contact.name, "name", "names"))
    result.update(localised(writing, contact.org_unit, "department", "departments"))
    result.update(localised(writing, contact.responsibility, "role", "roles"))
    if contact.telephone:
        result["telephones"] = [str(contact.telephone)]
    for attr, key in (("fax", "faxes"), ("uri", "uris"), ("email", "emails")):
        values = [str(v) for v in getattr(contact, attr, None) or [] if v]
        if values:
            result[key] = values
    return result


def _item(writing: JsonWriting, scheme: Any, item: Any, items_key: str) -> JsonObject:
    """One item; categories and reporting categories nest their children."""
    urn = None if isinstance(item, v30.ValueItem) else item_urn(item, writing, scheme)
    result = identity(writing, item, urn)
    parent = getattr(item, "parent", None)
    if isinstance(item, common.Code) and isinstance(parent, common.Code):
        result["parent"] = parent.id
    if isinstance(item, common.Concept):
        _concept(writing, scheme, item, result)
    if isinstance(item, common.Organisation):
        contacts = [_contact(writing, c) for c in item.contact]
        contacts = [c for c in contacts if c]
        if contacts:
            result["contacts"] = contacts
    if isinstance(item, v30.GeoFeatureSetCode) and item.value:
        result["value"] = item.value
    if isinstance(item, v30.GeoGridCode) and item.geo_cell:
        result["geoCell"] = item.geo_cell
    if isinstance(item, common.Category | v21.ReportingCategory) and item.child:
        result[items_key] = [_item(writing, scheme, c, items_key) for c in item.child]
    return result


def _concept(
    writing: JsonWriting, scheme: Any, concept: common.Concept, result: JsonObject
) -> None:
    rep = representation(concept.core_representation, writing)
    if rep:
        result["coreRepresentation"] = rep
    iso = concept.iso_concept
    if iso is not None and writing.major >= 2:
        # SDMX-JSON 1.0 types isoConceptReference as a URN, which an ISO 11179
        # reference is not; it is written in 2.0 only.
        result["isoConceptReference"] = {
            "conceptAgency": str(iso.agency),
            "conceptSchemeID": str(iso.scheme_id),
            "conceptID": str(iso.id),
        }
    parent = concept.parent
    if isinstance(parent, common.Concept):
        # 2.0: the id of the parent concept; 1.0: its URN.
        result["parent"] = parent.id if writing.major >= 2 else item_urn(parent, writing, scheme)


def _top_items(scheme: Any) -> Iterable[Any]:
    """Items to write at the top level: all, except nested categories and nameless items.

    SDMX requires a name for every item; a nameless one is an artefact of the reader (sdmx1
    adds the parent agency of nested agency ids to agency schemes) and is not written.
    """
    for item in _items(scheme):
        if isinstance(item, common.NameableArtefact) and not item.name.localizations:
            log.warning("Nameless item %s in %s not written", item.id, scheme)
            continue
        nested = isinstance(item, common.Category | v21.ReportingCategory)
        if nested and isinstance(getattr(item, "parent", None), common.Item):
            continue
        yield item


def write_item_scheme(writing: JsonWriting, scheme: common.ItemScheme) -> JsonObject:
    """An item scheme with its items (none for a stub), per the field guides' "ItemScheme"."""
    keys = item_scheme_keys(scheme)
    if keys is None:
        raise TypeError(f"not an item scheme: {scheme!r}")
    _, items_key = keys
    result = maintainable(writing, scheme)
    if scheme.is_partial is not None:
        # sdmx1's SDMX-ML readers keep the attribute's text ("false" too)
        result["isPartial"] = str(scheme.is_partial).strip().lower() in ("true", "1")
    if isinstance(scheme, v30.GeoGridCodelist) and scheme.grid_definition:
        result["gridDefinition"] = scheme.grid_definition
    items = [_item(writing, scheme, item, items_key) for item in _top_items(scheme)]
    if items:
        result[items_key] = items
    return result


def _hierarchical_code(writing: JsonWriting, code: common.HierarchicalCode) -> JsonObject:
    result = identity(writing, code, None)
    if code.code is not None:
        result["code"] = item_urn(code.code, writing)
        if writing.major == 1:
            result["codeID"] = code.code.id
    for key, value in (("validFrom", code.valid_from), ("validTo", code.valid_to)):
        if value:
            result[key] = date_time_text(value)
    if code.level is not None:
        result["level"] = code.level.id
    if code.child:
        result["hierarchicalCodes"] = [_hierarchical_code(writing, c) for c in code.child]
    return result


def _top_codes(codes: dict[str, common.HierarchicalCode]) -> list[common.HierarchicalCode]:
    return [c for c in codes.values() if not isinstance(c.parent, common.HierarchicalCode)]


def write_hierarchical_codelist(writing: JsonWriting, hcl: v21.HierarchicalCodelist) -> JsonObject:
    """An SDMX 2.1 hierarchical codelist (SDMX-JSON 1.0 `hierarchicalCodelists`)."""
    result = maintainable(writing, hcl)
    hierarchies = []
    for hierarchy in hcl.hierarchy:
        entry = identity(writing, hierarchy, None)
        entry["leveled"] = bool(hierarchy.has_formal_levels)
        entry["hierarchicalCodes"] = [
            _hierarchical_code(writing, c) for c in _top_codes(hierarchy.codes)
        ]
        hierarchies.append(entry)
    if hierarchies:
        result["hierarchies"] = hierarchies
    return result


def write_hcl_hierarchies(writing: JsonWriting, hcl: v21.HierarchicalCodelist) -> list[JsonObject]:
    """A 2.1 hierarchical code list as SDMX-JSON 2.x `hierarchies`, mapped as the SDMX-ML
    3.0 writer maps it (`formats.sdmxml.structure30.usages.write_hierarchies`): one
    hierarchy keeps the list's identity and names; several become ``{list id}_{hierarchy
    id}`` each, with the hierarchy's own names."""
    single = len(hcl.hierarchy) <= 1
    pairs: list[tuple[str, Any, Any]] = (
        [(hcl.id, hcl, hcl.hierarchy[0] if hcl.hierarchy else None)]
        if single
        else [(f"{hcl.id}_{h.id}", h, h) for h in hcl.hierarchy]
    )
    written = []
    for hierarchy_id, described, hierarchy in pairs:
        stand_in = v30.Hierarchy(
            id=hierarchy_id,
            name=described.name,
            description=described.description,
            annotations=list(described.annotations),
            maintainer=hcl.maintainer,
            version=hcl.version,
            valid_from=hcl.valid_from,
            valid_to=hcl.valid_to,
            is_external_reference=hcl.is_external_reference,
            has_formal_levels=bool(getattr(hierarchy, "has_formal_levels", False)),
            codes=dict(getattr(hierarchy, "codes", {})),
        )
        written.append(write_hierarchy(writing, stand_in))
    return written


def write_hierarchy(writing: JsonWriting, hierarchy: v30.Hierarchy) -> JsonObject:
    """An SDMX 3.0 hierarchy (SDMX-JSON 2.0 `hierarchies`)."""
    result = maintainable(writing, hierarchy)
    result["hasFormalLevels"] = bool(hierarchy.has_formal_levels)
    codes = [_hierarchical_code(writing, c) for c in _top_codes(hierarchy.codes)]
    if codes:
        result["hierarchicalCodes"] = codes
    return result
