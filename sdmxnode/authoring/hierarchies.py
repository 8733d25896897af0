"""IMDX:HCL_AREA_M49 and IMDX:HCL_AREA_SDG (1.0.0): the UN M49 geographic hierarchy and the
SDG regional groupings over IMDX:CL_AREA, as SDMX 2.1 hierarchical code lists.

Both hierarchies are read off CL_AREA itself, never typed twice: the geographic tree is the
codes' `Parent` (UNSD M49 overview, `authoring.areas`), the SDG regions are the M49 regions
and groupings that UN DESA's International Migrant Stock 2019, Table 1, lists under
"Sustainable Development Goal (SDG) regions" (`SDG_REGIONS`, in the table's order), plus
the M49 SDG grouping "Oceania (excluding Australia and New Zealand)" (543), which the SDG
indicator database reports and CL_AREA holds. A grouping's members are its `MEMBERS`
annotation, a region's members its children; below them every region unfolds down to its
countries as in the geographic tree. The tests cross-check the SDG blocks against the DESA
table. Countries M49 does not list (`areas.NOT_IN_M49`) and groupings without listed members
(the least developed countries, 199) are in neither hierarchy.

One hierarchy per hierarchical code list: SDMX 3.0 made the hierarchy itself maintainable
(`Hierarchy`), so a 2.1 list holding one hierarchy is the same artefact, under the same
id, on both API lines (1.5 `hierarchicalcodelist`, 2.x `hierarchy`); a 2.1 list with two
would give 3.0 hierarchies that no query could name (`formats.sdmxml.structure30.usages`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sdmxnode.authoring.artefacts import CodelistDef
from sdmxnode.errors import Invalid

HCL_ID = "HCL_AREA"
HCL_VERSION = "1.0.0"
#: Both hierarchical code lists are written to this one file of dsd/.
HCL_FILE = f"IMDX-{HCL_ID}-{HCL_VERSION}.xml"
#: The alias under which the HCL includes CL_AREA (str:IncludedCodelist).
AREA_ALIAS = "AREA"

#: The SDG regions of the DESA table, as M49 ids of CL_AREA, and 543 (see the docstring).
SDG_REGIONS: tuple[str, ...] = ("202", "747", "62", "753", "419", "9", "513", "543")


@dataclass(frozen=True)
class HierarchyNode:
    """One hierarchical code: the CL_AREA code it stands for and its children."""

    id: str  # unique within the hierarchy
    code: str  # CL_AREA code id
    children: tuple[HierarchyNode, ...] = ()


@dataclass(frozen=True)
class HierarchyDef:
    """One hierarchy of the HCL: id, English name, description and its top codes."""

    id: str
    name: str
    description: str
    roots: tuple[HierarchyNode, ...]

    def members(self) -> dict[str, tuple[str, ...]]:
        """Aggregate code -> member codes, over the whole tree."""
        found: dict[str, tuple[str, ...]] = {}
        stack = list(self.roots)
        while stack:
            node = stack.pop()
            if node.children:
                found[node.code] = tuple(child.code for child in node.children)
                stack.extend(node.children)
        return found


@dataclass(frozen=True)
class HierarchicalCodelistDef:
    """A hierarchical code list over one code list."""

    agency_id: str
    id: str
    version: str
    names: Mapping[str, str]
    description: str
    source: str
    codelist: CodelistDef
    hierarchies: tuple[HierarchyDef, ...]


def _children(area: CodelistDef) -> dict[str, list[str]]:
    """Geographic children (codes naming each code as `Parent`), in CL_AREA's order."""
    children: dict[str, list[str]] = {}
    for code in area.codes:
        if code.parent is not None:
            children.setdefault(code.parent, []).append(code.id)
    return children


def _grouping_members(area: CodelistDef) -> dict[str, list[str]]:
    """The `MEMBERS` annotation of each grouping of CL_AREA (groupings cut across the tree)."""
    found: dict[str, list[str]] = {}
    for code in area.codes:
        for annotation in code.annotations:
            if annotation.type == "MEMBERS" and annotation.text.split():
                found[code.id] = annotation.text.split()
    return found


def _tree(
    code: str, members: Mapping[str, list[str]], children: Mapping[str, list[str]], used: set[str]
) -> HierarchyNode:
    """`code` unfolded through `members` (first level) and then the geographic `children`;
    a code met twice in one hierarchy (a sub-region under 9 and under 543) gets the id
    ``{parent}_{code}``, since hierarchical code ids are unique within a hierarchy."""

    def unfold(code: str, parent: str | None, kids: Mapping[str, list[str]]) -> HierarchyNode:
        node_id = code if code not in used else f"{parent}_{code}"
        if node_id in used:
            raise Invalid(f"{code} occurs twice under {parent} in one hierarchy")
        used.add(node_id)
        below = tuple(unfold(child, code, children) for child in kids.get(code, ()))
        return HierarchyNode(node_id, code, below)

    return unfold(code, None, members)


def build_area_hierarchies(area: CodelistDef) -> tuple[HierarchicalCodelistDef, ...]:
    """IMDX:HCL_AREA_M49 and IMDX:HCL_AREA_SDG (1.0.0) over `area` (IMDX:CL_AREA(1.0.0))."""
    children = _children(area)
    known = {code.id for code in area.codes}
    missing = [code for code in SDG_REGIONS if code not in known]
    if missing:
        raise Invalid(f"SDG regions {missing} are not codes of {area.id}")
    tops = [code.id for code in area.codes if code.parent is None and code.id in children]
    used: set[str] = set()
    geographic = tuple(_tree(code, children, children, used) for code in tops)
    sdg_members = {**children, **_grouping_members(area)}
    used = set()
    sdg = tuple(_tree(code, sdg_members, children, used) for code in SDG_REGIONS)
    over = f" over {area.agency_id}:{area.id}({area.version})."
    m49 = HierarchyDef(
        "M49",
        "UN M49 geographic regions",
        "World, regions, sub-regions and intermediate regions down to each country or area,"
        " as in the M49 overview.",
        geographic,
    )
    sdg_hierarchy = HierarchyDef(
        "SDG",
        "SDG regional groupings",
        "The SDG regions of the UN DESA migrant stock table, and Oceania excluding Australia"
        " and New Zealand, with their M49 sub-regions down to each country or area.",
        sdg,
    )
    return (
        HierarchicalCodelistDef(
            agency_id=area.agency_id,
            id=f"{HCL_ID}_M49",
            version=HCL_VERSION,
            names={"en": "UN M49 geographic regions of the countries and areas"},
            description="The UN M49 geographic hierarchy" + over,
            source="UNSD, Standard country or area codes for statistical use (M49).",
            codelist=area,
            hierarchies=(m49,),
        ),
        HierarchicalCodelistDef(
            agency_id=area.agency_id,
            id=f"{HCL_ID}_SDG",
            version=HCL_VERSION,
            names={"en": "SDG regional groupings of the countries and areas"},
            description="The SDG regional groupings of UN M49" + over,
            source=(
                "UNSD, Standard country or area codes for statistical use (M49): SDG regional"
                " groupings; UN DESA, International Migrant Stock 2019, Table 1: the SDG"
                " regions and their sub-regions."
            ),
            codelist=area,
            hierarchies=(sdg_hierarchy,),
        ),
    )
