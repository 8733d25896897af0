"""The aggregate check takes its aggregates from the hierarchical code lists over a code
list (IMDX:HCL_AREA_M49 and HCL_AREA_SDG over CL_AREA), and from the code list's parents
only when none covers it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sdmx
from lxml import etree

from sdmxnode.refs import ArtefactRef
from sdmxnode.services.structures.info import StructureInfoBuilder, code_hierarchy
from tests.conftest import PROJECT_ROOT, resolver_for

HCL = PROJECT_ROOT / "dsd" / "IMDX-HCL_AREA-1.0.0.xml"
DSD = ArtefactRef("DataStructure", "IMDX", "DSD_MIG_STOCK", "1.0.0")


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _structure_files(hcl: Path | None) -> list[Path]:
    files = sorted((PROJECT_ROOT / "codelists").glob("*.xml"))
    files += [PROJECT_ROOT / "dsd" / "IMDX-CS_MIGRATION-1.0.0.xml"]
    files += [PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"]
    return files + ([hcl] if hcl else [])


def _area_hierarchy(builder: StructureInfoBuilder) -> dict[str, tuple[str, ...]]:
    dimension = next(d for d in builder(DSD).dimensions if d.id == "REF_AREA")
    return dict(dimension.hierarchy)


def _without_sdg_hierarchy(tmp_path: Path) -> Path:
    """The committed file with HCL_AREA_SDG left out (the M49 tree alone)."""
    tree = etree.parse(str(HCL))
    for hcl in list(tree.iter("{*}HierarchicalCodelist")):
        if hcl.get("id") == "HCL_AREA_SDG":
            hcl.getparent().remove(hcl)
    path = tmp_path / "hcl.xml"
    tree.write(str(path))
    return path


def test_the_aggregates_are_those_of_the_hierarchical_code_list(tmp_path: Path) -> None:
    builder = resolver_for(
        _folder(tmp_path / "db"), *_structure_files(_without_sdg_hierarchy(tmp_path))
    )
    members = _area_hierarchy(builder)
    assert members["1"] == ("2", "19", "142", "150", "9", "ATA")
    assert members["15"][:2] == ("DZA", "EGY")
    # the SDG groupings are aggregates of CL_AREA's MEMBERS annotations, not of this HCL
    assert not {"62", "747", "753", "543", "513"} & set(members)


def test_hcl_area_gives_the_aggregates_cl_area_carries(tmp_path: Path) -> None:
    """The committed HCL and CL_AREA's parents and groupings agree aggregate by aggregate,
    in the same order, so the existing aggregate check results stay as they were."""
    with_hcl = resolver_for(_folder(tmp_path / "a"), *_structure_files(HCL))
    without = resolver_for(_folder(tmp_path / "b"), *_structure_files(None))
    assert list(_area_hierarchy(with_hcl).items()) == list(_area_hierarchy(without).items())
    message = sdmx.read_sdmx(PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml")
    assert dict(code_hierarchy(message.codelist["CL_AREA"])) == _area_hierarchy(with_hcl)


def test_two_member_lists_of_one_aggregate_keep_one_and_warn(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Oceania (9) with Australia and New Zealand (53) dropped from the SDG hierarchy only:
    the structure still resolves, with one of the two lists and a warning."""
    tree = etree.parse(str(HCL))
    sdg = next(h for h in tree.iter("{*}HierarchicalCodelist") if h.get("id") == "HCL_AREA_SDG")
    oceania = next(c for c in sdg.iter("{*}HierarchicalCode") if c.get("id") == "9")
    oceania.remove(next(c for c in oceania if c.get("id") == "53"))
    path = tmp_path / "hcl.xml"
    tree.write(str(path))
    builder = resolver_for(_folder(tmp_path / "db"), *_structure_files(path))
    with caplog.at_level("WARNING"):
        members = _area_hierarchy(builder)
    assert members["9"] in (("53", "54", "57", "61"), ("54", "57", "61"))
    assert "9 has two member lists" in caplog.text


HA = PROJECT_ROOT / "dsd" / "IMDX-HA_AREA-1.0.0.xml"
FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
OTHER_FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_NAT", "1.0.0")


def _associations(tmp_path: Path, keep: set[str]) -> Path:
    """The committed hierarchy associations, those whose id is in `keep` alone."""
    tree = etree.parse(str(HA))
    for association in list(tree.iter("{*}HierarchyAssociation")):
        if association.get("id") not in keep:
            association.getparent().remove(association)
    path = tmp_path / "ha.xml"
    tree.write(str(path))
    return path


def _members(builder: StructureInfoBuilder, ref: ArtefactRef) -> dict[str, tuple[str, ...]]:
    return dict(next(d for d in builder(ref).dimensions if d.id == "REF_AREA").hierarchy)


def test_the_committed_associations_keep_the_aggregates_of_every_dataflow(tmp_path: Path) -> None:
    """Both hierarchies are associated with REF_AREA of each dataflow: its aggregates are
    those it had before there were associations, in the same order."""
    files = [*_structure_files(HCL), HA]
    with_associations = resolver_for(_folder(tmp_path / "a"), *files)
    without = resolver_for(_folder(tmp_path / "b"), *_structure_files(HCL))
    for ref in (FLOW, OTHER_FLOW, DSD):
        assert list(_members(with_associations, ref).items()) == list(
            _members(without, ref).items()
        )


def test_an_association_to_the_sdg_hierarchy_alone_narrows_the_checked_aggregates(
    tmp_path: Path,
) -> None:
    """REF_AREA of DF_MIG_STOCK_IMS associated with HCL_AREA_SDG only: its aggregates are
    the SDG regions (World, the continents and the M49 regions outside the SDG tree are
    not checked there); the other dataflow of the DSD and the DSD itself keep both."""
    associations = _associations(tmp_path, {"HA_AREA_SDG_DF_MIG_STOCK_IMS"})
    builder = resolver_for(_folder(tmp_path / "db"), *_structure_files(HCL), associations)
    narrowed = _members(builder, FLOW)
    assert {"747", "202", "513", "543"} <= set(narrowed)
    assert not {"1", "2", "142", "19"} & set(narrowed)
    assert narrowed["747"][:2] == ("15", "145")
    for ref in (OTHER_FLOW, DSD):
        assert {"1", "747"} <= set(_members(builder, ref))


def test_an_association_in_the_context_of_the_dsd_holds_for_each_of_its_dataflows(
    tmp_path: Path,
) -> None:
    tree = etree.parse(str(_associations(tmp_path, {"HA_AREA_M49_DF_MIG_STOCK_IMS"})))
    context = next(tree.iter("{*}ContextObject"))
    context.text = (
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=IMDX:DSD_MIG_STOCK(1.0.0)"
    )
    path = tmp_path / "ha_dsd.xml"
    tree.write(str(path))
    builder = resolver_for(_folder(tmp_path / "db"), *_structure_files(HCL), path)
    for ref in (FLOW, OTHER_FLOW, DSD):
        members = _members(builder, ref)
        assert "1" in members
        assert not {"747", "513", "543"} & set(members)
