"""SDMX-ML 2.1 structure messages, written from sdmx1's model (2.1 or 3.0 objects).

The header is written by sdmx1's own SDMX-ML 2.1 writer; every maintainable goes through
the private dispatcher of :mod:`sdmxnode.formats.sdmxml.structure21.base`, whose handlers live in
the sibling ``sdmxml21_*`` modules. What 2.1 cannot express is logged once per message as a
warning (logger ``sdmxnode.formats.sdmxml.structure21.base``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from sdmx import message
from sdmx.writer.base import NoWriterImplementation
from sdmx.writer.xml import Element
from sdmx.writer.xml import writer as sdmx1_writer

from sdmxnode.errors import NotImplementedSdmx

# The handler modules register themselves on the private dispatcher when imported.
from sdmxnode.formats.sdmxml.structure21 import (  # noqa: F401
    constraint,
    datastructure,
    hierarchy,
    items,
    metadatastructure,
)
from sdmxnode.formats.sdmxml.structure21.base import (
    agency_id,
    collecting_losses,
    ml21_writer,
    note_loss,
    to_bytes,
)

MEDIA_TYPE = "application/vnd.sdmx.structure+xml;version=2.1"

#: StructureMessage collections in the order of SDMX-ML 2.1 str:StructuresType.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("organisation_scheme", "OrganisationSchemes"),
    ("dataflow", "Dataflows"),
    ("metadataflow", "Metadataflows"),
    ("category_scheme", "CategorySchemes"),
    ("categorisation", "Categorisations"),
    ("codelist", "Codelists"),
    ("hierarchical_codelist", "HierarchicalCodelists"),
    ("concept_scheme", "Concepts"),
    ("metadatastructure", "MetadataStructures"),
    ("structure", "DataStructures"),
    ("structureset", "StructureSets"),
    ("constraint", "Constraints"),
    ("provisionagreement", "ProvisionAgreements"),
)

#: StructureMessage collections that SDMX-ML 2.1 structure messages cannot hold.
UNWRITTEN: tuple[str, ...] = (
    "valuelist",
    "hierarchy",
    "custom_type_scheme",
    "name_personalisation_scheme",
    "ruleset_scheme",
    "transformation_scheme",
    "user_defined_operator_scheme",
    "vtl_mapping_scheme",
)


def _maintainables(msg: message.StructureMessage, attr: str) -> list[Any]:
    """The maintainables of one collection that 2.1 can identify (they need an agency)."""
    collection = getattr(msg, attr, None)
    if not collection:
        return []
    kept = []
    for obj in collection.values():
        if agency_id(obj) is None:
            note_loss("maintainable artefacts without an agency (left out)")
            continue
        kept.append(obj)
    return kept


def _structures(msg: message.StructureMessage) -> Any:
    structures = Element("mes:Structures")
    for attr, tag in SECTIONS:
        objects = _maintainables(msg, attr)
        if attr == "metadataflow" and objects:
            flows = [metadatastructure.metadataflow_21(o) for o in objects]
            structures.append(Element(f"str:{tag}", *flows))
            continue
        if attr == "structureset" and objects:
            structures.append(Element(f"str:{tag}", *[sdmx1_writer.recurse(o) for o in objects]))
            continue
        if objects:
            structures.append(Element(f"str:{tag}", *[ml21_writer.recurse(o) for o in objects]))
    for attr in UNWRITTEN:
        if _maintainables(msg, attr):
            note_loss(f"{attr} artefacts (SDMX 3.0 or VTL)")
    return structures


def write_structure_ml21(message: message.StructureMessage) -> bytes:
    """Write `message` as an SDMX-ML 2.1 structure message (UTF-8 bytes).

    Stubs (``is_external_reference``) are written with ``isExternalReference="true"`` and no
    content; partial item schemes keep ``isPartial="true"``. Raises
    :class:`~sdmxnode.errors.NotImplementedSdmx` for a model object with no 2.1 form.
    """
    with collecting_losses():
        try:
            root = Element(
                "mes:Structure",
                sdmx1_writer.recurse(message.header),
                _structures(message),
            )
            if message.footer:
                root.append(sdmx1_writer.recurse(message.footer))
        except NoWriterImplementation as exc:
            raise NotImplementedSdmx(f"cannot write SDMX-ML 2.1: {exc}") from exc
        except (KeyError, ValueError, etree.LxmlError) as exc:
            raise NotImplementedSdmx(f"cannot write SDMX-ML 2.1 structure: {exc}") from exc
    return to_bytes(root)
