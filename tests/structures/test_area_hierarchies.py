"""IMDX:HCL_AREA_M49 and HCL_AREA_SDG: the M49 and SDG hierarchies of CL_AREA, checked
against the codes' parents and against the SDG region blocks of the UN DESA table."""

from __future__ import annotations

import csv

import pytest
import sdmx

from sdmxnode.authoring.areas import NOT_IN_M49, area_id_for_m49
from sdmxnode.authoring.demo import DESA_TO_M49
from sdmxnode.authoring.hierarchies import SDG_REGIONS, HierarchyNode
from tests.structures.conftest import DESA_CSV, PROJECT, needs_shared_data

pytest.importorskip("pycountry", reason="pycountry (authoring extra) not installed")

HCL_FILE = PROJECT / "dsd" / "IMDX-HCL_AREA-1.0.0.xml"


@pytest.fixture(scope="module")
def hierarchies() -> dict[str, dict[str, tuple[str, ...]]]:
    """Hierarchy id -> aggregate code -> member codes, as sdmx1 reads the committed file."""
    hcls = sdmx.read_sdmx(HCL_FILE).hierarchical_codelist
    assert sorted(hcls) == ["HCL_AREA_M49", "HCL_AREA_SDG"]
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for hierarchy in (h for hcl in hcls.values() for h in hcl.hierarchy):
        members: dict[str, tuple[str, ...]] = {}
        stack = list(hierarchy.codes.values())
        while stack:
            code = stack.pop()
            if code.child:
                assert code.code.id not in members or members[code.code.id] == tuple(
                    c.code.id for c in code.child
                ), f"{code.code.id} has two member lists in {hierarchy.id}"
                members[code.code.id] = tuple(c.code.id for c in code.child)
                stack.extend(code.child)
        found[hierarchy.id] = members
    return found


def _descendants(members: dict[str, tuple[str, ...]], code: str) -> set[str]:
    found: set[str] = set()
    stack = [code]
    while stack:
        for child in members.get(stack.pop(), ()):
            found.add(child)
            stack.append(child)
    return found


def test_the_m49_hierarchy_is_the_tree_of_cl_area_parents(
    hierarchies: dict, codelists: dict
) -> None:
    parents = codelists[("IMDX", "CL_AREA", "1.0.0")]
    expected: dict[str, list[str]] = {}
    for code, parent in parents.items():
        if parent is not None:
            expected.setdefault(parent, []).append(code)
    assert hierarchies["M49"] == {k: tuple(v) for k, v in expected.items()}
    world = _descendants(hierarchies["M49"], "1")
    countries = {code for code in parents if not code.isdigit()}
    assert countries - world == set(NOT_IN_M49)


def test_the_sdg_hierarchy_has_the_sdg_regions_and_groupings(hierarchies: dict) -> None:
    sdg = hierarchies["SDG"]
    assert sdg["747"] == ("15", "145")
    assert sdg["62"] == ("143", "34")
    assert sdg["753"] == ("30", "35")
    assert sdg["513"] == ("150", "21")
    assert sdg["543"] == ("54", "57", "61")
    assert sdg["9"] == ("53", "54", "57", "61")
    # every country M49 lists is in exactly one of the DESA table's SDG regions
    desa_regions = [code for code in SDG_REGIONS if code != "543"]
    seen: list[str] = []
    for region in desa_regions:
        seen += [c for c in _descendants(sdg, region) if not c.isdigit()]
    assert len(seen) == len(set(seen))
    in_m49 = {c for c in _descendants(hierarchies["M49"], "1") if not c.isdigit()}
    # Antarctica sits directly under World in M49 and in no SDG region
    assert set(seen) == in_m49 - {"ATA"}


@needs_shared_data
def test_sdg_regions_hold_the_countries_desa_lists_under_them(hierarchies: dict) -> None:
    with DESA_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    start = next(i for i, row in enumerate(rows) if row[1].startswith("Sustainable Development"))
    tops = set(SDG_REGIONS)
    region = None
    checked = 0
    for row in rows[start + 1 :]:
        if not row[3].strip():
            continue
        numeric = int(row[3])
        if numeric in DESA_TO_M49:
            if DESA_TO_M49[numeric] in tops:
                region = DESA_TO_M49[numeric]
            continue
        assert region is not None
        country = area_id_for_m49(numeric)
        assert country in _descendants(hierarchies["SDG"], region), (country, region)
        checked += 1
    assert checked > 200


def test_hierarchical_code_ids_are_unique_within_a_hierarchy() -> None:
    from sdmxnode.authoring.areas import build_area_codelist
    from sdmxnode.authoring.hierarchies import build_area_hierarchies

    hcls = build_area_hierarchies(build_area_codelist())
    assert [len(hcl.hierarchies) for hcl in hcls] == [1, 1]  # one per list: see the module
    for hierarchy in (h for hcl in hcls for h in hcl.hierarchies):
        ids: list[str] = []
        stack: list[HierarchyNode] = list(hierarchy.roots)
        while stack:
            node = stack.pop()
            ids.append(node.id)
            stack.extend(node.children)
        assert len(ids) == len(set(ids)), hierarchy.id
