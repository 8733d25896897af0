"""What kind of SDMX message a file is, for validation: submissions, and what is not one.

Only data messages and structure messages can be submitted to the node. SDMX-ML error
messages (`mes:Error`, SDMX 2.1 section 3A "Error Message") and reference-metadata messages
are answers or other content: `validate` says so with one NOT_A_SUBMISSION error instead of
checking them as data. The footer of a data message (`footer:Footer`, SDMXMessageFooter.xsd)
is the way a web service attaches status messages to an answer; each footer message is
reported as a FOOTER_MESSAGE finding (an error when its severity is "Error"), and a data
message that holds a footer but no data set is a deferred or failed answer, not a submission.
"""

from __future__ import annotations

import re

from sdmxnode.validation.findings import ERROR, WARNING, Finding

#: An element start tag (not a declaration, comment or processing instruction).
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
#: Root elements of SDMX-ML messages that are not data or structure messages.
_NOT_SUBMISSIONS = {
    "Error": "an SDMX error message",
    "GenericMetadata": "a reference-metadata message",
    "StructureSpecificMetadata": "a reference-metadata message",
    "MetadataMessage": "a reference-metadata message",
}
_CODE = re.compile(rb"""<(?:[\w.-]+:)?ErrorMessage\b[^>]*\bcode\s*=\s*["']([^"']*)["']""")
_TEXT = re.compile(rb"<(?:[\w.-]+:)?Text\b[^>]*>([^<]*)<")
_FOOTER = re.compile(rb"<(?:[\w.-]+:)?Footer[\s>]")
_FOOTER_MESSAGE = re.compile(rb"<(?:[\w.-]+:)?Message\b([^>]*)>(.*?)</(?:[\w.-]+:)?Message>", re.S)
_ATTRIBUTE = re.compile(rb"""\b(code|severity)\s*=\s*["']([^"']*)["']""")
#: How much of a file's end is searched for a footer (the footer is the message's last child).
TAIL_BYTES = 65536


def root_name(head: bytes) -> str:
    """The local name of the first element in the first bytes of an XML document."""
    for match in _ELEMENT.finditer(head):
        return match.group(1).decode("ascii", "replace")
    return ""


def not_a_submission(head: bytes, source: str) -> Finding | None:
    """A NOT_A_SUBMISSION error when the message starting with `head` is an SDMX-ML error or
    reference-metadata message; None for anything else."""
    root = root_name(head)
    what = _NOT_SUBMISSIONS.get(root)
    if what is None:
        return None
    detail = ""
    code = _CODE.search(head)
    if code is not None:
        text = _TEXT.search(head, code.end())
        said = " ".join(text.group(1).decode("utf-8", "replace").split())[:200] if text else ""
        detail = f" (code {code.group(1).decode('ascii', 'replace')}: {said})"
    return Finding(
        "NOT_A_SUBMISSION",
        ERROR,
        f"{source} is {what} (root element {root!r}){detail}, not a data or structure message:"
        " there is nothing the node could store",
        line=1,
    )


def footer_findings(tail: bytes) -> list[Finding]:
    """One FOOTER_MESSAGE finding per `footer:Message` in the last bytes of a data message."""
    footer = _FOOTER.search(tail)
    if footer is None:
        return []
    findings = []
    for match in _FOOTER_MESSAGE.finditer(tail, footer.end()):
        attributes = {
            name.decode(): value.decode("utf-8", "replace")
            for name, value in _ATTRIBUTE.findall(match.group(1))
        }
        texts = [
            " ".join(text.decode("utf-8", "replace").split())
            for text in _TEXT.findall(match.group(2))
        ]
        severity = attributes.get("severity", "")
        findings.append(
            Finding(
                "FOOTER_MESSAGE",
                ERROR if severity == "Error" else WARNING,
                f"footer message code {attributes.get('code', '?')} ({severity or 'no severity'}):"
                f" {' / '.join(texts)[:500]}",
            )
        )
    return findings
