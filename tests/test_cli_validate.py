"""`sdmxnode validate`: reports without storing, exit status says valid or not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.cli import main
from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
INVALID = PROJECT_ROOT / "fixtures" / "invalid"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", f"sqlite:///{tmp_path / 'never-created.db'}")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_valid_data_and_structure_messages(runner: CliRunner, tmp_path: Path) -> None:
    structure = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"
    result = runner.invoke(main, ["validate", str(DEMO), str(structure)])
    assert result.exit_code == 0, result.output
    assert "valid: 0 error(s), 0 warning(s); 1 data set(s), 798 series, 5538" in result.output
    assert not (tmp_path / "never-created.db").exists()  # nothing stored anywhere


def test_invalid_message_exit_1_with_its_finding(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["validate", str(DEMO), str(INVALID / "unknown-code.xml"), "--format", "json"]
    )
    assert result.exit_code == 1
    reports = json.loads(result.output)
    assert reports[DEMO.name]["valid"] is True
    bad = reports["unknown-code.xml"]
    assert bad["valid"] is False
    assert [(f["code"], f["line"], f["component"]) for f in bad["findings"]] == [
        ("UNKNOWN_CODE", 16, "REF_AREA")
    ]


@pytest.mark.corpus
def test_validates_against_structures_given(runner: CliRunner, corpus: Path) -> None:
    data = corpus / "ECB-EXR-M.USD.EUR.SP00.A.xml"
    without = runner.invoke(main, ["validate", str(data)])
    assert without.exit_code == 1 and "UNKNOWN_STRUCTURE" in without.output
    structures = corpus / "ECB-EXR-structure-full.xml"
    given = runner.invoke(main, ["validate", "--structure", str(structures), str(data)])
    assert given.exit_code == 0, given.output
    assert "252 observation(s)" in given.output
    refused = runner.invoke(main, ["validate", str(corpus / "BIS-gh-180.xml")])
    assert refused.exit_code == 1 and "SCHEMA" in refused.output and "line 37" in refused.output


# --- structure messages: schema, references and the rules of structure maintenance ------


def test_structure_message_checked_against_the_maintenance_rules(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Against the project's structures (and those given), as `load` would apply them:
    a new version is valid, a changed final artefact and a dangling reference are not;
    nothing is stored anywhere."""
    from tests.test_cli_load import _orphan_dataflow
    from tests.web.test_structure_maintenance import codelist_element, message

    new = tmp_path / "new-version.xml"
    new.write_bytes(message(codelist_element(version="1.1.0")))
    changed = tmp_path / "changed-final.xml"
    changed.write_bytes(message(codelist_element(version="1.0.0", final=True, name="Oui")))
    orphan = tmp_path / "orphan-flow.xml"
    orphan.write_bytes(_orphan_dataflow())
    result = runner.invoke(
        main, ["validate", str(new), str(changed), str(orphan), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    reports = json.loads(result.output)
    assert reports["new-version.xml"]["valid"] is True
    assert reports["new-version.xml"]["findings"] == []
    # the message is sound; the structures it is checked against hold otherwise
    assert reports["changed-final.xml"]["valid"] is True
    (final,) = reports["changed-final.xml"]["findings"]
    assert final["code"] == "STRUCTURE_REFUSED" and final["severity"] == "warning"
    assert "IMDX:CL_YES_NO(1.0.0)" in final["message"] and "immutable" in final["message"]
    assert reports["orphan-flow.xml"]["valid"] is False
    (dangling,) = reports["orphan-flow.xml"]["findings"]
    assert dangling["code"] == "UNRESOLVED_REFERENCE" and dangling["severity"] == "error"
    assert "DF_ORPHAN" in dangling["message"] and "DSD_NOPE" in dangling["message"]
    assert not (tmp_path / "never-created.db").exists()
    text = runner.invoke(main, ["validate", str(changed)])
    assert text.exit_code == 0 and "WARNING STRUCTURE_REFUSED" in text.output
