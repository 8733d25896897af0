"""gunicorn's threaded worker, answering requests gunicorn itself refuses as SDMX errors.

A request line or headers over gunicorn's limits never reach the application; gunicorn
answers them with an HTML page. This worker answers 414 and 431 (and its other refusals
of malformed requests, 400) with an SDMX-ML 2.1 error message instead.
"""

from __future__ import annotations

from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine, ParseException
from gunicorn.workers.gthread import ThreadWorker

from sdmxnode.errors import BadRequest, HeadersTooLarge, SdmxNodeError, UriTooLong
from sdmxnode.web.errors import xml_error_body


def refusal_for(exc: BaseException) -> SdmxNodeError | None:
    """The SDMX error for a request gunicorn could not parse; None for other errors."""
    if isinstance(exc, LimitRequestLine):
        return UriTooLong(
            "the request line is longer than this node reads: use a shorter URL", where="url"
        )
    if isinstance(exc, LimitRequestHeaders):
        return HeadersTooLarge(f"request headers refused: {exc}", where="headers")
    if isinstance(exc, ParseException):
        return BadRequest(f"malformed HTTP request: {exc}")
    return None


def error_bytes(error: SdmxNodeError) -> bytes:
    """A complete HTTP/1.1 response carrying `error` as an SDMX-ML 2.1 error message."""
    body = xml_error_body(error, "2.1")
    reason = error.title.capitalize()
    head = (
        f"HTTP/1.1 {error.status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/xml\r\n"
        "Access-Control-Allow-Origin: *\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class NodeWorker(ThreadWorker):  # type: ignore[misc]
    """ThreadWorker whose refusals of unparseable requests are SDMX error messages."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer a request gunicorn refuses (line too long, bad headers) as an SDMX error."""
        error = refusal_for(exc)
        if error is None:
            super().handle_error(req, client, addr, exc)
            return
        host = addr[0] if addr else ""
        self.log.warning("refused request from %s: %s %s", host, error.status, exc)
        try:
            util.write_nonblock(client, error_bytes(error))
        except OSError:
            self.log.debug("failed to send the error message")
