"""The report: bounded findings, counts, JSON, text and SDMX-ML error messages."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from pysdmx.errors import Invalid as PysdmxInvalid
from pysdmx.io import read_sdmx

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import NAMESPACES
from sdmxnode.validation.findings import CODES, Finding
from sdmxnode.validation.report import Report
from sdmxnode.validation.schema import validate_ml21, validate_ml30


@pytest.fixture
def report() -> Report:
    report = Report(max_findings=3)
    report.error("UNKNOWN_CODE", "REF_AREA = 'XYZ' is not a code", line=16, series_key="A.XYZ")
    report.warning("DIMENSION_ORDER", "dimensions are not in the order of the DSD")
    report.error("DUPLICATE", "a second 1995 <&>", line=18, series_key="A.1", period="1995")
    report.error("BAD_PERIOD", "'2000-13' is not valid", line=19, period="2000-13")
    report.error("BAD_PERIOD", "'2000-14' is not valid", line=20, period="2000-14")
    return report


def test_findings_past_the_bound_are_counted_not_kept(report: Report) -> None:
    assert len(report.findings) == 3
    assert report.total == 5
    assert report.dropped == 2
    assert (report.errors, report.warnings) == (4, 1)
    assert not report.is_valid


def test_warnings_alone_leave_a_message_valid() -> None:
    report = Report()
    report.warning("DIMENSION_ORDER", "order")
    assert report.is_valid


def test_unknown_codes_and_severities_are_refused() -> None:
    with pytest.raises(ValueError):
        Finding("NOT_A_CODE", "error", "x")
    with pytest.raises(ValueError):
        Finding("SCHEMA", "fatal", "x")


def test_json_is_serialisable_and_complete(report: Report) -> None:
    report.datasets, report.series, report.observations = 1, 2, 3
    document = json.loads(json.dumps(report.to_json()))
    assert document["valid"] is False
    assert (document["errors"], document["warnings"]) == (4, 1)
    assert document["findings_not_listed"] == 2
    assert (document["datasets"], document["series"], document["observations"]) == (1, 2, 3)
    first = document["findings"][0]
    assert first["code"] == "UNKNOWN_CODE" and first["line"] == 16
    assert first["series_key"] == "A.XYZ" and first["period"] is None
    assert all(f["code"] in CODES for f in document["findings"])


def test_text_has_one_line_per_finding_with_its_location(report: Report) -> None:
    lines = report.to_text().splitlines()
    kept = lines[: len(report.findings)]
    assert kept[0].startswith("ERROR UNKNOWN_CODE at line 16, series A.XYZ:")
    assert kept[1].startswith("WARNING DIMENSION_ORDER:")
    assert "line 18, series A.1, period 1995" in kept[2]
    assert "2 more findings" in lines[len(report.findings)]
    assert lines[-1].startswith("invalid: 4 error(s), 1 warning(s)")


@pytest.mark.parametrize(("version", "validate"), [("2.1", validate_ml21), ("3.0", validate_ml30)])
def test_sdmx_error_message_is_schema_valid(report: Report, version: str, validate) -> None:
    xml = report.to_sdmx_error_xml(version)
    assert validate(xml) == []
    mes = NAMESPACES[version]["mes"]
    messages = etree.fromstring(xml).findall(f"{{{mes}}}ErrorMessage")
    assert len(messages) == len(report.findings) + 1  # one more for the findings not kept
    assert "a second 1995 <&>" in messages[2].findtext("*")
    assert {m.get("code") for m in messages} == {str(Invalid.sdmx_code)}


def test_sdmx_error_message_without_findings_is_still_valid() -> None:
    xml = Report().to_sdmx_error_xml("2.1")
    assert validate_ml21(xml) == []


def test_pysdmx_reads_the_error_message() -> None:
    # pysdmx 1.21 reads an Error message with one ErrorMessage only (it indexes a dict)
    report = Report()
    report.error("UNKNOWN_CODE", "REF_AREA = 'XYZ' is not a code", line=16)
    with pytest.raises(PysdmxInvalid) as caught:
        read_sdmx(report.to_sdmx_error_xml("2.1").decode())
    assert "150" in str(caught.value)
    assert "UNKNOWN_CODE" in str(caught.value)


def test_unsupported_error_message_version(report: Report) -> None:
    with pytest.raises(Invalid):
        report.to_sdmx_error_xml("1.0")
