"""IMDX:RM_ISO_ALPHA2_AREA and IMDX:RM_M49_AREA (1.0.0): ISO 3166-1 alpha-2 codes and UNSD M49
numeric codes onto IMDX:CL_AREA, as SDMX 3.0 representation maps.

Read off CL_AREA itself, never typed twice: a country's rule comes from its `ISO_ALPHA2` and
`M49` annotations (`authoring.areas`); an M49 region or grouping, whose CL_AREA id is its
M49 number, maps from that number. M49 codes are written as UNSD writes them, three digits
with leading zeros (`004` Afghanistan, `001` World); a source writing `4` maps through a
structure map rule of its own. Two areas with one ISO or M49 code would make a map send
two series onto one: authoring refuses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sdmxnode.authoring import xml, xml30
from sdmxnode.authoring.artefacts import CodelistDef
from sdmxnode.errors import Invalid

RM_FILE = "IMDX-RM_AREA-1.0.0.xml"
VERSION = "1.0.0"
URN = "urn:sdmx:org.sdmx.infomodel.structuremapping.RepresentationMap=IMDX:{}(1.0.0)"


@dataclass(frozen=True)
class AreaMapDef:
    """One representation map onto CL_AREA: id, English name and description, rules."""

    id: str
    name: str
    description: str
    rules: tuple[tuple[str, str], ...]  # (source code, CL_AREA code), sorted by source


def unique_rules(pairs: list[tuple[str, str]], map_id: str) -> tuple[tuple[str, str], ...]:
    """The (source, target) rules sorted by source; Invalid when a source has two targets
    or a target two sources."""
    seen: dict[str, str] = {}
    for source, target in pairs:
        if source in seen and seen[source] != target:
            raise Invalid(f"{map_id}: {source} is the code of both {seen[source]} and {target}")
        seen[source] = target
    targets = sorted(seen.values())
    doubled = {t for t in targets if targets.count(t) > 1}
    if doubled:
        raise Invalid(f"{map_id}: {sorted(doubled)} have more than one source code")
    return tuple(sorted(seen.items()))


def build_area_maps(area: CodelistDef) -> tuple[AreaMapDef, AreaMapDef]:
    """The ISO alpha-2 and the M49 map of the code list `area` (IMDX:CL_AREA)."""
    iso: list[tuple[str, str]] = []
    m49: list[tuple[str, str]] = []
    for code in area.codes:
        for annotation in code.annotations:
            if annotation.type == "ISO_ALPHA2":
                iso.append((annotation.text, code.id))
            elif annotation.type == "M49":
                m49.append((annotation.text.zfill(3), code.id))
        if code.id.isdigit():  # an M49 region or grouping
            m49.append((code.id.zfill(3), code.id))
    return (
        AreaMapDef(
            "RM_ISO_ALPHA2_AREA",
            "ISO 3166-1 alpha-2 country codes onto CL_AREA",
            "Each country or area of CL_AREA from its ISO 3166-1 alpha-2 code (the code's "
            "ISO_ALPHA2 annotation).",
            unique_rules(iso, "RM_ISO_ALPHA2_AREA"),
        ),
        AreaMapDef(
            "RM_M49_AREA",
            "UNSD M49 numeric codes onto CL_AREA",
            "Each country or area from its M49 code (the code's M49 annotation) and each M49 "
            "region or grouping from its number, written with three digits as UNSD does.",
            unique_rules(m49, "RM_M49_AREA"),
        ),
    )


def add_area_map(structures: etree._Element, area: CodelistDef, definition: AreaMapDef) -> None:
    """One str:RepresentationMap (String -> CL_AREA) under str:RepresentationMaps."""
    container = structures.find(f"{{{xml30.STR}}}RepresentationMaps")
    if container is None:
        container = etree.SubElement(structures, f"{{{xml30.STR}}}RepresentationMaps")
    node = etree.SubElement(
        container,
        f"{{{xml30.STR}}}RepresentationMap",
        {
            "urn": URN.format(definition.id),
            "isExternalReference": "false",
            "agencyID": area.agency_id,
            "id": definition.id,
            "version": VERSION,
        },
    )
    for tag, text in (("Name", definition.name), ("Description", definition.description)):
        etree.SubElement(node, f"{{{xml30.COM}}}{tag}").text = text
        node[-1].set(xml.XML_LANG, "en")
    etree.SubElement(node, f"{{{xml30.STR}}}SourceDataType").text = "String"
    etree.SubElement(node, f"{{{xml30.STR}}}TargetCodelist").text = area.urn
    for source, target in definition.rules:
        mapping = etree.SubElement(node, f"{{{xml30.STR}}}RepresentationMapping")
        etree.SubElement(mapping, f"{{{xml30.STR}}}SourceValue").text = source
        etree.SubElement(mapping, f"{{{xml30.STR}}}TargetValue").text = target


def write_area_maps(area: CodelistDef, target: Path) -> Path:
    """Write both maps as one SDMX-ML 3.0 structure message, `target`/RM_FILE."""
    root, structures = xml30.structure_message("IMDX-RM_AREA")
    for definition in build_area_maps(area):
        add_area_map(structures, area, definition)
    return xml.write_message(root, target / RM_FILE)
