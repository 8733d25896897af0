"""HTTP behaviour shared by every response: CORS, security headers, Vary, gzip and
conditional requests."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime

from flask import Response, request

from sdmxnode.rest.languages import parse_languages

#: Headers a browser script of another origin may read: validators, encodings, the file name
#: of a download, the range of a page, where a created resource is.
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Content-Encoding, Content-Language, Content-Disposition, "
    "Content-Range, Location"
)
MIN_GZIP_BYTES = 512
#: The policy of every HTML page: scripts, styles, images and requests from the node only,
#: nothing inline (the pages keep their code and style in /static), never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def add_common_headers(response: Response) -> Response:
    """CORS on every response (errors included, as SDMX-REST 2.x `tips.md` asks), Vary, gzip;
    nosniff on every response, and on HTML pages a Content-Security-Policy refusing inline
    code and framing."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Accept, Accept-Encoding, Accept-Language, Authorization, Content-Type, "
            "If-None-Match, If-Modified-Since"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    if request.path.startswith("/rest"):
        response.vary.update(("Accept", "Accept-Encoding"))
    _maybe_gzip(response)
    return response


def request_languages() -> tuple[str, ...]:
    """The languages the request asks for, best first: `?lang=`, else Accept-Language
    (see `sdmxnode.rest.languages`); a malformed `lang` is a BadRequest."""
    return parse_languages(request.args.get("lang"), request.headers.get("Accept-Language"))


def vary_on_language(response: Response) -> Response:
    """Say that the answer depends on Accept-Language too (after Accept, Accept-Encoding)."""
    response.vary.update(("Accept", "Accept-Encoding", "Accept-Language"))
    return response


def set_content_language(response: Response, language: str | None) -> Response:
    """Say which language the answer's single-language texts are in (`Content-Language`),
    and that the answer depends on Accept-Language (`Vary`)."""
    vary_on_language(response)
    if language:
        response.headers["Content-Language"] = language
    return response


def accepts_gzip() -> bool:
    """Whether the request accepts a gzip-compressed answer."""
    for rng in parse_accept_encoding(request.headers.get("Accept-Encoding", "")):
        if rng[0] in ("gzip", "*"):
            return rng[1] > 0
    return False


def gzip_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A gzip stream of `chunks`, compressed as they come."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()


def parse_accept_encoding(header: str) -> list[tuple[str, float]]:
    """The codings of an Accept-Encoding header with their quality values."""
    codings = []
    for part in header.split(","):
        pieces = part.strip().split(";")
        name = pieces[0].strip().lower()
        if not name:
            continue
        q = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        codings.append((name, q))
    return codings


def _maybe_gzip(response: Response) -> None:
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or not accepts_gzip()
    ):
        return
    body = response.get_data()
    if len(body) < MIN_GZIP_BYTES:
        return
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"


def conditional(etag: str, last_modified: datetime, render: Callable[[], Response]) -> Response:
    """304 when the client's validators still match, else the rendered response with them.

    The ETag is weak (RFC 9110 8.8.1): two answers to one query are the same artefacts in
    the same format, but differ in the message header (id, prepared) and in content coding.
    If-None-Match takes precedence over If-Modified-Since (RFC 9110 13.2.2).
    """
    if request.if_none_match:
        if request.if_none_match.contains_weak(etag):
            return _not_modified(etag, last_modified)
    elif request.if_modified_since and last_modified <= request.if_modified_since:
        return _not_modified(etag, last_modified)
    response = render()
    response.set_etag(etag, weak=True)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = "no-cache"
    return response


def _not_modified(etag: str, last_modified: datetime) -> Response:
    response = Response(status=304)
    del response.headers["Content-Type"]
    response.set_etag(etag, weak=True)
    response.last_modified = last_modified
    return response
