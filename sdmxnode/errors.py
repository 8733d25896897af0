"""One exception hierarchy for the node; each class knows its HTTP status and SDMX error code.

The SDMX codes follow the SDMX-REST 1.5 error table (section "4.7 Errors"); on the 2.x API
the same classes are rendered with the 2.x HTTP statuses (`doc/status.md`), which differ for
"no results" (204 instead of 404) and "semantic error" (422 instead of 403).

Every exception class of the node lives here, those never shown to a client included: a
period that is not SDMX syntax (PeriodError) and two control-flow signals (_Transient,
_Unreadable) that their modules turn into a retry or a finding.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sdmxnode.validation.report import Report


class SdmxNodeError(Exception):
    """Base of every error the node reports to a client as an SDMX error message."""

    status: int = 500
    status_v2: int | None = None  # HTTP status on the 2.x API when it differs
    sdmx_code: int = 500
    title: str = "Internal server error"
    #: The validation finding code this error stands for, when a reader raises it mid-stream.
    finding_code: str | None = None
    #: A limit of the node (size, time) rather than a defect of the message: it ends the
    #: request as an error answer instead of becoming a finding of a validation report.
    ends_request: bool = False

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        #: For server errors (5xx but 501): the id under which the server log holds the
        #: details (SQL, tracebacks) that the answer never shows.
        self.incident: str | None = (
            uuid.uuid4().hex[:12] if self.status >= 500 and self.status != 501 else None
        )

    def http_status(self, api_major: int = 1) -> int:
        """The HTTP status for this error on API line `api_major` (1 for 1.5, 2 for 2.x)."""
        if api_major >= 2 and self.status_v2 is not None:
            return self.status_v2
        return self.status

    def extra_headers(self) -> dict[str, str]:
        """HTTP headers the error response carries besides the usual ones."""
        return {}

    @property
    def text(self) -> str:
        """The message with its location, as shown in the SDMX error message."""
        text = f"{self.message} (at {self.where})" if self.where else self.message
        if self.incident:
            text += f" [incident {self.incident}]"
        return text


class NoResults(SdmxNodeError):
    """A query that matched nothing (SDMX 100)."""

    status = 404
    status_v2 = 204
    sdmx_code = 100
    title = "No results found"


class NotFound(NoResults):
    """A named artefact or resource that does not exist (SDMX 100, 404 on both API lines)."""

    status_v2 = 404


class Unauthorized(SdmxNodeError):
    """A write without valid credentials (SDMX 110); the response asks for a bearer token."""

    status = 401
    sdmx_code = 110
    title = "Unauthorized"

    def extra_headers(self) -> dict[str, str]:
        """The challenge that tells the client to send a bearer token."""
        return {"WWW-Authenticate": 'Bearer realm="sdmxnode"'}


class Forbidden(SdmxNodeError):
    """Valid credentials, but the token's rights do not cover the change (SDMX 110)."""

    status = 403
    sdmx_code = 110
    title = "Forbidden"


class BadRequest(SdmxNodeError):
    """A query or parameter that does not follow the API (SDMX 140, syntax error)."""

    status = 400
    sdmx_code = 140
    title = "Syntax error"


class SemanticError(SdmxNodeError):
    """Valid syntax that breaks the semantics or business rules (SDMX 150)."""

    status = 403
    status_v2 = 422
    sdmx_code = 150
    title = "Semantic error"


class Conflict(SdmxNodeError):
    """The request contradicts what the store holds (a newer version, data that depend on it)."""

    status = 409
    sdmx_code = 150
    title = "Conflict"


class NotAcceptable(SdmxNodeError):
    """No representation offered for the Accept header or `format` parameter."""

    status = 406
    sdmx_code = 140
    title = "Not acceptable"

    def __init__(self, message: str, *, offered: list[str] | None = None) -> None:
        super().__init__(message)
        self.offered = offered or []


class UnsupportedMediaType(SdmxNodeError):
    """A request body in a media type or content coding the node does not read (SDMX 140)."""

    status = 415
    sdmx_code = 140
    title = "Unsupported media type"


class TooLarge(SdmxNodeError):
    """Request or response larger than the node allows (SDMX 510, response size exceeds limit)."""

    status = 413
    sdmx_code = 510
    title = "Response size exceeds service limit"
    ends_request = True


class RangeNotSatisfiable(SdmxNodeError):
    """A `Range: values=...` header beyond the observations of the answer (RFC 9110 416);
    `total` is how many there are, for the `Content-Range: values */total` header."""

    status = 416
    sdmx_code = 100
    title = "Range not satisfiable"

    def __init__(self, message: str, *, total: int, where: str | None = "Range") -> None:
        super().__init__(message, where=where)
        self.total = total

    def extra_headers(self) -> dict[str, str]:
        """RFC 9110 section 15.5.17: the 416 says how many observations there are."""
        return {"Content-Range": f"values */{self.total}"}


class UriTooLong(BadRequest):
    """A request URL longer than SDMXNODE_MAX_URL_LENGTH (HTTP 414, SDMX 140)."""

    status = 414
    title = "URI too long"


class HeadersTooLarge(BadRequest):
    """Request header fields larger than the server reads (HTTP 431, SDMX 140)."""

    status = 431
    title = "Request header fields too large"


class RequestTimeout(SdmxNodeError):
    """The client did not send its request body within SDMXNODE_REQUEST_TIMEOUT.

    HTTP 408; SDMX has no code for it, so the custom code 1000 is used.
    """

    status = 408
    sdmx_code = 1000
    title = "Request timeout"
    ends_request = True

    def extra_headers(self) -> dict[str, str]:
        """Close the connection: the body was not read, so the stream cannot be reused."""
        return {"Connection": "close"}


class TooManyUploads(SdmxNodeError):
    """Every upload slot of the process is taken (SDMXNODE_MAX_UPLOADS): HTTP 503, SDMX 503,
    with Retry-After; the body is not read and the connection is closed."""

    status = 503
    sdmx_code = 503
    title = "Service unavailable"
    ends_request = True

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def extra_headers(self) -> dict[str, str]:
        """When to try again, and close: the body was not read."""
        return {"Retry-After": str(self.retry_after), "Connection": "close"}


class ServiceTimeout(SdmxNodeError):
    """The node needed more than SDMXNODE_REQUEST_TIMEOUT seconds (HTTP 503, SDMX 503)."""

    status = 503
    sdmx_code = 503
    title = "Service unavailable"
    ends_request = True


class NotImplementedSdmx(SdmxNodeError):
    """A standard resource or option the node does not implement (SDMX 501)."""

    status = 501
    sdmx_code = 501
    title = "Not implemented"


class Invalid(SdmxNodeError):
    """An SDMX message that cannot be accepted (schema or structure errors)."""

    status = 400
    status_v2 = 422
    sdmx_code = 150
    title = "Invalid message"


class InputTooLarge(Invalid, TooLarge):
    """A request body or message larger than allowed once decompressed (HTTP 413, SDMX 510).

    An Invalid message for the readers and loaders, but a limit for the web layer: it ends
    the request with 413 instead of becoming a finding.
    """

    status = 413
    status_v2 = 413
    sdmx_code = 510
    title = "Request size exceeds service limit"
    ends_request = True


class UnknownComponent(Invalid):
    """A data message gives a component its DSD does not define."""

    finding_code = "UNKNOWN_COMPONENT"

    def __init__(
        self,
        message: str,
        *,
        component: str,
        where: str | None = None,
        series_key: str | None = None,
        given: tuple[str, ...] = (),
        structure: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(message, where=where)
        self.component = component
        self.series_key = series_key
        #: The components the message gives where this one was found (the series' or the
        #: message's), to tell a message meant for another structure.
        self.given = given
        #: The structure the message names and its DSD, as 'AGENCY:ID(VERSION)'.
        self.structure = structure


class WrongDataflow(Invalid):
    """A data message sent to one dataflow whose structure reference names another."""

    finding_code = "WRONG_DATAFLOW"


class StorageError(SdmxNodeError):
    """The store failed to read or write; nothing of the request was written.

    Its message says what failed in words; the database's own text (SQL, parameters) is
    only in the server log, under the incident id the answer carries.
    """

    status = 500
    sdmx_code = 500
    title = "Storage error"


class StoreUnavailable(StorageError):
    """The database cannot be reached (down, refusing connections): HTTP 503, SDMX 503."""

    status = 503
    sdmx_code = 503
    title = "Service unavailable"

    def extra_headers(self) -> dict[str, str]:
        """Ask the client to come back in a while."""
        return {"Retry-After": "30"}


class StoreBusy(StorageError):
    """A writer could not get the store within the write wait: HTTP 503 with Retry-After.

    Nothing of the request was written; sent again later it may well succeed.
    """

    status = 503
    sdmx_code = 503
    title = "Service unavailable"

    def __init__(self, message: str, *, retry_after: int = 5, where: str | None = None) -> None:
        super().__init__(message, where=where)
        self.retry_after = retry_after

    def extra_headers(self) -> dict[str, str]:
        """When to try again, in seconds."""
        return {"Retry-After": str(self.retry_after)}


class InternalError(SdmxNodeError):
    """A defect of the node met while answering: HTTP 500, details in the server log only."""


class ConfigError(SdmxNodeError):
    """A setting (an SDMXNODE_* variable or an override) that is not of its type."""

    title = "Configuration error"


class LoadRejected(Invalid):
    """A message with errors: nothing of it was stored; the report says what and where."""

    def __init__(self, report: Report, source: str) -> None:
        first = next((f for f in report.findings if f.severity == "error"), None)
        detail = f": {first.message}" if first else ""
        super().__init__(f"{source} was not loaded, {report.errors} error(s){detail}")
        self.report = report


class HarvestError(SdmxNodeError):
    """A source could not be read (after retries) or answered with an error."""

    status = 502
    sdmx_code = 500
    title = "Harvest failed"


class SourcesError(SdmxNodeError):
    """SDMXNODE_HARVEST_SOURCES, a dataflow or a duration given to a harvest is malformed."""

    title = "Harvest sources error"


class PeriodError(ValueError):
    """A string that is not an SDMX time period; the message says why.

    Not an SdmxNodeError: validation turns it into a finding or a reason text, never into an
    error answer of its own.
    """


class _Transient(Exception):
    """A failure another attempt may not meet.

    A control-flow signal inside the harvest client, not an error: it asks for a retry, and
    after the last attempt becomes a HarvestError.
    """


class _Unreadable(Exception):
    """A control-flow signal inside the schema check, not an error reported as such: the
    XML cannot be read (with the line where known); it becomes an UNREADABLE finding."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
