"""IMDX:HA_AREA_M49_<DATAFLOW> and IMDX:HA_AREA_SDG_<DATAFLOW> (1.0.0): SDMX 3.0 hierarchy
associations that say which hierarchies of IMDX:CL_AREA aggregate the `REF_AREA` dimension
of each dataflow whose DSD codes REF_AREA with CL_AREA.

SDMX 3.0 Section 2 (information model, "Hierarchy association"): an association links one
`Hierarchy` (`LinkedHierarchy`) to one identifiable object that needs it (`LinkedObject`),
in the context of another object (`ContextObject`). So there is one association per
hierarchy, dimension and context, never one listing several hierarchies.

The context is the dataflow, not the DSD: the schema's own example (SDMXStructureHierarchical
Codelist.xsd, `HierarchyAssociationType`: "a dimension within the context of a dataflow")
and pysdmx (the BIS/FMR client, `HierarchyAssociation`: "Links a hierarchy to a component
within the context of a dataflow") both put it so, and a dataflow is what data are
reported, queried and checked against: the aggregates one dataflow's figures must add up to
may differ from another's over the same DSD. The linked object is the DSD's Dimension
(`...datastructure.Dimension=IMDX:DSD_MIG_STOCK(1.0.0).REF_AREA`).

Both hierarchies are associated with every such dataflow: the countries report (and the
DESA and SDG indicator series carry) totals for the M49 regions and for the SDG regions
alike, and the two together give the aggregates CL_AREA's own parents and groupings give,
so the aggregate check finds what it found before the associations existed. Other
dimensions coded with CL_AREA (COUNTERPART_AREA of DSD_MIG_REMIT) have no association and
keep every hierarchy over the code list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sdmxnode.authoring import xml, xml30
from sdmxnode.authoring.artefacts import DataflowDef, DsdDef
from sdmxnode.authoring.hierarchies import HCL_ID, HCL_VERSION

VERSION = "1.0.0"
#: All associations are written to this one file of dsd/.
HA_FILE = f"IMDX-HA_AREA-{VERSION}.xml"
#: The dimension associated, and the code list it must be coded with.
DIMENSION = "REF_AREA"
CODELIST = ("IMDX", "CL_AREA")
#: The hierarchies (ids of the SDMX 3.0 Hierarchy, as served) and their short names.
HIERARCHIES = (("M49", "UN M49 geographic regions"), ("SDG", "SDG regional groupings"))

_URN = "urn:sdmx:org.sdmx.infomodel.{}={}:{}({})"


@dataclass(frozen=True)
class AssociationDef:
    """One hierarchy association: its id and name, and the three URNs it holds."""

    id: str
    name: str
    description: str
    hierarchy: str
    linked_object: str
    context: str


def build_area_associations(dsds: tuple[DsdDef, ...]) -> tuple[AssociationDef, ...]:
    """One association per hierarchy of CL_AREA and dataflow whose DSD has REF_AREA over it."""
    found = []
    for dsd in dsds:
        dimension = next((d for d in dsd.dimensions if d.id == DIMENSION), None)
        if dimension is None or (dimension.codelist.agency_id, dimension.codelist.id) != CODELIST:
            continue
        for dataflow in dsd.dataflows:
            found += [_association(dsd, dataflow, key, name) for key, name in HIERARCHIES]
    return tuple(found)


def _association(dsd: DsdDef, dataflow: DataflowDef, key: str, name: str) -> AssociationDef:
    hierarchy_id = f"{HCL_ID}_{key}"
    return AssociationDef(
        id=f"HA_AREA_{key}_{dataflow.id}",
        name=f"{name} of REF_AREA in {dataflow.id}",
        description=(
            f"The aggregates of the reference area of {dataflow.id} ({dataflow.name}) are"
            f" those of the hierarchy {hierarchy_id}."
        ),
        hierarchy=_URN.format("codelist.Hierarchy", "IMDX", hierarchy_id, HCL_VERSION),
        linked_object=_URN.format("datastructure.Dimension", dsd.agency_id, dsd.id, dsd.version)
        + f".{DIMENSION}",
        context=_URN.format("datastructure.Dataflow", dsd.agency_id, dataflow.id, dsd.version),
    )


def add_hierarchy_associations(
    structures: etree._Element, associations: tuple[AssociationDef, ...]
) -> etree._Element:
    """str:HierarchyAssociations (SDMX-ML 3.0 `HierarchyAssociationType`)."""
    container = etree.SubElement(structures, f"{{{xml30.STR}}}HierarchyAssociations")
    for association in associations:
        urn = _URN.format("codelist.HierarchyAssociation", "IMDX", association.id, VERSION)
        node = etree.SubElement(
            container,
            f"{{{xml30.STR}}}HierarchyAssociation",
            {
                "id": association.id,
                "urn": urn,
                "agencyID": "IMDX",
                "version": VERSION,
                "isExternalReference": "false",
            },
        )
        for tag, text in (("Name", association.name), ("Description", association.description)):
            etree.SubElement(node, f"{{{xml30.COM}}}{tag}").text = text
            node[-1].set(xml.XML_LANG, "en")
        etree.SubElement(node, f"{{{xml30.STR}}}LinkedHierarchy").text = association.hierarchy
        etree.SubElement(node, f"{{{xml30.STR}}}LinkedObject").text = association.linked_object
        etree.SubElement(node, f"{{{xml30.STR}}}ContextObject").text = association.context
    return container


def write_area_associations(dsds: tuple[DsdDef, ...], target: Path) -> Path:
    """Write the associations as one SDMX-ML 3.0 structure message, `target`/HA_FILE."""
    root, structures = xml30.structure_message("IMDX-HA_AREA")
    add_hierarchy_associations(structures, build_area_associations(dsds))
    return xml.write_message(root, target / HA_FILE)
