"""The metadata rules on their own: XHTML safety, and an SDMX 3.0 metadataflow's targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.formats.metadata import MetadataReport, MetadataSet, ReportedAttribute, TargetValue
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.metadata import MetadataChecker, xhtml_problem
from sdmxnode.validation.report import Report

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "metadata" / "TEST-MSD_MIG.xml"
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'
FLOW_30 = (
    b'<str:Metadataflow xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"'
    b' id="MDF_30" agencyID="TEST" version="1.0">'
    b"<str:Structure>urn:sdmx:org.sdmx.infomodel.metadatastructure.MetadataStructure="
    b"TEST:MSD_MIG(1.0)</str:Structure>"
    b"<str:Target>urn:sdmx:org.sdmx.infomodel.codelist.Code=TEST:CL_AREA(*).*</str:Target>"
    b"</str:Metadataflow>"
)


@pytest.mark.parametrize(
    ("xhtml", "problem"),
    [
        (f"<div {XHTML}><p>Fine <a href='https://example.org'>link</a></p></div>", None),
        (f"<div {XHTML}><script>x()</script></div>", "<script>"),
        (f"<div {XHTML}><SCRIPT>x()</SCRIPT></div>", "<script>"),
        (f"<div {XHTML}><iframe src='https://example.org'/></div>", "<iframe>"),
        (f"<div {XHTML}><p onMouseOver='x()'>t</p></div>", "onmouseover"),
        (f"<div {XHTML}><a href='JavaScript:x()'>t</a></div>", "script URL"),
        (f"<div {XHTML}><a href='data:text/html;base64,PHN'>t</a></div>", "script URL"),
        (f"<div {XHTML}><p>unclosed</div>", "not well-formed"),
        ("<div><!DOCTYPE x [<!ENTITY a 'b'>]></div>", "not well-formed"),
    ],
)
def test_xhtml_problems(xhtml: str, problem: str | None) -> None:
    found = xhtml_problem(xhtml)
    assert (found is None) if problem is None else (problem in (found or "")), found


class _Source:
    """The artefacts of the test structure message, and a 3.0 metadataflow with targets."""

    def __init__(self) -> None:
        root = etree.parse(str(FIXTURE)).getroot()
        self.held: dict[ArtefactRef, bytes] = {}
        for element in root.iter():
            name = etree.QName(element).localname
            if element.get("agencyID") and name in ("Codelist", "MetadataStructure"):
                ref = ArtefactRef(name, element.get("agencyID"), element.get("id"), "1.0")
                self.held[ref] = etree.tostring(element)
        self.held[ArtefactRef("Metadataflow", "TEST", "MDF_30", "1.0")] = FLOW_30

    def find_xml(self, ref: ArtefactRef) -> tuple[ArtefactRef, bytes] | None:
        xml = self.held.get(ref)
        return (ref, xml) if xml is not None else None


def _set(*targets: str) -> MetadataSet:
    attributes = (ReportedAttribute("DEFINITION", "FB", line=5),)
    return MetadataSet(
        "TEST",
        "MDS",
        "1.0",
        ArtefactRef("Metadataflow", "TEST", "MDF_30", "1.0"),
        (MetadataReport("", "", tuple(TargetValue("", "object", t) for t in targets), attributes),),
    )


def test_a_target_the_metadataflow_does_not_list_is_refused() -> None:
    code = "urn:sdmx:org.sdmx.infomodel.codelist.Code=TEST:CL_AREA(1.0).KEN"
    report = Report()
    assert MetadataChecker(_Source()).check(_set(code), report), report.to_text()
    other = "urn:sdmx:org.sdmx.infomodel.codelist.Code=TEST:CL_CRITERION(1.0).FB"
    report = Report()
    assert not MetadataChecker(_Source()).check(_set(other), report)
    assert [f.code for f in report.findings] == ["TARGET_NOT_ALLOWED"]
