"""`sdmxnode load`: exit status, the summary per file, the findings of a refused file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.app import create_app
from sdmxnode.cli import main
from tests.conftest import initialise_from_template

PROJECT = Path(__file__).resolve().parent.parent
SMALL = PROJECT / "fixtures" / "data" / "small"
INVALID = PROJECT / "fixtures" / "invalid"


@pytest.fixture
def initialised(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner on a database holding what `sdmxnode init` leaves with no demo data: the
    project's structures and demo metadata, copied from a template (init itself took 5 to
    10 s a test; tests/test_cli.py runs it)."""
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    application = create_app({"DATABASE_URL": database_url, "DEMO_DATA": "", "TESTING": True})
    initialise_from_template(application.extensions["sdmxnode"])
    application.extensions["sdmxnode"].store.engine.dispose()
    return CliRunner()


def test_load_reports_series_and_observations(initialised: CliRunner) -> None:
    files = [SMALL / "small-structurespecific-21.xml", SMALL / "small-csv20-21.csv"]
    result = initialised.invoke(main, ["load", *map(str, files)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "small-structurespecific-21.xml: IMDX:DF_MIG_STOCK_IMS(1.0.0): "
        "3 series, 21 observations written, 0 deleted"
    )
    # the same observations again: an update of the 21, the series unchanged
    assert lines[1].startswith("small-csv20-21.csv: IMDX:DF_MIG_STOCK_IMS(1.0.0): ")
    assert "21 observations written" in lines[1]


def test_load_exits_1_when_one_file_fails_and_prints_its_findings(
    initialised: CliRunner,
) -> None:
    good = SMALL / "small-generic-21.xml"
    bad = INVALID / "unknown-code.xml"
    result = initialised.invoke(main, ["load", str(bad), str(good)])
    assert result.exit_code == 1
    assert "small-generic-21.xml: IMDX:DF_MIG_STOCK_IMS(1.0.0): 3 series, 21 obs" in result.stdout
    assert "unknown-code.xml" not in result.stdout
    assert "UNKNOWN_CODE" in result.stderr and "'XYZ'" in result.stderr
    assert "line 16" in result.stderr
    assert "unknown-code.xml: not loaded (1 errors)" in result.stderr
    # the failed file stored nothing; the good one is there
    status = initialised.invoke(main, ["init"])
    assert "data: 21 observations in the store" in status.output


def test_load_with_the_dataflow_option(initialised: CliRunner) -> None:
    result = initialised.invoke(
        main,
        ["load", "--dataflow", "IMDX,DF_MIG_STOCK_IMS,1.0.0", str(SMALL / "small-json10-21.json")],
    )
    assert result.exit_code == 0, result.output
    assert "21 observations written" in result.stdout
    wrong = initialised.invoke(
        main, ["load", "--dataflow", "IMDX", str(SMALL / "small-json10-21.json")]
    )
    assert wrong.exit_code == 2 and "AGENCY,ID" in wrong.output


def test_load_refuses_an_unreadable_file(initialised: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_text("this is not SDMX")
    result = initialised.invoke(main, ["load", str(junk)])
    assert result.exit_code == 1
    assert "junk.xml: not loaded" in result.stderr


# --- structure messages: the rules of structure maintenance, with the CLI's admin rights ---


def _write(folder: Path, name: str, body: bytes) -> Path:
    path = folder / name
    path.write_bytes(body)
    return path


def _artefact_count(runner: CliRunner) -> str:
    output = runner.invoke(main, ["init"]).output
    return next(line for line in output.splitlines() if "artefacts in the store" in line)


def test_load_stores_a_structure_message(initialised: CliRunner, tmp_path: Path) -> None:
    from tests.web.test_structure_maintenance import codelist_element, message

    path = _write(tmp_path, "yes-no-1.1.xml", message(codelist_element(version="1.1.0")))
    result = initialised.invoke(main, ["load", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["yes-no-1.1.xml: Codelist IMDX:CL_YES_NO(1.1.0): created"]
    again = initialised.invoke(main, ["load", str(path)])
    assert again.exit_code == 0
    assert again.stdout.splitlines() == [
        "yes-no-1.1.xml: Codelist IMDX:CL_YES_NO(1.1.0): unchanged"
    ]
    audit = initialised.invoke(main, ["audit", "--format", "json"])
    assert "structure.load" in audit.output


def test_load_refuses_a_structure_message_breaking_a_maintenance_rule_whole(
    initialised: CliRunner, tmp_path: Path
) -> None:
    """A final artefact is immutable (as over HTTP); the file's other artefacts are not
    stored either: each file is one transaction."""
    from tests.web.test_structure_maintenance import codelist_element, message

    before = _artefact_count(initialised)
    body = message(
        codelist_element(version="1.2.0"),
        codelist_element(version="1.0.0", final=True, name="Oui ou non"),
    )
    path = _write(tmp_path, "changed-final.xml", body)
    result = initialised.invoke(main, ["load", str(path)])
    assert result.exit_code == 1
    assert "IMDX:CL_YES_NO(1.0.0)" in result.stderr and "immutable" in result.stderr
    assert "changed-final.xml: not loaded" in result.stderr
    assert _artefact_count(initialised) == before


def test_load_refuses_a_structure_message_with_unresolved_references(
    initialised: CliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path, "orphan-flow.xml", _orphan_dataflow())
    result = initialised.invoke(main, ["load", str(path)])
    assert result.exit_code == 1
    assert "IMDX:DF_ORPHAN(1.0.0)" in result.stderr and "DSD_NOPE" in result.stderr


def test_load_refuses_an_sdmx_json_structure_message(
    initialised: CliRunner, database_url: str, tmp_path: Path
) -> None:
    """The node stores SDMX-ML only: an SDMX-JSON structure message is named as such."""
    from sdmxnode.app import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    body = app.test_client().get(
        "/rest/v2/structure/codelist/IMDX/CL_YES_NO/1.0.0",
        headers={"Accept": "application/vnd.sdmx.structure+json;version=2.0.0"},
    )
    path = _write(tmp_path, "yes-no.json", body.get_data())
    result = initialised.invoke(main, ["load", str(path)])
    assert result.exit_code == 1
    assert "SDMX-JSON structure" in result.stderr


def _orphan_dataflow() -> bytes:
    """A structure message holding one dataflow whose DSD is nowhere."""
    from lxml import etree

    from sdmxnode.formats.sdmxml import NS21

    tree = etree.parse(str(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"))
    structures = tree.find(f".//{{{NS21['mes']}}}Structures")
    flows = structures.find(f"{{{NS21['str']}}}Dataflows")
    for child in list(structures):
        if child is not flows:
            structures.remove(child)
    for flow in list(flows)[1:]:
        flows.remove(flow)
    flow = flows[0]
    flow.set("id", "DF_ORPHAN")
    flow.attrib.pop("urn", None)
    flow.find(f".//{{{NS21['str']}}}Structure/Ref").set("id", "DSD_NOPE")
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def test_load_takes_sdmx_ml_30_structures_compressed(
    initialised: CliRunner, corpus: Path, tmp_path: Path
) -> None:
    """Eurostat's CL_FREQ in SDMX-ML 3.0 (corpus), gzipped; --dataflow is for data only."""
    import gzip

    path = tmp_path / "ESTAT-CL_FREQ-v30.xml.gz"
    path.write_bytes(gzip.compress((corpus / "ESTAT-CL_FREQ-v30.xml").read_bytes()))
    result = initialised.invoke(main, ["load", str(path)])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert line == f"{path.name}: Codelist ESTAT:FREQ(3.9): created"
    wrong = initialised.invoke(main, ["load", "--dataflow", "IMDX,DF_MIG_STOCK_IMS", str(path)])
    assert wrong.exit_code == 2 and "structure message" in wrong.output


def test_validate_and_load_take_sdmx_ml_31_data(
    initialised: CliRunner, database_url: str, tmp_path: Path
) -> None:
    """An SDMX-ML 3.1 data message (the node's own answer) is validated and loaded."""
    from sdmxnode.app import create_app

    assert initialised.invoke(main, ["load", str(SMALL / "small-csv10-21.csv")]).exit_code == 0
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    body = app.test_client().get(
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*.*.*.*.*.*.*.*",
        headers={"Accept": "application/vnd.sdmx.data+xml;version=3.1.0"},
    )
    assert b"/v3_1/message" in body.get_data()
    path = _write(tmp_path, "small-31.xml", body.get_data())
    validated = initialised.invoke(main, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    broken = _write(
        tmp_path, "broken-31.xml", body.get_data().replace(b"<mes:Test>false", b"<mes:Test>no")
    )
    refused = initialised.invoke(main, ["validate", str(broken)])
    assert refused.exit_code != 0
    assert "SDMX-ML 3.1 XSD" in refused.output
    loaded = initialised.invoke(main, ["load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "small-31.xml: IMDX:DF_MIG_STOCK_IMS(1.0.0): " in loaded.stdout
    assert "21 observations written" in loaded.stdout
