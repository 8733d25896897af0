"""IMDX:RM_ISO_ALPHA2_AREA and RM_M49_AREA: the committed file is what authoring makes of
CL_AREA, every annotated code has exactly its rule, and a source in either coding converts."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.formats.sdmxml.maps import read_representation_map
from sdmxnode.services.mapping.values import ValueMapper
from tests.structures.conftest import PROJECT

pytest.importorskip("pycountry", reason="pycountry (authoring extra) not installed")

RM_FILE = PROJECT / "dsd" / "IMDX-RM_AREA-1.0.0.xml"
AREA_FILE = PROJECT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"


def maps() -> dict[str, ValueMapper]:
    return {
        mapping.ref.id: ValueMapper(mapping)
        for mapping in (
            read_representation_map(e)
            for e in etree.parse(str(RM_FILE)).iter("{*}RepresentationMap")
        )
    }


def annotated(kind: str) -> dict[str, str]:
    """CL_AREA code -> the text of its `kind` annotation, read from the code list file."""
    found = {}
    for code in etree.parse(str(AREA_FILE)).iter("{*}Code"):
        for annotation in code.iter(f"{COM}Annotation"):
            if annotation.findtext(f"{COM}AnnotationType") == kind:
                found[code.get("id")] = annotation.findtext(f"{COM}AnnotationText")
    return found


def test_the_committed_file_is_what_authoring_makes(tmp_path: Path) -> None:
    from sdmxnode.authoring.area_maps import write_area_maps
    from sdmxnode.authoring.areas import build_area_codelist

    written = write_area_maps(build_area_codelist(), tmp_path)
    assert written.read_bytes() == RM_FILE.read_bytes()


def test_every_iso_code_maps_to_its_area_and_nothing_else_does() -> None:
    iso = maps()["RM_ISO_ALPHA2_AREA"]
    codes = annotated("ISO_ALPHA2")
    assert len(codes) > 240
    for area, alpha2 in codes.items():
        assert iso.map((alpha2,)) == (area,), alpha2
    assert len(iso.mapping.rules) == len(codes)
    assert iso.map(("XX",)) is None and not iso.has_patterns and not iso.shared


def test_every_m49_code_and_region_maps_with_three_digits() -> None:
    m49 = maps()["RM_M49_AREA"]
    codes = annotated("M49")
    regions = [
        c.get("id") for c in etree.parse(str(AREA_FILE)).iter("{*}Code") if c.get("id").isdigit()
    ]
    for area, number in codes.items():
        assert m49.map((number.zfill(3),)) == (area,), number
    for region in regions:
        assert m49.map((region.zfill(3),)) == (region,)
    assert len(m49.mapping.rules) == len(codes) + len(regions)
    assert m49.map(("404",)) == ("KEN",) and m49.map(("840",)) == ("USA",)
    assert m49.map(("001",)) == ("1",) and m49.map(("4",)) is None
    assert not m49.shared


def test_init_holds_both_maps(migration_client) -> None:  # type: ignore[no-untyped-def]
    for map_id in ("RM_ISO_ALPHA2_AREA", "RM_M49_AREA"):
        answer = migration_client.get(
            f"/rest/v2/structure/representationmap/IMDX/{map_id}/1.0.0",
            headers={"Accept": "application/vnd.sdmx.structure+xml;version=3.0.0"},
        )
        assert answer.status_code == 200, map_id
        assert map_id.encode() in answer.get_data()
