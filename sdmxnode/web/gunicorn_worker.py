"""gunicorn's threaded worker: SDMX errors for what gunicorn refuses, bodies over the limit
refused before they are sent, no thread for slow headers.

A request line or headers over gunicorn's limits never reach the application; gunicorn
answers them with an HTML page. This worker answers 414 and 431 (and its other refusals
of malformed requests, 400) with an SDMX-ML 2.1 error message instead.

gunicorn answers `Expect: 100-continue` with `100 Continue` as soon as it has the headers,
inviting the client to send a body the application will refuse: this worker answers a
Content-Length over the limit with 413 first, and closes. It also reads chunked bodies
through a reader that refuses a chunk whose declared size takes the body over the limit
(413) at its chunk header, instead of waiting for bytes that will not be accepted.

gunicorn's threaded worker reads a request's line and headers in a worker thread, blocking
until they are complete, and waits up to five seconds in that thread for a new connection's
first bytes: clients that connect and send nothing, or send their headers a byte at a time,
would hold every thread. This worker reads in the thread only the bytes already received;
until the headers are complete the connection waits in gunicorn's main loop (its poller)
without a thread, for at most SDMXNODE_HEADER_TIMEOUT seconds from its first byte (and
gunicorn's keep-alive timeout between bytes), then it is closed. A write of an answer that
times out (SDMXNODE_SEND_TIMEOUT: the client stopped reading) closes the connection too.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from gunicorn import util
from gunicorn.http.body import ChunkedReader
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine, ParseException
from gunicorn.workers import gthread
from gunicorn.workers.gthread import ThreadWorker

from sdmxnode.config import load_settings
from sdmxnode.errors import (
    BadRequest,
    HeadersTooLarge,
    InputTooLarge,
    SdmxNodeError,
    UriTooLong,
)
from sdmxnode.web.errors import xml_error_body
from sdmxnode.web.slow_clients import WATCHDOG, Watch, cut_input

#: Seconds a worker thread waits for a new connection's first bytes before handing the
#: connection back to the main loop (gunicorn's own wait is five seconds).
FIRST_BYTES_WAIT = 0.02
#: Header bytes held without their end after which gunicorn's parser reads the rest itself
#: (under the header deadline): it refuses over-long request lines and headers.
HEADER_READ_AHEAD = 64 * 1024
#: gunicorn's answer "hand the connection back to the poller" (None if it has none).
_DEFER = getattr(gthread, "_DEFER", None)
_READY = object()


def raw_body_limit(max_bytes: int, content_encoding: str) -> int:
    """The most bytes a body may have on the wire for SDMXNODE_MAX_REQUEST_BYTES
    `max_bytes` (which bounds the decoded body): more for a gzip or deflate body, whose
    stored blocks may be slightly larger than what they decode to."""
    if content_encoding.strip().lower() in ("", "identity"):
        return max_bytes
    return max_bytes + max_bytes // 1000 + 1024


def _too_large(limit: int, how: str) -> InputTooLarge:
    return InputTooLarge(
        f"the request body {how} larger than {limit:,} bytes (SDMXNODE_MAX_REQUEST_BYTES)",
        where="body",
    )


def _header(req: Any, name: str) -> str:
    return next((value for key, value in req.headers if key == name), "")


def early_refusal(req: Any, max_bytes: int) -> SdmxNodeError | None:
    """413 for a request expecting `100 Continue` whose Content-Length is over the limit;
    None for every other request (the application decides)."""
    if req.version < (1, 1) or _header(req, "EXPECT").strip().lower() != "100-continue":
        return None
    length = _header(req, "CONTENT-LENGTH")
    limit = raw_body_limit(max_bytes, _header(req, "CONTENT-ENCODING"))
    if length.isdigit() and int(length) > limit:
        return _too_large(limit, f"would be {int(length):,} bytes (Content-Length),")
    return None


class BoundedChunkedReader(ChunkedReader):  # type: ignore[misc]
    """gunicorn's chunked reader, refusing (InputTooLarge) a chunk whose declared size
    takes the body past `limit` as soon as its size line is read."""

    def __init__(self, req: Any, unreader: Any, limit: int) -> None:
        super().__init__(req, unreader)
        self.limit = limit
        self.declared = 0

    def parse_chunk_size(self, unreader: Any, data: Any = None) -> tuple[int, Any]:
        """The next chunk's size and the bytes read after its size line."""
        size, rest = super().parse_chunk_size(unreader, data)
        self.declared += size
        if self.declared > self.limit:
            raise _too_large(self.limit, "is declared (chunk sizes)")
        return size, rest


def refusal_for(exc: BaseException) -> SdmxNodeError | None:
    """The SDMX error for a request gunicorn could not parse (or whose body reading was
    refused); None for other errors."""
    if isinstance(exc, SdmxNodeError):
        return exc
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
    """ThreadWorker whose refusals of unparseable requests are SDMX error messages, and
    which refuses bodies over SDMXNODE_MAX_REQUEST_BYTES before they are sent and whose
    threads wait for no header bytes that have not arrived."""

    max_bytes: int | None = None

    def body_limit(self) -> int:
        """SDMXNODE_MAX_REQUEST_BYTES, as the application reads it (read once)."""
        if self.max_bytes is None:
            self.max_bytes = load_settings().max_request_bytes
        return self.max_bytes

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Refuse a body announced over the limit before inviting it, bound a chunked
        body's declared size, then handle the request as gunicorn does."""
        error = early_refusal(req, self.body_limit())
        if error is not None:
            host = conn.client[0] if conn.client else ""
            self.log.warning("refused request from %s: %s %s", host, error.status, error.text)
            try:
                util.write_nonblock(conn.sock, error_bytes(error))
            except OSError:
                self.log.debug("failed to send the error message")
            return False  # closed: the client is not to send that body
        if isinstance(req.body.reader, ChunkedReader):
            limit = raw_body_limit(self.body_limit(), _header(req, "CONTENT-ENCODING"))
            req.body.reader = BoundedChunkedReader(req, req.unreader, limit)
        try:
            return bool(super().handle_request(req, conn))
        except TimeoutError:  # a client that stopped taking its answer (SDMXNODE_SEND_TIMEOUT)
            self.log.warning(
                "closed a connection from %s: its client took no more of the answer for "
                "SDMXNODE_SEND_TIMEOUT seconds",
                conn.client[0] if conn.client else "",
            )
            cut_input(conn.sock)  # closing it then waits for nothing more from the client
            return False

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        """gunicorn's choice, except that an unread body whose draining fails (malformed,
        or past the limit) closes the connection rather than answering a second time."""
        try:
            return bool(super()._keepalive_after(conn, keepalive))
        except (ParseException, SdmxNodeError):
            return False

    def init_process(self) -> None:
        """Read SDMXNODE_HEADER_TIMEOUT, then run gunicorn's worker."""
        self.header_timeout = load_settings().header_timeout
        super().init_process()

    def handle(self, conn: Any) -> Any:
        """Serve the connection's request once its headers are all in; until then hand it
        back to the main loop (or close it, past the header deadline)."""
        if _DEFER is None or self.cfg.is_ssl:
            return super().handle(conn)
        try:
            verdict = self._gather_headers(conn)
        except OSError:
            return False  # the client went away
        if verdict is not _READY:
            return verdict
        try:
            return super().handle(conn)
        finally:
            WATCHDOG.unwatch(conn.sock)

    def _gather_headers(self, conn: Any) -> Any:
        """_READY when the request's headers are in (or gunicorn may read them); _DEFER to
        wait in the poller for more bytes; False to close the connection."""
        if not conn.initialized and not conn.data_ready:
            if not conn.wait_for_data(FIRST_BYTES_WAIT):
                return _DEFER
        if not conn.initialized:
            conn.init()
        unreader = getattr(conn.parser, "unreader", None)
        if conn.is_http2 or unreader is None:
            return _READY
        now = time.monotonic()
        since = getattr(conn, "sdmxnode_headers_since", None) or now
        ended = _read_available(conn.sock, unreader)
        held = unreader.buf.getvalue()
        if ended or b"\r\n\r\n" in held or len(held) >= HEADER_READ_AHEAD:
            conn.sdmxnode_headers_since = None
            if not ended and b"\r\n\r\n" not in held and self.header_timeout > 0:
                WATCHDOG.watch(Watch(conn.sock, since + self.header_timeout))
            return _READY
        if self.header_timeout > 0 and now - since > self.header_timeout:
            self.log.info("closed a connection whose headers took over %ss", self.header_timeout)
            return False
        conn.sdmxnode_headers_since = since
        return _DEFER

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


def _read_available(sock: socket.socket, unreader: Any) -> bool:
    """Add to `unreader`'s buffer the bytes `sock` holds, without waiting (at most
    HEADER_READ_AHEAD in all); True when the client has closed its side."""
    sock.setblocking(False)
    try:
        while unreader.buf.seek(0, os.SEEK_END) < HEADER_READ_AHEAD:
            try:
                data = sock.recv(HEADER_READ_AHEAD)
            except (BlockingIOError, InterruptedError):
                return False
            if not data:
                return True
            unreader.buf.write(data)
        return False
    finally:
        sock.setblocking(True)
