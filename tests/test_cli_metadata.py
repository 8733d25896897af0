"""`sdmxnode load` and `sdmxnode validate` on reference-metadata messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.cli import main

METADATA = Path(__file__).resolve().parent.parent / "fixtures" / "metadata"
MSD = METADATA / "TEST-MSD_MIG.xml"
KENYA = METADATA / "TEST-MDF_MIG-KEN.xml"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_STRUCTURE_DIRS", "")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_load_stores_a_metadata_set_and_refuses_a_bad_one(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(main, ["--log-level", "error", "load", str(MSD), str(KENYA)])
    assert result.exit_code == 0, result.output
    assert "TEST-MDF_MIG-KEN.xml: metadata set TEST:MDS_KEN(1.0): created" in result.stdout
    bad = tmp_path / "bad.xml"
    bad.write_bytes(KENYA.read_bytes().replace(b'value="FB"', b'value="XX"'))
    result = cli.invoke(main, ["--log-level", "error", "load", str(bad)])
    assert result.exit_code == 1
    assert "UNKNOWN_CODE" in result.stderr and "bad.xml: not loaded (1 errors)" in result.stderr


def test_validate_checks_metadata_against_the_structures_given(
    cli: CliRunner, tmp_path: Path
) -> None:
    arguments = ["--log-level", "error", "validate", "--format", "json", "--structure", str(MSD)]
    result = cli.invoke(main, [*arguments, str(KENYA)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["TEST-MDF_MIG-KEN.xml"]["valid"] is True
    bad = tmp_path / "bad.xml"
    bad.write_bytes(KENYA.read_bytes().replace(b"<p>Refugees", b"<script>x()</script><p>R"))
    result = cli.invoke(main, [*arguments, str(bad)])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["bad.xml"]["findings"]
    assert (finding["code"], finding["component"], finding["report"]) == (
        "UNSAFE_XHTML",
        "NOTE",
        "MIG_REPORT",
    )


def test_the_esms_sample_validates_against_the_msd_named(cli: CliRunner, corpus: Path) -> None:
    arguments = [
        "--log-level",
        "error",
        "validate",
        "--format",
        "json",
        "--structure",
        str(corpus / "ESTAT-esms-structure.xml"),
        "--structure",
        str(METADATA / "ESTAT-DATA_PROVIDERS-for-esms.xml"),
    ]
    named = cli.invoke(main, [*arguments, str(corpus / "ESTAT-esms.xml")])
    assert named.exit_code == 1  # its header names ESTAT:ESMS(1.0), not the MSD it comes with
    codes = {f["code"] for f in json.loads(named.stdout)["ESTAT-esms.xml"]["findings"]}
    assert codes == {"UNKNOWN_STRUCTURE"}
    chosen = cli.invoke(
        main,
        [
            *arguments,
            "--metadata-structure",
            "MetadataStructure=ESTAT:ESMS_SIMPLE(1.0)",
            str(corpus / "ESTAT-esms.xml"),
        ],
    )
    assert chosen.exit_code == 0, chosen.output
