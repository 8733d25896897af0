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
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Request, request
from werkzeug.wsgi import ClosingIterator

from sdmxnode.config import Settings
from sdmxnode.deadline import check_deadline, set_deadline
from sdmxnode.errors import (
    BadRequest,
    InputTooLarge,
    Invalid,
    RequestTimeout,
    ServiceTimeout,
    TooManyUploads,
    UnsupportedMediaType,
    UriTooLong,
)
from sdmxnode.web.slow_clients import WATCHDOG, BodyWatch, UploadSlots, cut_input

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
_BUSY_KEY = "sdmxnode.uploads_busy"  # every upload slot was taken: the request is refused

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
    """The raw request body; each read waits no longer than the request's deadline.

    With a `BodyWatch` (a body read from a gunicorn socket), a read also waits no longer
    than the idle timeout for the next bytes, reads in steps small enough for the watch to
    see the rate at which the body arrives, and ends with 408 once the watchdog cut it.
    """

    def __init__(
        self,
        raw: Any,
        sock: socket.socket | None,
        at: float | None,
        watch: BodyWatch | None = None,
        idle: float = 0.0,
        length: int | None = None,
    ) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._at = at
        self.watch = watch
        self.idle = idle
        self._length = length
        self.received = 0
        self.finished = length == 0

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if self._sock is None or (self._at is None and self.watch is None):
            return self._count(self._read_raw(size))
        if self.watch is not None:
            if self.watch.expired:
                raise self._timeout()
            size = min(size, self._step())
        previous = self._sock.gettimeout()
        self._sock.settimeout(self._read_timeout())
        try:
            data = self._read_raw(size)
        except TimeoutError as exc:
            raise self._timeout(cut=True, stalled=True) from exc
        except (BadRequest, OSError) as exc:  # a chunked body cut by the watchdog, say
            if self.watch is not None and self.watch.expired:
                raise self._timeout() from exc
            raise
        finally:
            try:
                self._sock.settimeout(previous)
            except OSError:
                pass  # the client went away; gunicorn closes the connection
        if self.watch is not None:
            if self.watch.expired:
                raise self._timeout()
            self.watch.seen += len(data)
        return self._count(data)

    def _step(self) -> int:
        """The most bytes one read may wait for. The watch sees a read's bytes only when
        the read ends; a read at the minimum rate uses up as much of the body's margin
        (the bytes it may still fall behind before its deadline) as it reads, so a read
        takes at most half of that margin: bodies at the minimum rate are never cut, and
        fast ones, whose margin grows, are read in steps of up to 64 KiB."""
        watch = self.watch
        if watch is None or watch.min_rate <= 0:
            return _CHUNK
        margin = (watch.deadline() - time.monotonic()) * watch.min_rate
        return int(max(512, min(_CHUNK, margin / 2)))

    def _read_timeout(self) -> float | None:
        """How long the next read may wait: the idle timeout, at most until the deadline."""
        timeout = self.idle if self.idle > 0 else None
        if self._at is not None:
            remaining = self._at - time.monotonic()
            if remaining <= 0:
                raise self._timeout(cut=True)
            timeout = remaining if timeout is None else min(timeout, remaining)
        return timeout

    def _read_raw(self, size: int) -> bytes:
        try:
            return bytes(self._raw.read(size))
        except _SERVER_PARSE_ERRORS as exc:  # e.g. a malformed chunked body
            raise BadRequest(f"the request body is malformed: {exc}", where="body") from exc

    def _count(self, data: bytes) -> bytes:
        self.received += len(data)
        if not data or (self._length is not None and self.received >= self._length):
            self.finished = True
        return data

    def _timeout(self, *, cut: bool = False, stalled: bool = False) -> RequestTimeout:
        if cut:
            cut_input(self._sock)
        if self.watch is not None and self.watch.too_slow():
            return RequestTimeout(
                f"the request body arrived slower than {self.watch.min_rate:g} bytes per "
                "second, the slowest this node accepts (SDMXNODE_UPLOAD_MIN_RATE)"
            )
        if stalled and (self._at is None or time.monotonic() < self._at - 0.05):
            return RequestTimeout(
                f"no byte of the request body arrived for {self.idle:g} seconds "
                "(SDMXNODE_UPLOAD_IDLE_TIMEOUT)"
            )
        return _body_timeout()

    def drain(self, min_rate: float, head_start: float) -> bool:
        """Read and drop the rest of the body if it comes fast enough (`min_rate` bytes/s
        after `head_start` seconds, never longer than the idle timeout between bytes); True
        when the whole body was read, False when it was cut."""
        if self.finished:
            return True
        if self.watch is None:
            return False
        self.watch.restart(min_rate, head_start)
        self.idle = min(self.idle, head_start) if self.idle > 0 else head_start
        WATCHDOG.watch(self.watch)
        try:
            while not self.finished:
                self.read(_CHUNK)
        except (RequestTimeout, BadRequest, OSError):
            cut_input(self._sock)
            return False
        finally:
            WATCHDOG.unwatch(self._sock)
        return True


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


#: The minimum rate's head start when SDMXNODE_UPLOAD_IDLE_TIMEOUT is 0 (seconds).
DEFAULT_HEAD_START = 15.0


@dataclass(frozen=True)
class ClientLimits:
    """How slowly a body may arrive, how many bodies a process reads at once, and how
    slowly a client may take its answer."""

    min_rate: float = 0.0  # SDMXNODE_UPLOAD_MIN_RATE, bytes/s (0: no minimum)
    idle: float = 0.0  # SDMXNODE_UPLOAD_IDLE_TIMEOUT, seconds (0: no idle limit)
    slots: UploadSlots = field(default_factory=lambda: UploadSlots(0))
    send_timeout: float = 0.0  # SDMXNODE_SEND_TIMEOUT, seconds (0: no limit)

    @property
    def head_start(self) -> float:
        """Seconds before the minimum rate applies: the idle timeout, or 15 without one."""
        return self.idle if self.idle > 0 else DEFAULT_HEAD_START

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientLimits:
        """The limits the settings give, with the upload slots of this process."""
        return cls(
            float(settings.upload_min_rate),
            float(settings.upload_idle_timeout),
            UploadSlots(settings.max_uploads),
            float(settings.send_timeout),
        )


#: The rest of a body the view did not read is read (and dropped) only if it comes at
#: least this fast after DRAIN_HEAD_START seconds; otherwise the connection is cut.
DRAIN_MIN_RATE = 1024 * 1024
DRAIN_HEAD_START = 0.5
#: Seconds a request refused for want of an upload slot is told to wait (Retry-After).
UPLOAD_RETRY_AFTER = 5


class RequestLimits:
    """WSGI middleware: the request's deadline, a timed body, gzip/deflate bodies decoded,
    and on a gunicorn socket the slow-client guards of `slow_clients`."""

    def __init__(
        self, app: WSGIApp, max_bytes: int, timeout: float, clients: ClientLimits | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.clients = clients or ClientLimits()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Run the request with its deadline set and its body read through the limits."""
        at = time.monotonic() + self.timeout if self.timeout > 0 else None
        environ[_DEADLINE_KEY] = at
        sock = environ.get("gunicorn.socket")
        WATCHDOG.unwatch(sock)  # its headers are in: only the body is watched from here on
        _time_sends(sock, self.clients.send_timeout)
        length = _content_length(environ)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if sock is None or not (length or chunked):
            self._decode_input(environ, _TimedInput(environ["wsgi.input"], sock, at))
            return self.app(environ, start_response)
        return self._upload(environ, start_response, sock, at, length)

    def _upload(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        sock: socket.socket,
        at: float | None,
        length: int | None,
    ) -> Any:
        """A request with a body: in an upload slot, read under a BodyWatch; refused at
        once (503, its body unread) when every slot is taken."""
        if not self.clients.slots.take():
            environ[_BUSY_KEY] = self.clients.slots.size
            cut_input(sock)
            _force_close(start_response)
            return self.app(environ, start_response)
        watch = BodyWatch(sock, at, self.clients.min_rate, self.clients.head_start)
        raw = _TimedInput(environ["wsgi.input"], sock, at, watch, self.clients.idle, length)
        self._decode_input(environ, raw)
        WATCHDOG.watch(watch)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not raw.finished:  # answered before the whole body came: do not keep it open
                _force_close(start_response)
            return start_response(status, headers, exc_info)

        def done() -> None:
            WATCHDOG.unwatch(sock)
            try:
                if not raw.finished and not watch.expired:
                    raw.drain(DRAIN_MIN_RATE, DRAIN_HEAD_START)
                elif not raw.finished:
                    cut_input(sock)
            finally:
                self.clients.slots.give()

        try:
            result = self.app(environ, start)
        except BaseException:
            done()
            raise
        return ClosingIterator(result, done)

    def _decode_input(self, environ: dict[str, Any], raw: _TimedInput) -> None:
        """Put `raw` in wsgi.input, decoded (gzip, deflate) or counted (chunked)."""
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


def _time_sends(sock: socket.socket | None, seconds: float) -> None:
    """Bound each write of the answer to `seconds` (the body's reads set their own
    timeouts and restore this one): a client that stops reading its answer raises
    TimeoutError in gunicorn's write, which the node's worker turns into a closed
    connection instead of a thread blocked for good."""
    if sock is None or seconds <= 0:
        return
    try:
        sock.settimeout(seconds)
    except OSError:
        pass  # the client went away


def _content_length(environ: dict[str, Any]) -> int | None:
    """The request's Content-Length, None when absent or not a number."""
    try:
        return int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _force_close(start_response: Callable[..., Any]) -> None:
    """Make gunicorn close the connection after this answer (and say so in its headers):
    gunicorn ignores an application's Connection header, but its start_response belongs
    to the response object, which can be told to close."""
    force = getattr(getattr(start_response, "__self__", None), "force_close", None)
    if callable(force):
        force()


def install_limits(app: Flask, settings: Settings) -> None:
    """Wrap `app` in RequestLimits and check the URL length and content coding per request."""
    max_url = settings.max_url_length
    app.request_class = NodeRequest
    app.wsgi_app = RequestLimits(  # type: ignore[method-assign]
        app.wsgi_app,
        settings.max_request_bytes,
        settings.request_timeout,
        ClientLimits.from_settings(settings),
    )

    @app.before_request
    def _check_request() -> None:
        set_deadline(request.environ.get(_DEADLINE_KEY), settings.request_timeout)
        busy = request.environ.get(_BUSY_KEY)
        if busy:
            raise TooManyUploads(
                f"this node is already reading the {busy} request bodies it reads at once "
                "(SDMXNODE_MAX_UPLOADS): send it again in a few seconds",
                retry_after=UPLOAD_RETRY_AFTER,
            )
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
    "ClientLimits",
    "check_deadline",
    "deadline_chunks",
    "install_limits",
    "request_deadline",
]
