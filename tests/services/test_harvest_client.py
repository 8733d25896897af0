"""The harvest client bounds what a source may send: raw and after decompression."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from sdmxnode.errors import HarvestError
from sdmxnode.services.harvest.client import HttpClient
from tests.http_source import serving

PLAIN = b"<x/>" * 100_000  # 400,000 bytes
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB that inflate from ~65 KiB


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = BOMB if self.path == "/bomb" else PLAIN
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        if self.path == "/bomb":
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def source() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def test_a_body_within_the_bound_arrives_whole(source: str) -> None:
    fetched = HttpClient(retries=0, max_bytes=len(PLAIN)).get(f"{source}/plain", "*/*")
    assert fetched.status == 200 and fetched.body == PLAIN


def test_a_larger_body_fails_the_request(source: str) -> None:
    with pytest.raises(HarvestError, match="larger than 399999 bytes"):
        HttpClient(retries=0, max_bytes=len(PLAIN) - 1).get(f"{source}/plain", "*/*")


def test_a_gzip_bomb_is_stopped_at_the_bound(source: str) -> None:
    with pytest.raises(HarvestError, match="HARVEST_MAX_BYTES"):
        HttpClient(retries=0, max_bytes=1024 * 1024).get(f"{source}/bomb", "*/*")
    inflated = HttpClient(retries=0, max_bytes=64 * 1024 * 1024).get(f"{source}/bomb", "*/*")
    assert len(inflated.body) == 64 * 1024 * 1024
