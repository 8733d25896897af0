"""Conditional HTTP GETs to an SDMX-REST source, retried with backoff on transient failures."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sdmxnode.errors import HarvestError, _Transient

if TYPE_CHECKING:
    from sdmxnode.config import Settings

log = logging.getLogger(__name__)

#: Statuses worth another try (the source is busy or briefly broken).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
USER_AGENT = "sdmxnode-harvest"


@dataclass(frozen=True)
class Fetched:
    """One answer of a source: status (200, 304 or 404), body and validators."""

    url: str
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    date: str | None = None  # the source's clock when it answered (HTTP-date)


@dataclass
class HttpClient:
    """GETs with If-None-Match / If-Modified-Since; counts the requests it sends."""

    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    sleep: Callable[[float], None] = time.sleep
    requests_sent: int = 0
    #: Largest answer accepted, after decompression: a source cannot exhaust our memory.
    max_bytes: int = 1024 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpClient:
        """A client with the node's harvest settings (timeout, retries, size limit)."""
        return cls(
            timeout=settings.harvest_timeout,
            retries=settings.harvest_retries,
            max_bytes=settings.harvest_max_bytes,
        )

    def get(
        self,
        url: str,
        accept: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """A conditional GET of `url`, retried with backoff on transient failures."""
        headers = {"Accept": accept, "Accept-Encoding": "gzip", "User-Agent": USER_AGENT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return self._get_once(url, headers)
            except _Transient as exc:
                if attempt == self.retries:
                    raise HarvestError(
                        f"{url}: {exc} (gave up after {attempt + 1} attempts)", where=url
                    ) from exc
                log.warning("%s: %s; retrying in %.1f s", url, exc, delay)
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_once(self, url: str, headers: dict[str, str]) -> Fetched:
        self.requests_sent += 1
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(self.max_bytes + 1)
                _check_size(url, body, self.max_bytes)
                return _fetched(url, response.status, response.headers, body, self.max_bytes)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return _fetched(url, 304, exc.headers, b"")
            if exc.code in RETRY_STATUSES:
                raise _Transient(f"HTTP {exc.code}") from exc
            body = exc.read(64 * 1024)
            if exc.code in (404, 204):  # SDMX 100 "no results"
                return _fetched(url, 404, exc.headers, b"")
            raise HarvestError(
                f"{url}: HTTP {exc.code}: {body[:300].decode('utf-8', 'replace')}", where=url
            ) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise _Transient(str(getattr(exc, "reason", exc))) from exc


def _check_size(url: str, body: bytes, max_bytes: int) -> None:
    if len(body) > max_bytes:
        raise HarvestError(
            f"{url}: the answer is larger than {max_bytes} bytes (SDMXNODE_HARVEST_MAX_BYTES)",
            where=url,
        )


def _fetched(  # type: ignore[no-untyped-def]
    url: str, status: int, headers, body: bytes, max_bytes: int = 1024 * 1024 * 1024
) -> Fetched:
    if body and headers.get("Content-Encoding", "").lower() == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            raise HarvestError(f"{url}: a broken gzip body", where=url) from exc
        _check_size(url, body, max_bytes)
    if status == 200 and not body:
        status = 404  # a 2.x "204 No Content": no results
    return Fetched(
        url=url,
        status=status,
        body=body,
        content_type=headers.get("Content-Type", ""),
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
        date=headers.get("Date"),
    )
