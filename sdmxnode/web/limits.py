"""The node's request limits: URL length, body size after decompression, time per request.

`RequestLimits` wraps the WSGI application: it decodes a `Content-Encoding: gzip` or
`deflate` request body as the view reads it (counting the decoded bytes against
SDMXNODE_MAX_REQUEST_BYTES, so a compression bomb stops at the limit), and bounds the
time the client may take to send its body (SDMXNODE_REQUEST_TIMEOUT; 408 when exceeded).
`install_limits` adds the Flask side: the URL length check (414) and the request's
deadline, which loads, validation and streamed answers check as they go.
"""

from __future__ import annotations

import io
import logging
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, Request, request

from sdmxnode.config import Settings
from sdmxnode.deadline import check_deadline, set_deadline
from sdmxnode.errors import (
    BadRequest,
    InputTooLarge,
    Invalid,
    RequestTimeout,
    ServiceTimeout,
    UnsupportedMediaType,
    UriTooLong,
)

log = logging.getLogger(__name__)

try:  # the errors gunicorn raises while it reads a malformed body (bad chunk sizes...)
    from gunicorn.http.errors import ParseException

    _SERVER_PARSE_ERRORS: tuple[type[Exception], ...] = (ParseException,)
except ImportError:  # pragma: no cover - another WSGI server
    _SERVER_PARSE_ERRORS = ()

#: Content codings of request bodies the node decodes, and the zlib window of each.
_CODINGS = {"gzip": 47, "x-gzip": 47, "deflate": 15}
_CHUNK = 1 << 16
_DEADLINE_KEY = "sdmxnode.deadline"
_BOUNDED_KEY = "sdmxnode.body_bounded"  # the body's size is checked by our own stream

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _ReadInput(io.RawIOBase):
    """A raw stream defined by its `read`; `readinto` (what buffered readers call) uses it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _TimedInput(_ReadInput):
    """The raw request body; each read waits no longer than the request's deadline."""

    def __init__(self, raw: Any, sock: socket.socket | None, at: float | None) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._at = at

    def read(self, size: int = -1, /) -> bytes:
        if self._sock is None or self._at is None:
            try:
                return bytes(self._raw.read(size))
            except _SERVER_PARSE_ERRORS as exc:
                raise BadRequest(f"the request body is malformed: {exc}", where="body") from exc
        remaining = self._at - time.monotonic()
        if remaining <= 0:
            raise _body_timeout()
        previous = self._sock.gettimeout()
        self._sock.settimeout(remaining)
        try:
            return bytes(self._raw.read(size))
        except TimeoutError as exc:
            raise _body_timeout() from exc
        except _SERVER_PARSE_ERRORS as exc:  # e.g. a malformed chunked body
            raise BadRequest(f"the request body is malformed: {exc}", where="body") from exc
        finally:
            try:
                self._sock.settimeout(previous)
            except OSError:
                pass  # the client went away; gunicorn closes the connection


def _body_timeout() -> RequestTimeout:
    return RequestTimeout(
        "the request body did not arrive within the time this node allows "
        "(SDMXNODE_REQUEST_TIMEOUT)"
    )


class _DecodedInput(_ReadInput):
    """A gzip or deflate request body, decoded as it is read, at most `limit` bytes."""

    def __init__(self, raw: io.RawIOBase, wbits: int, limit: int, coding: str) -> None:
        super().__init__()
        self._raw = raw
        self._inflater = zlib.decompressobj(wbits)
        self._limit = limit
        self._coding = coding
        self._count = 0
        self._done = False

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            return self.readall()
        want = max(1, size)
        while not self._done:
            pending = self._inflater.unconsumed_tail
            if not pending:
                pending = self._raw.read(_CHUNK)
                if not pending:
                    if not self._inflater.eof:
                        raise Invalid(f"the {self._coding} request body is truncated", where="body")
                    self._done = True
                    break
            try:
                data = self._inflater.decompress(pending, want)
            except zlib.error as exc:
                raise Invalid(
                    f"the request body is declared {self._coding} (Content-Encoding) but is "
                    f"not: {exc}",
                    where="body",
                ) from exc
            if self._inflater.eof:
                if self._inflater.unused_data.strip(b"\0"):
                    # a second gzip member: decode it too (gzip allows several)
                    rest = self._inflater.unused_data
                    self._inflater = zlib.decompressobj(47)
                    self._inflater.decompress(b"", 0)
                    self._raw = _Prefixed(rest, self._raw)
                else:
                    self._done = True
            if data:
                self._count += len(data)
                if self._count > self._limit:
                    raise InputTooLarge(
                        f"the request body is larger than {self._limit:,} bytes once "
                        "decompressed (SDMXNODE_MAX_REQUEST_BYTES)",
                        where="body",
                    )
                return data
        return b""


class _Prefixed(io.RawIOBase):
    """`head`, then what `raw` has left."""

    def __init__(self, head: bytes, raw: io.RawIOBase) -> None:
        super().__init__()
        self._head = head
        self._raw = raw

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return bytes(self._raw.read(size) or b"")


class _CountedInput(_ReadInput):
    """A body of unknown length (chunked) refused once it passes `limit` bytes."""

    def __init__(self, raw: io.RawIOBase, limit: int) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._count = 0

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            return self.readall()
        data = self._raw.read(size) or b""
        self._count += len(data)
        if self._count > self._limit:
            raise InputTooLarge(
                f"the request body is larger than {self._limit:,} bytes "
                "(SDMXNODE_MAX_REQUEST_BYTES)",
                where="body",
            )
        return data


class NodeRequest(Request):
    """Flask's request, leaving the size limit of bodies of unknown length to RequestLimits.

    werkzeug stops reading such a body at MAX_CONTENT_LENGTH and hands the view the bytes
    read so far, silently truncated; RequestLimits' streams refuse it with 413 instead.
    """

    @property  # type: ignore[misc]
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self.environ.get(_BOUNDED_KEY):
            return None
        return super().max_content_length


class RequestLimits:
    """WSGI middleware: the request's deadline, a timed body, gzip/deflate bodies decoded."""

    def __init__(self, app: WSGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Run the request with its deadline set and its body read through the limits."""
        at = time.monotonic() + self.timeout if self.timeout > 0 else None
        environ[_DEADLINE_KEY] = at
        raw = _TimedInput(environ["wsgi.input"], environ.get("gunicorn.socket"), at)
        environ["wsgi.input"] = raw
        codings = [
            c.strip().lower()
            for c in environ.get("HTTP_CONTENT_ENCODING", "").split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        if len(codings) == 1 and codings[0] in _CODINGS:
            environ["wsgi.input"] = _DecodedInput(
                raw, _CODINGS[codings[0]], self.max_bytes, codings[0]
            )
            environ["sdmxnode.content_encoding"] = codings[0]
            environ.pop("CONTENT_LENGTH", None)  # the decoded length is not known
            environ.pop("HTTP_CONTENT_ENCODING", None)
            environ["wsgi.input_terminated"] = True
            environ[_BOUNDED_KEY] = True
        elif codings:
            environ["sdmxnode.unsupported_encoding"] = ", ".join(codings)
        elif not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            environ["wsgi.input"] = _CountedInput(raw, self.max_bytes)  # chunked
            environ[_BOUNDED_KEY] = True
        return self.app(environ, start_response)


def install_limits(app: Flask, settings: Settings) -> None:
    """Wrap `app` in RequestLimits and check the URL length and content coding per request."""
    max_url = settings.max_url_length
    app.request_class = NodeRequest
    app.wsgi_app = RequestLimits(  # type: ignore[method-assign]
        app.wsgi_app, settings.max_request_bytes, settings.request_timeout
    )

    @app.before_request
    def _check_request() -> None:
        set_deadline(request.environ.get(_DEADLINE_KEY), settings.request_timeout)
        length = len(request.environ.get("RAW_URI") or request.full_path.rstrip("?"))
        if max_url and length > max_url:
            raise UriTooLong(
                f"the URL has {length:,} characters, more than the {max_url:,} this node "
                "accepts (SDMXNODE_MAX_URL_LENGTH): use wildcards, fewer '+' alternatives, "
                "or several queries",
                where="url",
            )
        unsupported = request.environ.get("sdmxnode.unsupported_encoding")
        if unsupported:
            raise UnsupportedMediaType(
                f"request bodies in the content coding {unsupported!r} are not accepted; "
                "send gzip, deflate or no Content-Encoding",
                where="Content-Encoding",
            )

    @app.teardown_request
    def _end_deadline(_error: BaseException | None) -> None:
        set_deadline(None)


def deadline_chunks(chunks: Iterator[bytes], at: float | None) -> Iterator[bytes]:
    """`chunks`, checked against the deadline `at` between chunks.

    Once the status line has gone out an answer cannot become an error: past the deadline
    the stream is cut (the exception makes the server drop the connection without the end
    of the chunked body), so the client sees a truncated answer, never a complete-looking one.
    """
    for chunk in chunks:
        if at is not None and time.monotonic() > at:
            log.warning("streamed answer cut: the request passed SDMXNODE_REQUEST_TIMEOUT")
            raise ServiceTimeout("the answer was cut: the request passed its time limit")
        yield chunk


def request_deadline() -> float | None:
    """The current request's deadline (a time.monotonic() value), or None."""
    return request.environ.get(_DEADLINE_KEY)


__all__ = [
    "RequestLimits",
    "check_deadline",
    "deadline_chunks",
    "install_limits",
    "request_deadline",
]
