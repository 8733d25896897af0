"""Each fixture of fixtures/invalid/ yields exactly its finding; the demo data yields none."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdmxnode.formats.input import read_data
from sdmxnode.formats.rows import StructureResolver
from sdmxnode.validation.report import Report
from sdmxnode.validation.rules import check_datasets
from sdmxnode.validation.schema import validate_schema

PROJECT = Path(__file__).resolve().parents[2]
INVALID = PROJECT / "fixtures" / "invalid"
DEMO = PROJECT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
KEY = "A.1.STOCK.FB._T._T._T._T"

#: fixture -> (code, line, series key, period, component) of its one finding. Lines: the
#: defect's own line, or for a series-level defect the series' first observation.
EXPECTED = {
    "unknown-code.xml": ("UNKNOWN_CODE", 16, "A.XYZ.STOCK.FB._T._T._T._T", None, "REF_AREA"),
    "not-allowed-by-constraint.xml": (
        "NOT_ALLOWED",
        16,
        "A.1.STOCK.FB.FRA._T._T._T",
        None,
        "CITIZENSHIP",
    ),
    "missing-mandatory-attribute.xml": ("MISSING_ATTRIBUTE", 16, KEY, None, "REVISION"),
    "missing-observation-attribute.xml": ("MISSING_ATTRIBUTE", 17, KEY, "1995", "OBS_STATUS"),
    "bad-period-for-frequency.xml": ("PERIOD_FREQUENCY", 18, KEY, "2000-Q1", "TIME_PERIOD"),
    "bad-period-syntax.xml": ("BAD_PERIOD", 18, KEY, "2000-13", "TIME_PERIOD"),
    "duplicate-observation.xml": ("DUPLICATE", 18, KEY, "1995", None),
    "non-numeric-value.xml": ("NOT_NUMERIC", 17, KEY, "1995", "OBS_VALUE"),
    "non-numeric-attribute.xml": ("NOT_NUMERIC", 17, KEY, "1995", "LOWER_BOUND"),
    # The reader refuses the Series element that names the unknown component (its line).
    "unknown-dimension.xml": ("UNKNOWN_COMPONENT", 15, KEY, None, "DESTINATION"),
    "missing-dimension.xml": ("MISSING_DIMENSION", 16, "A.1.STOCK.FB._T.._T._T", None, "SEX"),
    "schema-error.xml": ("SCHEMA", 6, None, None, None),
    "unknown-dataflow.xml": ("UNKNOWN_STRUCTURE", 8, None, None, None),
}


def validate_file(path: Path, resolver: StructureResolver) -> Report:
    """Schema, then structure: what ingest and POST /validate do with one message."""
    report = Report()
    for finding in validate_schema(path.read_bytes(), "sdmx-ml"):
        report.add(finding)

    if not report.is_valid:
        return report  # as ingest does: no structure checks on a message the XSD refuses
    for dataset in check_datasets(read_data(path, resolver, source=path.name), report):
        for _row in dataset.rows:
            pass
    return report


def test_every_fixture_is_listed_in_the_readme() -> None:
    readme = (INVALID / "README.md").read_text()
    files = sorted(p.name for p in INVALID.glob("*.xml"))
    assert files == sorted(EXPECTED)
    for name, (code, *_location) in EXPECTED.items():
        line = next(line for line in readme.splitlines() if f"`{name}`" in line)
        assert f"`{code}`" in line


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_yields_exactly_its_finding(name: str, migration_resolver) -> None:
    report = validate_file(INVALID / name, migration_resolver)
    located = [(f.code, f.line, f.series_key, f.period, f.component) for f in report.findings]
    assert located == [EXPECTED[name]]
    assert not report.is_valid
    assert report.findings[0].severity == "error"


def test_findings_name_the_offending_value(migration_resolver) -> None:
    messages = {
        name: validate_file(INVALID / name, migration_resolver).findings[0].message
        for name in ("unknown-code.xml", "not-allowed-by-constraint.xml", "non-numeric-value.xml")
    }
    assert "'XYZ'" in messages["unknown-code.xml"]
    assert "IMDX:CL_AREA(1.0.0)" in messages["unknown-code.xml"]
    assert "'FRA'" in messages["not-allowed-by-constraint.xml"]
    assert "_T" in messages["not-allowed-by-constraint.xml"]
    assert "'161 316 895'" in messages["non-numeric-value.xml"]


def test_demo_data_yields_no_finding(migration_resolver) -> None:
    report = validate_file(DEMO, migration_resolver)
    assert report.findings == []
    assert report.is_valid
    assert (report.datasets, report.series, report.observations) == (1, 798, 5538)


@pytest.mark.corpus
def test_bis_gh_180_is_refused_at_the_schema_stage(corpus: Path) -> None:
    findings = validate_schema((corpus / "BIS-gh-180.xml").read_bytes(), "sdmx-ml")
    assert findings
    assert {f.code for f in findings} == {"SCHEMA"}
    assert all(f.line for f in findings)
    assert any("Element 'Ref'" in f.message and "publicationtable" in f.message for f in findings)
