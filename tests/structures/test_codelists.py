"""Code list and structure files: official 2.1 XSD, sdmx1 reading, ids, official code sets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sdmx
from lxml import etree

from tests.structures.conftest import NS, PROJECT, is_sdmx_ml_30, structure_files

# SDMX 2.1 IDType (common.xsd) and the 3.0 semantic version pattern used by IMDX artefacts.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_@$\-]+$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def test_repository_ships_structures() -> None:
    names = {path.name for path in structure_files()}
    assert "IMDX-CL_AREA-1.0.0.xml" in names
    assert "IMDX-DSD_MIG_STOCK-1.0.0.xml" in names
    assert len([name for name in names if "-DSD_" in name]) == 8


@pytest.mark.parametrize("path", structure_files(), ids=lambda path: path.name)
def test_file_is_valid_sdmx_ml(
    path: Path, sdmx21_schema: etree.XMLSchema, sdmx30_schema: etree.XMLSchema
) -> None:
    """SDMX-ML 2.1, except the metadata structure file: SDMX-ML 3.0 (a 2.1 metadataflow
    cannot name its targets)."""
    document = etree.parse(str(path))
    schema = sdmx30_schema if is_sdmx_ml_30(document) else sdmx21_schema
    assert schema.validate(document), [str(error) for error in schema.error_log][:5]


def test_only_what_sdmx_21_cannot_say_is_sdmx_ml_30() -> None:
    """The metadata structure (a 2.1 metadataflow cannot name its targets), the
    representation maps and hierarchy associations (SDMX 2.1 has none) and the process (it
    reads the maps) are SDMX-ML 3.0; everything else is 2.1."""
    ml30 = [path.name for path in structure_files() if is_sdmx_ml_30(etree.parse(str(path)))]
    assert sorted(ml30) == [
        "IMDX-HA_AREA-1.0.0.xml",
        "IMDX-MSD_MIG_COMPARABILITY-1.0.0.xml",
        "IMDX-PROC_MIG_EXCHANGE-1.0.0.xml",
        "IMDX-RM_AREA-1.0.0.xml",
        "IMDX-RM_IMS2017-1.0.0.xml",
    ]


#: Files of artefacts no client models: sdmx1 has no reader for reporting taxonomies and
#: processes, pysdmx no model of them (the node writes them from their elements, and keeps
#: them out of general `references`: `services.structures.queries.NAMED_PARENTS`).
UNMODELLED = ("IMDX-RT_MIGRATION-1.0.0.xml", "IMDX-PROC_MIG_EXCHANGE-1.0.0.xml")


@pytest.mark.parametrize("path", structure_files(), ids=lambda path: path.name)
def test_file_reads_with_sdmx1_or_pysdmx(path: Path) -> None:
    """sdmx1 2.28 cannot read 3.0 metadataflows (KeyError 'Structure', see
    `sdmxnode.formats.sdmxml.sdmx1_gaps`): the 3.0 file is read with pysdmx."""
    if path.name in UNMODELLED:
        # Fails once sdmx1 reads them: then they may join the general references again.
        with pytest.raises(sdmx.exceptions.XMLParseError, match="NotImplementedError"):
            sdmx.read_sdmx(path)
        return
    if is_sdmx_ml_30(etree.parse(str(path))):
        from pysdmx.io import read_sdmx

        assert read_sdmx(path.read_text(encoding="utf-8")).structures
        return
    message = sdmx.read_sdmx(path)
    assert isinstance(message, sdmx.message.StructureMessage)
    assert any(len(collection) for collection in message.iter_collections())


@pytest.mark.parametrize("path", structure_files(), ids=lambda path: path.name)
def test_ids_are_valid_sdmx_ids(path: Path) -> None:
    document = etree.parse(str(path))
    ids = [element.get("id") for element in document.iter() if element.get("id") is not None]
    assert ids
    bad = [id for id in ids if not ID_PATTERN.match(id)]
    assert not bad


def test_imdx_artefacts_use_version_100(codelists: dict) -> None:
    for path in structure_files():
        for element in etree.parse(str(path)).iter():
            if element.get("agencyID") == "IMDX" and element.get("isFinal") is not None:
                # SDMX 2.1 fixes the version of agency, data provider and consumer schemes.
                fixed = element.tag.endswith(
                    ("AgencyScheme", "DataProviderScheme", "DataConsumerScheme")
                )
                expected = "1.0" if fixed else "1.0.0"
                assert element.get("version") == expected, (path.name, element.get("id"))
                if expected == "1.0.0":
                    assert SEMVER.match(element.get("version"))


def test_codelist_files_are_named_agency_id_version() -> None:
    for path in sorted((PROJECT / "codelists").glob("*.xml")):
        lists = etree.parse(str(path)).findall(".//str:Codelist", NS)
        assert len(lists) == 1, path.name
        codelist = lists[0]
        expected = f"{codelist.get('agencyID')}-{codelist.get('id')}-{codelist.get('version')}.xml"
        assert path.name == expected


def test_every_codelist_records_its_source() -> None:
    for path in sorted((PROJECT / "codelists").glob("*.xml")):
        codelist = etree.parse(str(path)).find(".//str:Codelist", NS)
        types = [node.text for node in codelist.findall("com:Annotations/*/com:AnnotationType", NS)]
        assert "SOURCE" in types, path.name


def test_parents_exist_and_have_no_cycles(codelists: dict) -> None:
    for key, codes in codelists.items():
        for code, parent in codes.items():
            seen = {code}
            while parent is not None:
                assert parent in codes, (key, code, parent)
                assert parent not in seen, (key, code, "cycle")
                seen.add(parent)
                parent = codes[parent]


def test_cross_domain_lists_have_the_official_codes(codelists: dict) -> None:
    assert set(codelists[("SDMX", "CL_FREQ", "2.0")]) == set("ASQMWDHBN")
    obs_status = set(codelists[("SDMX", "CL_OBS_STATUS", "2.1")])
    assert obs_status == set("ABDEFGHIJKLMNOPQSUVW")
    assert set(codelists[("SDMX", "CL_CONF_STATUS", "1.0")]) == set("FNCDS")
    unit_mult = {int(code) for code in codelists[("SDMX", "CL_UNIT_MULT", "1.1")]}
    assert unit_mult == set(range(-15, 16))
    assert {int(code) for code in codelists[("SDMX", "CL_DECIMALS", "1.0")]} == set(range(16))
    assert set(codelists[("IAEG-SDGs", "CL_SEX", "1.0")]) == {"F", "M", "_N", "_O", "_U", "_T"}
    age = codelists[("IAEG-SDGs", "CL_AGE", "1.0")]
    assert len(age) == 127 and {"_T", "Y0T17", "Y_GE18", "Y15T64"} <= set(age)


def test_data_type_codes_cover_every_desa_letter_combination(codelists: dict) -> None:
    codes = set(codelists[("IMDX", "CL_DATA_TYPE_IMS", "1.0.0")])
    for code in codes:
        assert set(code) <= set("BCIR")


def test_reason_has_family_reunification_and_formation_under_family(codelists: dict) -> None:
    reason = codelists[("IMDX", "CL_REASON", "1.0.0")]
    assert reason["FAM_REU"] == "FAM" and reason["FAM_FORM"] == "FAM"


def test_mobility_categories_include_gats_mode4(codelists: dict) -> None:
    categories = set(codelists[("IMDX", "CL_MOBILITY_CAT", "1.0.0")])
    assert {"ICT", "BUS_VIS", "CSS", "IND_SS"} <= categories
