"""The validation report: bounded findings and counts, rendered as JSON, text or SDMX-ML Error."""

from __future__ import annotations

from typing import Any

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import NAMESPACES, xml_text
from sdmxnode.validation.findings import ERROR, WARNING, Finding

DEFAULT_MAX_FINDINGS = 1000
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Report:
    """Collects findings up to `max_findings` (the rest are counted, not kept) and counts
    the data sets, series and observations that were checked."""

    def __init__(self, max_findings: int = DEFAULT_MAX_FINDINGS) -> None:
        self.max_findings = max_findings
        self.findings: list[Finding] = []
        self.errors = 0
        #: Set when a reader failed mid-message: nothing after that point can be read.
        self.stopped = False
        self.warnings = 0
        self.datasets = 0
        self.series = 0
        self.observations = 0
        #: Findings that only follow from an earlier structural one (duplicates caused by
        #: a missing dimension column): counted, not reported.
        self.suppressed = 0

    def add(self, finding: Finding) -> None:
        """Count `finding` and keep it while fewer than `max_findings` are kept."""
        if finding.severity == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.findings) < self.max_findings:
            self.findings.append(finding)

    def error(self, code: str, message: str, **location: Any) -> None:
        """Add an error finding; `location` takes Finding's line, series_key, period, component."""
        self.add(Finding(code, ERROR, message, **location))

    def warning(self, code: str, message: str, **location: Any) -> None:
        """Add a warning finding; `location` as for `error`."""
        self.add(Finding(code, WARNING, message, **location))

    @property
    def total(self) -> int:
        """How many findings there were, kept or not."""
        return self.errors + self.warnings

    @property
    def dropped(self) -> int:
        """How many findings were counted but not kept (past `max_findings`)."""
        return self.total - len(self.findings)

    @property
    def is_valid(self) -> bool:
        """True when no finding is an error (warnings do not make a message invalid)."""
        return self.errors == 0

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "valid": self.is_valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings_not_listed": self.dropped,
            "findings_suppressed": self.suppressed,
            "max_findings": self.max_findings,
            "datasets": self.datasets,
            "series": self.series,
            "observations": self.observations,
            "findings": [finding.to_json() for finding in self.findings],
        }

    def to_text(self) -> str:
        """One line per finding with its location, then a summary line."""
        lines = [_text_line(finding) for finding in self.findings]
        if self.dropped:
            lines.append(f"... {self.dropped} more findings not listed (limit {self.max_findings})")
        if self.suppressed:
            lines.append(
                f"... {self.suppressed} findings not reported: they follow from a structural "
                "finding above (a missing dimension column, a wrong structure reference)"
            )
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """'valid'/'invalid' with the counts of findings and of what was checked."""
        verdict = "valid" if self.is_valid else "invalid"
        return (
            f"{verdict}: {self.errors} error(s), {self.warnings} warning(s); "
            f"{self.datasets} data set(s), {self.series} series, "
            f"{self.observations} observation(s) checked"
        )

    def to_sdmx_error_xml(self, version: str = "2.1") -> bytes:
        """An SDMX-ML `mes:Error` message (version '2.1' or '3.0') with one ErrorMessage
        per kept finding (code: the SDMX semantic-error code 150), plus one for the findings
        past the bound; a message without findings gets a single summary ErrorMessage."""
        namespaces = NAMESPACES.get(version)
        if namespaces is None:
            raise Invalid(f"no SDMX-ML {version} error message; use 2.1 or 3.0")
        mes, com = namespaces["mes"], namespaces["com"]
        root = etree.Element(f"{{{mes}}}Error", nsmap={"mes": mes, "com": com})
        texts = [_text_line(finding) for finding in self.findings]
        if self.dropped:
            texts.append(f"{self.dropped} more findings not listed (limit {self.max_findings})")
        if not texts:
            texts.append(self.summary())
        for text in texts:
            message = etree.SubElement(root, f"{{{mes}}}ErrorMessage", code=str(Invalid.sdmx_code))
            element = etree.SubElement(message, f"{{{com}}}Text")
            element.set(_XML_LANG, "en")
            element.text = xml_text(text)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _text_line(finding: Finding) -> str:
    where = finding.location
    head = f"{finding.severity.upper()} {finding.code}"
    return f"{head} at {where}: {finding.message}" if where else f"{head}: {finding.message}"
