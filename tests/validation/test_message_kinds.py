"""Error, metadata and footer messages are told apart from submissions."""

from __future__ import annotations

from sdmxnode.validation.message_kinds import footer_findings, not_a_submission, root_name

MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
ERROR_MESSAGE = f"""<?xml version="1.0"?>
<!-- a comment first -->
<message:Error xmlns:message="{MES}" xmlns:com="c">
  <message:ErrorMessage code="150"><com:Text>Unknown
     parameter 'none'</com:Text></message:ErrorMessage>
</message:Error>""".encode()
FOOTER = b"""</message:DataSet>
  <footer:Footer>
    <footer:Message code="413" severity="Information"><common:Text>in a file</common:Text>
      <common:Text>later</common:Text></footer:Message>
    <footer:Message code="500" severity="Error"><common:Text>broke</common:Text></footer:Message>
  </footer:Footer>
</message:GenericData>"""


def test_root_name_skips_declarations_and_comments() -> None:
    assert root_name(ERROR_MESSAGE) == "Error"
    assert root_name(b"<?xml version='1.0'?><mes:Structure xmlns:mes='x'/>") == "Structure"


def test_error_message_is_not_a_submission_and_says_its_code() -> None:
    finding = not_a_submission(ERROR_MESSAGE, "e.xml")
    assert finding is not None
    assert (finding.code, finding.severity) == ("NOT_A_SUBMISSION", "error")
    assert "code 150: Unknown parameter 'none'" in finding.message


def test_metadata_is_not_a_submission_data_and_structures_are() -> None:
    assert not_a_submission(b"<m:GenericMetadata xmlns:m='x'>", "m.xml") is not None
    for root in ("GenericData", "StructureSpecificData", "Structure"):
        assert not_a_submission(f"<m:{root} xmlns:m='x'>".encode(), "d.xml") is None


def test_footer_messages_become_findings_by_severity() -> None:
    findings = footer_findings(FOOTER)
    assert [(f.code, f.severity) for f in findings] == [
        ("FOOTER_MESSAGE", "warning"),
        ("FOOTER_MESSAGE", "error"),
    ]
    assert findings[0].message == "footer message code 413 (Information): in a file / later"
    assert footer_findings(b"</message:DataSet></message:GenericData>") == []
