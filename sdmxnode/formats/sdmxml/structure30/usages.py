"""SDMX-ML 3.0 artefacts that reference others: flows, categorisations, provision
agreements and hierarchies."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from lxml import etree
from sdmx.model import common

from sdmxnode.formats.sdmxml.structure30.common import (
    add_annotations,
    add_names,
    add_reference,
    element,
    is_31,
    maintainable_element,
    sub,
)
from sdmxnode.formats.sdmxml.structure30.references import make_urn, urn_for

log = logging.getLogger(__name__)


def _has_identity(obj: object) -> bool:
    """False for the placeholder objects sdmx1 creates when a reference is absent."""
    identifier = getattr(obj, "id", None)
    return bool(identifier) and identifier != common.MissingID


def write_dataflow(dataflow: common.BaseDataflow) -> etree._Element:
    """`str:Dataflow` with its `Structure` (the DSD URN)."""
    elem = maintainable_element("str:Dataflow", dataflow)
    if _has_identity(dataflow.structure):
        add_reference(elem, "str:Structure", dataflow.structure)
    return elem


def write_metadataflow(flow: common.BaseMetadataflow) -> etree._Element | None:
    """`str:Metadataflow`, or None: SDMX-ML 3.0 requires at least one `Target`, which
    sdmx1's model does not carry, so such a flow cannot be written validly."""
    targets = list(getattr(flow, "targets", None) or [])
    if not targets:
        log.warning("Skipping Metadataflow %s: SDMX-ML 3.0 requires a Target", flow.id)
        return None
    elem = maintainable_element("str:Metadataflow", flow)
    if _has_identity(flow.structure):
        add_reference(elem, "str:Structure", flow.structure)
    for target in targets:
        sub(elem, "str:Target", str(target))
    return elem


def write_categorisation(categorisation: common.Categorisation) -> etree._Element:
    """`str:Categorisation`: Source (any artefact) and Target (a category), as URNs.

    SDMX-ML 3.1 prohibits a categorisation's version and fixes its URN's at 1.0
    (structure:CategorisationBaseType, common:CategorisationUrnType).
    """
    elem = maintainable_element("str:Categorisation", categorisation, versioned=not is_31())
    urn = elem.get("urn")
    if is_31() and urn:
        elem.set("urn", urn[: urn.rindex("(")] + "(1.0)")
    try:
        source = urn_for(categorisation.artefact)
        target = urn_for(categorisation.category)
    except ValueError as exc:
        log.warning("Categorisation %s without Source/Target: %s", categorisation.id, exc)
        return elem
    sub(elem, "str:Source", source)
    sub(elem, "str:Target", target)
    return elem


def write_provision_agreement(agreement: common.ProvisionAgreement) -> etree._Element:
    """`str:ProvisionAgreement`: the Dataflow and the DataProvider it binds."""
    elem = maintainable_element("str:ProvisionAgreement", agreement)
    if _has_identity(agreement.structure_usage) and _has_identity(agreement.data_provider):
        add_reference(elem, "str:Dataflow", agreement.structure_usage)
        add_reference(elem, "str:DataProvider", agreement.data_provider)
    elif not agreement.is_external_reference:
        log.warning("ProvisionAgreement %s lacks its Dataflow or DataProvider", agreement.id)
    return elem


def write_hierarchies(obj: common.MaintainableArtefact) -> list[etree._Element]:
    """`str:Hierarchy` elements for a 3.0 Hierarchy or a 2.1 HierarchicalCodelist.

    A 2.1 HierarchicalCodelist holding one hierarchy becomes one 3.0 Hierarchy with the
    HCL's id, version, agency, names and annotations. One holding several becomes one
    Hierarchy per 2.1 hierarchy, with id ``{HCL id}_{hierarchy id}``, the HCL's agency
    and version, and the 2.1 hierarchy's own names and annotations. Code references
    become Code URNs; levels are written as 3.0 nested levels.
    """
    hierarchies = getattr(obj, "hierarchy", None)
    if hierarchies is None:  # already a 3.0 Hierarchy
        return [_hierarchy(obj, obj, obj.id, obj)]
    if len(hierarchies) == 1:
        return [_hierarchy(obj, hierarchies[0], obj.id, obj)]
    if not hierarchies:
        return [_hierarchy(obj, None, obj.id, obj)]
    log.info("HierarchicalCodelist %s: writing %d Hierarchies", obj.id, len(hierarchies))
    return [_hierarchy(obj, h, f"{obj.id}_{h.id}", h) for h in hierarchies]


def _hierarchy(
    maintainable: common.MaintainableArtefact,
    hierarchy: object | None,
    hierarchy_id: str,
    described: common.NameableArtefact,
) -> etree._Element:
    has_levels = bool(getattr(hierarchy, "has_formal_levels", False))
    stand_in = common.MaintainableArtefact(
        id=hierarchy_id,
        name=described.name,
        description=described.description,
        annotations=list(described.annotations),
        maintainer=maintainable.maintainer,
        version=maintainable.version,
        valid_from=maintainable.valid_from,
        valid_to=maintainable.valid_to,
        is_external_reference=maintainable.is_external_reference,
    )
    elem = maintainable_element("str:Hierarchy", stand_in, hasFormalLevels=has_levels)
    try:
        elem.set("urn", make_urn(maintainable, stand_in))
    except ValueError:
        pass
    if hierarchy is None:
        return elem
    level = getattr(hierarchy, "level", None)
    if level is not None:
        elem.append(_level(level))
    codes = getattr(hierarchy, "codes", {})
    top = [c for c in codes.values() if not isinstance(c.parent, common.HierarchicalCode)]
    _hierarchical_codes(elem, top)
    return elem


def _level(level: common.Level) -> etree._Element:
    elem = element("str:Level", id=level.id)
    add_annotations(elem, level)
    add_names(elem, level)
    if level.child is not None:
        elem.append(_level(level.child))
    return elem


def _hierarchical_codes(parent: etree._Element, codes: Iterable[common.HierarchicalCode]) -> None:
    for code in codes:
        elem = sub(
            parent,
            "str:HierarchicalCode",
            id=code.id,
            validFrom=code.valid_from,
            validTo=code.valid_to,
        )
        add_annotations(elem, code)
        if code.code is None or not add_reference(elem, "str:Code", code.code):
            log.warning("HierarchicalCode %s has no code reference", code.id)
        _hierarchical_codes(elem, code.child)
        if code.level is not None:
            sub(elem, "str:Level", code.level.id)
