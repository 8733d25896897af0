"""Stored artefacts as sdmx1 model objects: parsing with a cache, and the views of `detail`.

The node keeps no information model of its own: an artefact's stored SDMX-ML element is
read with sdmx1 when a format needs the model. `detail` (SDMX-REST 1.5 section 4.3, 2.x
`structures.md`) and item queries produce trimmed *copies*; cached objects are never changed.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Collection, Sequence

import sdmx

# sdmx1 2.28 builds the SDMX-ML 3.0 reader's tag table from the 2.1 reader's when it is first
# imported; after a structure-specific data message was read, that table holds the data's
# namespace and the import fails (ValueError naming it). Importing it now avoids that.
import sdmx.reader.xml.v30  # noqa: F401
from sdmx import message
from sdmx.model import common

from sdmxnode.errors import StorageError
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml.elements import assemble_structure_message
from sdmxnode.formats.sdmxml.sdmx1_gaps import (
    READ_AS_21,
    FlowReferences,
    element_as_21,
    give_back,
    set_occurrences,
    take_out_references,
)
from sdmxnode.formats.sdmxml.version31 import element_as_ml30
from sdmxnode.storage.records import StoredArtefact

#: sdmx1 class names that differ from the node's artefact types.
_TYPE_OF_CLASS = {
    "DataStructureDefinition": "DataStructure",
    "DataflowDefinition": "Dataflow",
    "MetadataStructureDefinition": "MetadataStructure",
    "MetadataflowDefinition": "Metadataflow",
    "DataConstraint": "ContentConstraint",
    "Hierarchy": "HierarchicalCodelist",
    "GeoCodelist": "Codelist",
    "GeographicCodelist": "Codelist",
    "GeoGridCodelist": "Codelist",
    "VTLMappingScheme": "VtlMappingScheme",
}


def type_of(obj: common.MaintainableArtefact) -> str:
    """The node's artefact type for an sdmx1 maintainable object."""
    name = type(obj).__name__
    return _TYPE_OF_CLASS.get(name, name)


def _readable(artefact: StoredArtefact, xml: bytes) -> bytes:
    """The stored element as sdmx1 reads it: SDMX-ML 3.1 taken to the 3.0 vocabulary."""
    return element_as_ml30(xml) if artefact.sdmx_ml == "3.1" else xml


def parse_artefact(
    artefact: StoredArtefact,
    xml: bytes,
    context: Sequence[tuple[StoredArtefact, bytes]] = (),
) -> common.MaintainableArtefact:
    """Read one stored artefact element with sdmx1 (with `context` artefacts beside it)."""
    # sdmx1 reads no SDMX-ML 3.1: 3.1 elements are read in the 3.0 vocabulary, beside 3.0 ones
    version = "3.0" if artefact.sdmx_ml == "3.1" else artefact.sdmx_ml
    elements = [(artefact.ref.type, _readable(artefact, xml))] + [
        (other.ref.type, _readable(other, other_xml))
        for other, other_xml in context
        if ("3.0" if other.sdmx_ml == "3.1" else other.sdmx_ml) == version
        and other.pk != artefact.pk
    ]
    if version == "3.0" and artefact.ref.type in READ_AS_21:
        # sdmx1 reads no 3.0 provision agreement or provider scheme: read the 2.1 twin, alone
        elements = [(artefact.ref.type, element_as_21(artefact.ref.type, elements[0][1]))]
        version = "2.1"
    flow_references: FlowReferences | None = None
    if version == "3.0":  # sdmx1 cannot read 3.0 metadataflows as they are
        if artefact.ref.type == "Metadataflow":
            stripped, flow_references = take_out_references(elements[0][1])
            elements[0] = (artefact.ref.type, stripped)
        elements[1:] = [
            (kind, take_out_references(body)[0] if kind == "Metadataflow" else body)
            for kind, body in elements[1:]
        ]
    wrapped = assemble_structure_message(
        elements, version, MessageHeader(id="PARSE", sender="sdmxnode")
    )
    try:
        msg = sdmx.read_sdmx(io.BytesIO(wrapped))
    except Exception as exc:  # sdmx1 raises many kinds; the artefact was valid when stored
        raise StorageError(f"cannot read stored artefact {artefact.ref}: {exc}") from exc
    ref = artefact.ref
    objects = msg.iter_objects() if isinstance(msg, message.StructureMessage) else []
    candidates = [o for o in objects if type_of(o) == ref.type and o.id == ref.id]
    # Prefer the artefact itself over stubs sdmx1 made for references; a stored stub
    # (isExternalReference="true", as agencies publish them) is the artefact itself.
    candidates.sort(key=lambda o: bool(o.is_external_reference))
    for obj in candidates:
        agency = obj.maintainer.id if obj.maintainer is not None else ""
        if agency == ref.agency_id and str(obj.version) == ref.version:
            return _with_references(obj, flow_references, xml)
    if candidates:  # version spelling may differ ('1.0' read as '1.0.0')
        return _with_references(candidates[0], flow_references, xml)
    raise StorageError(f"stored artefact {ref} is not in its own element")


def _with_references(
    obj: common.MaintainableArtefact, references: FlowReferences | None, xml: bytes | None = None
) -> common.MaintainableArtefact:
    """`obj` with what sdmx1 could not read from its element (see `sdmx1_gaps`)."""
    if references is not None and isinstance(obj, common.BaseMetadataflow):
        give_back(obj, references)
    if isinstance(obj, common.BaseMetadataStructureDefinition) and xml is not None:
        set_occurrences(obj, xml)
    return obj


def make_stub(obj: common.MaintainableArtefact, *, complete: bool) -> common.MaintainableArtefact:
    """`obj` as a stub: identification and name (complete: also description and annotations).

    Item schemes lose their items and structures their components; stubs are marked as
    external references, which is how SDMX-ML and SDMX-JSON tell a stub from an artefact.
    """
    stub = strip_components(copy.copy(obj))
    if isinstance(stub, common.ItemScheme):
        stub.items = {}
    if not complete:
        stub.description = common.InternationalString()
        stub.annotations = []
    stub.is_external_reference = True
    return stub


def strip_components(obj: common.MaintainableArtefact) -> common.MaintainableArtefact:
    """A stub of a structure (DSD, MSD) with its component lists emptied."""
    stub = copy.copy(obj)
    for attr in ("dimensions", "attributes", "measures", "group_dimensions"):
        value = getattr(obj, attr, None)
        if value is None:
            continue
        if isinstance(value, dict):
            setattr(stub, attr, {})
            continue
        emptied = copy.copy(value)
        if hasattr(emptied, "components"):
            emptied.components = []
        setattr(stub, attr, emptied)
    return stub


def filter_items(scheme: common.ItemScheme, wanted: Collection[str]) -> common.ItemScheme | None:
    """A partial copy of `scheme` holding the `wanted` items (ids, or nested ids 'A.1.1').

    A nested id brings its ancestors along (SDMX-REST: "the item and its ancestors"); the
    items' children are trimmed to what is kept. None if no wanted item exists.
    """
    keep: list[common.Item] = []
    for wanted_id in wanted:
        path = wanted_id.split(".")
        item = scheme.items.get(path[-1])
        if item is None:
            continue
        chain = _ancestors(item)
        if len(path) > 1 and [i.id for i in chain] != path:
            continue  # 'A.1.1' must be exactly that path
        keep.extend(chain if len(path) > 1 else [item])
    if not keep:
        return None
    kept_ids = {i.id for i in keep}
    copies: dict[str, common.Item] = {}
    for item in keep:
        if item.id not in copies:
            copies[item.id] = copy.copy(item)
    for item_copy in copies.values():
        item_copy.child = [copies[c.id] for c in item_copy.child if c.id in kept_ids]
        parent = item_copy.parent
        if isinstance(parent, common.Item) and parent.id in copies:
            item_copy.parent = copies[parent.id]
    partial = copy.copy(scheme)
    partial.items = {item_id: copies[item_id] for item_id in scheme.items if item_id in copies}
    partial.is_partial = True
    return partial


def _ancestors(item: common.Item) -> list[common.Item]:
    chain = [item]
    parent = item.parent
    while isinstance(parent, common.Item):
        chain.insert(0, parent)
        parent = parent.parent
    return chain


def build_message(
    objects: Sequence[common.MaintainableArtefact], header: MessageHeader, version: str = "2.1"
) -> message.StructureMessage:
    """An sdmx1 StructureMessage holding `objects` (keyed so that equal ids never collide)."""
    from sdmx.format import Version

    msg = message.StructureMessage(version=Version["3.0.0" if version == "3.0" else "2.1"])
    msg.header = message.Header(
        id=header.id,
        prepared=header.prepared,
        sender=common.Agency(id=header.sender),
        test=header.test,
    )
    for obj in objects:
        collection = _collection_for(msg, obj)
        agency = obj.maintainer.id if obj.maintainer is not None else ""
        collection[f"{agency}:{obj.id}({obj.version})"] = obj
    return msg


def _collection_for(msg: message.StructureMessage, obj: common.MaintainableArtefact) -> dict:
    try:
        return msg.objects(type(obj))
    except TypeError:
        for cls in type(obj).__mro__:
            try:
                return msg.objects(cls)
            except TypeError:
                continue
    raise StorageError(f"no place in a structure message for {type(obj).__name__}")
