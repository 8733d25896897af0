"""`sdmxnode load`: exit status, the summary per file, the findings of a refused file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sdmxnode.cli import main

PROJECT = Path(__file__).resolve().parent.parent
SMALL = PROJECT / "fixtures" / "data" / "small"
INVALID = PROJECT / "fixtures" / "invalid"


@pytest.fixture
def initialised(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner on a database holding the project's structures and no data."""
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    runner = CliRunner()
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "data: 0 observations" in result.output
    return runner


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
