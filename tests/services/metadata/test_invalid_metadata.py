"""Invalid metadata is refused with the matching finding, located, and nothing is stored."""

from __future__ import annotations

import pytest

from sdmxnode.errors import LoadRejected
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from tests.services.metadata.conftest import KENYA, stored_counts

VALID = KENYA.read_text(encoding="utf-8")

#: One defect each: (what replaces what in the valid Kenya message, code, located at).
CASES = {
    "unknown attribute": (
        '<metadata:ReportedAttribute id="THRESHOLD" value="12"/>',
        '<metadata:ReportedAttribute id="DURATION" value="12"/>',
        "UNKNOWN_ATTRIBUTE",
        "DURATION",
    ),
    "coded value not in its list": (
        'id="DEFINITION" value="FB"',
        'id="DEFINITION" value="XX"',
        "UNKNOWN_CODE",
        "DEFINITION",
    ),
    "missing mandatory attribute": (
        '<metadata:ReportedAttribute id="DEFINITION" value="FB"/>',
        "",
        "MISSING_ATTRIBUTE",
        "DEFINITION",
    ),
    "missing mandatory nested attribute": (
        '<metadata:AttributeSet>\n            <metadata:ReportedAttribute id="EMAIL"'
        ' value="migration@example.org"/>\n          </metadata:AttributeSet>',
        "",
        "MISSING_ATTRIBUTE",
        "CONTACT.EMAIL",
    ),
    "nested attribute at the wrong place": (
        '<metadata:ReportedAttribute id="SOURCE" value="2019 Population and Housing Census"/>',
        '<metadata:ReportedAttribute id="EMAIL" value="x@example.org"/>',
        "UNKNOWN_ATTRIBUTE",
        "EMAIL",
    ),
    "too many occurrences": (
        '<metadata:ReportedAttribute id="SOURCE" value="2019 Population and Housing Census"/>',
        '<metadata:ReportedAttribute id="SOURCE" value="a"/>'
        '<metadata:ReportedAttribute id="SOURCE" value="b"/>'
        '<metadata:ReportedAttribute id="SOURCE" value="c"/>',
        "TOO_MANY_OCCURRENCES",
        "SOURCE",
    ),
    "value not of its type": (
        'id="THRESHOLD" value="12"',
        'id="THRESHOLD" value="twelve"',
        "BAD_VALUE",
        "THRESHOLD",
    ),
    "unresolvable target": (
        "CL_AREA(1.0).KEN",
        "CL_AREA(1.0).ZZZ",
        "UNRESOLVED_TARGET",
        None,
    ),
    "target of another type": (
        "urn:sdmx:org.sdmx.infomodel.codelist.Code=TEST:CL_AREA(1.0).KEN",
        "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=TEST:CL_AREA(1.0)",
        "TARGET_NOT_ALLOWED",
        None,
    ),
    "XHTML with a script": (
        "<p>Refugees are",
        "<script>alert(1)</script><p>Refugees are",
        "UNSAFE_XHTML",
        "NOTE",
    ),
    "XHTML with an event handler": (
        '<a href="https://example.org/refugees">',
        '<a href="https://example.org/refugees" onclick="steal()">',
        "UNSAFE_XHTML",
        "NOTE",
    ),
    "XHTML with a javascript: URL": (
        'href="https://example.org/refugees"',
        'href=" javascript:steal()"',
        "UNSAFE_XHTML",
        "NOTE",
    ),
    "unknown structure": (
        'id="MDF_MIG" version="1.0"',
        'id="MDF_OTHER" version="1.0"',
        "UNKNOWN_STRUCTURE",
        None,
    ),
}


def test_the_valid_message_loads(node: Node) -> None:
    result = load_metadata(node, KENYA.read_bytes(), MetadataLoadOptions(source="ken.xml"))
    assert result.outcomes == {"TEST:MDS_KEN(1.0)": "created"}
    assert result.report.is_valid and not result.report.findings
    assert stored_counts(node) == (1, 1)


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_invalid_message_is_refused_and_nothing_is_stored(node: Node, case: str) -> None:
    old, new, code, component = CASES[case]
    assert old in VALID
    message = VALID.replace(old, new).encode()
    with pytest.raises(LoadRejected) as refused:
        load_metadata(node, message, MetadataLoadOptions(source="bad.xml"))
    findings = [f for f in refused.value.report.findings if f.severity == "error"]
    assert [f.code for f in findings] == [code], refused.value.report.to_text()
    assert findings[0].line is not None and findings[0].line > 1
    if component is not None:
        assert findings[0].component == component
        assert findings[0].report == "MIG_REPORT"
    assert stored_counts(node) == (0, 0)


def test_one_bad_set_refuses_the_whole_message(node: Node) -> None:
    start = VALID.index("  <message:MetadataSet")
    end = VALID.index("</message:MetadataSet>") + len("</message:MetadataSet>\n")
    good = VALID[start:end]
    bad = good.replace('setID="MDS_KEN"', 'setID="MDS_FRA"').replace('value="FB"', 'value="XX"')
    message = VALID[:end] + bad + VALID[end:]
    with pytest.raises(LoadRejected):
        load_metadata(node, message.encode(), MetadataLoadOptions())
    assert stored_counts(node) == (0, 0)
