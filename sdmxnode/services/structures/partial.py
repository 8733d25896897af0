"""`detail=referencepartial`: the items of referenced item schemes that the answer uses.

SDMX-REST 1.5 section 4.3 and 2.x `structures.md`: "referenced item schemes should only
include items used by the artefact to be returned. For example, a concept scheme would only
contain the concepts used in a DSD ... if a dataflow is constrained, then the codelists
referenced by the DSD should only contain the codes allowed by the constraint."
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.rows import StructureInfo
from sdmxnode.formats.sdmxml import parse_xml
from sdmxnode.formats.sdmxml.elements import iter_item_references
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.resources import ITEM_SCHEME_TYPES
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.queries import Selection
from sdmxnode.storage.structures import StructureStore


def partial_items(
    store: StructureStore, cache: ModelCache, selection: Selection
) -> dict[ArtefactRef, set[str]]:
    """For each referenced item scheme, the item ids the other artefacts of the answer use.

    Concepts (and any item referenced by id) come from the artefacts' own references; code
    lists of constrained dataflows keep only the codes the Allowed constraints permit. An
    item scheme absent from the result is returned whole.
    """
    referenced = {(a.ref.type, a.ref.agency_id, a.ref.id): a.ref for a in selection.referenced}
    users = [a for a in selection.requested + selection.referenced]
    xml = store.read_xml([a.pk for a in users])
    used: dict[ArtefactRef, set[str]] = {}
    for artefact in users:
        element = parse_xml(xml[artefact.pk], what="stored artefact").getroot()
        for target, item_id in iter_item_references(element, artefact.sdmx_ml):
            if target.type not in ITEM_SCHEME_TYPES:  # a DSD's dimension (an association's)
                continue
            ref = referenced.get((target.type, target.agency_id, target.id))
            if ref is not None and ref != artefact.ref:
                used.setdefault(ref, set()).add(item_id)
    used.update(_allowed_codes(store, cache, selection, referenced))
    return used


def _allowed_codes(
    store: StructureStore,
    cache: ModelCache,
    selection: Selection,
    referenced: dict[tuple[str, str, str], ArtefactRef],
) -> dict[ArtefactRef, set[str]]:
    builder = StructureInfoBuilder(store, cache)
    infos = []
    for artefact in selection.requested:
        if artefact.ref.type != "Dataflow":
            continue
        try:
            infos.append(builder(artefact.ref))
        except SdmxNodeError:
            continue  # a dataflow whose DSD is not in the node constrains nothing here

    def codelist_of(text: str) -> ArtefactRef | None:
        agency, rest = text.split(":", 1)
        codelist_id, _version = rest[:-1].split("(", 1)
        return referenced.get(("Codelist", agency, codelist_id))

    return allowed_codes(infos, codelist_of)


def allowed_codes(
    infos: Iterable[StructureInfo], codelist_of: Callable[[str], ArtefactRef | None]
) -> dict[ArtefactRef, set[str]]:
    """Per code list (`codelist_of` finds it from a component's 'AGENCY:ID(VERSION)'; None
    leaves it out), the codes the constraints of `infos` allow for every component using
    it; a code list some component may use freely is left out (returned whole)."""
    allowed: dict[ArtefactRef, set[str]] = {}
    unconstrained: set[ArtefactRef] = set()
    for info in infos:
        for component in info.dimensions + info.attributes:
            codelist = codelist_of(component.codelist) if component.codelist else None
            if codelist is None:
                continue
            values = info.allowed.get(component.id)
            if values is None:
                unconstrained.add(codelist)
            else:
                allowed.setdefault(codelist, set()).update(values)
    return {ref: codes for ref, codes in allowed.items() if ref not in unconstrained}
