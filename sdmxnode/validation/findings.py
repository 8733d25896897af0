"""Findings: what validation says about one place in a message, with a stable code."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sdmxnode.errors import NotFound, SdmxNodeError

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

#: Stable finding codes (clients may match on them) and what each one means.
CODES = {
    "SCHEMA": "the message breaks the SDMX-ML XSD or SDMX-JSON JSON Schema",
    "UNREADABLE": "the message cannot be read (malformed, truncated, refused as hostile)",
    "UNKNOWN_STRUCTURE": "the dataflow, DSD or provision agreement is not known",
    "EMBEDDED_STRUCTURE": "an SDMX-JSON message checked against the structure it embeds, "
    "the node holding none it names",
    "UNKNOWN_COMPONENT": "a component that the DSD does not define",
    "OTHER_STRUCTURE": "a message whose components fit another structure the node holds, "
    "not the one its header names",
    "MISSING_DIMENSION": "a key without a value for one of its dimensions",
    "DIMENSION_ORDER": "dimensions in a different order than the DSD defines",
    "UNKNOWN_CODE": "a value that is not a code of the component's code list",
    "NOT_ALLOWED": "a code that the content constraints do not allow",
    "MISSING_ATTRIBUTE": "a mandatory attribute absent at its attachment level",
    "BAD_PERIOD": "a time period that is not valid SDMX time period syntax",
    "PERIOD_FREQUENCY": "a time period that does not suit the series' frequency (FREQ)",
    "NOT_NUMERIC": "a measure or attribute value that is not a number of its declared type",
    "VALUE_TOO_LONG": "a key value or series key longer than the node's declared limits",
    "INCONSISTENT_ATTRIBUTE": "a series, group or data-set attribute given different values "
    "within its series, group or data set",
    "DUPLICATE": "a second observation for the same series key and time period",
    "BAD_ACTION": "an action that SDMX does not define",
    "AGGREGATE_MISMATCH": "an aggregate (a parent code, or a code with MEMBERS) that differs "
    "from the sum of its members by more than the tolerance",
    "AGGREGATE_NOT_CHECKED": "the aggregate rule stopped: the message holds more figures "
    "than it buffers",
    "WRONG_DATAFLOW": "a message for another dataflow (or metadataflow) than the one it was "
    "sent to",
    "NOT_A_SUBMISSION": "an SDMX error message (or a kind of message the node does not "
    "take, such as structure-specific metadata): nothing to store",
    "UNKNOWN_ATTRIBUTE": "a reported metadata attribute (or report structure) that the "
    "metadata structure does not define at that place",
    "TOO_MANY_OCCURRENCES": "a metadata attribute reported more often than its maxOccurs",
    "BAD_VALUE": "a metadata attribute value that is not of its declared text type",
    "UNSAFE_XHTML": "XHTML that is not well-formed or holds script (a script element, an "
    "on* event attribute, a javascript: URL)",
    "TARGET_NOT_ALLOWED": "a metadata target that does not fit the metadata structure's "
    "metadata targets or the metadataflow's targets",
    "UNRESOLVED_TARGET": "a metadata target naming an object the node does not hold",
    "FOOTER_MESSAGE": "a status message in the footer of a data message (a service's answer)",
    "UNRESOLVED_REFERENCE": "a structure referencing an artefact it needs (a DSD its code "
    "lists and concept schemes, a dataflow its DSD, ...) that is neither in the message nor "
    "among the structures it is checked against",
    "UNMAPPED_VALUE": "a source value that no rule of the structure map's representation map "
    "maps (conversion through a map)",
    "MAP_COLLISION": "two source series that a structure map converts onto one target series "
    "and period",
    "MAP_NOT_APPLICABLE": "a data set of another structure than the one the structure map "
    "converts from",
    "STRUCTURE_REFUSED": "an artefact that a load would refuse by the rules of structure "
    "maintenance (a final artefact whose content differs from the one held, ...)",
}


@dataclass(frozen=True)
class Finding:
    """One problem found in a message, located as precisely as the format allows."""

    code: str
    severity: str
    message: str
    line: int | None = None  # line (XML, JSON) or row (CSV) number in the source; 1-based
    series_key: str | None = None  # dimension values joined by '.', '' for a missing one
    period: str | None = None
    component: str | None = None  # a component, or a metadata attribute's path (A.B.C)
    report: str | None = None  # the report (structure) id of a 2.1 metadata report

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def location(self) -> str:
        """Where the finding is, for people: 'line 12, series A.FRA, period 2020, OBS_VALUE'."""
        parts = []
        if self.line:
            parts.append(f"line {self.line}")
        if self.series_key is not None:
            parts.append(f"series {self.series_key}")
        if self.period is not None:
            parts.append(f"period {self.period}")
        if self.report is not None:
            parts.append(f"report {self.report}")
        if self.component is not None:
            parts.append(f"component {self.component}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON-ready dict (absent locations are null)."""
        out = asdict(self)
        if out["report"] is None:
            del out["report"]  # data findings keep the shape clients know
        return out


#: The line (XML, JSON) or row (CSV) an error's `where` names.
_LINE = re.compile(r"(?:line|row) (\d+)")


def finding_from_error(exc: SdmxNodeError) -> Finding:
    """The finding for an error a reader raised: its own `finding_code` if it has one,
    UNKNOWN_STRUCTURE for a structure the node does not hold (NotFound), UNREADABLE
    otherwise; the line comes from `exc.where`."""
    code = exc.finding_code or ("UNKNOWN_STRUCTURE" if isinstance(exc, NotFound) else "UNREADABLE")
    match = _LINE.search(exc.where or "")
    return Finding(
        code,
        ERROR,
        exc.message,
        line=int(match.group(1)) if match else None,
        component=getattr(exc, "component", None),
        series_key=getattr(exc, "series_key", None),
    )
