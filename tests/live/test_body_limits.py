"""Bodies refused before they are sent: `Expect: 100-continue` with a Content-Length over
SDMXNODE_MAX_REQUEST_BYTES is answered 413 without `100 Continue`, and a chunked body
whose chunk sizes pass the limit is refused at the chunk header, not after a wait."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from sdmxnode.config import load_settings
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from tests.conftest import PROJECT_ROOT, fresh_database
from tests.live.conftest import LiveNode, start_node

pytestmark = pytest.mark.live

MAX_REQUEST_BYTES = 100_000
REQUEST_TIMEOUT = 30  # a refusal that waited for the body would take this long
PROMPT = 5.0  # seconds within which a refusal must come
VALID_CSV = (PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv").read_bytes()
DATA_WRITE = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveNode, str]]:
    """A node with a small body limit, and an admin token."""
    folder = tmp_path_factory.mktemp("body-limits")
    database_url = fresh_database(folder)
    env = {
        "SDMXNODE_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
        "SDMXNODE_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
    }
    generator = start_node(database_url, None, folder / "node.log", env)
    live = next(generator)
    try:
        store = Node.from_settings(load_settings({"DATABASE_URL": database_url}))
        token = create_token(store, role="admin", label="body limits")
        store.store.dispose()
        yield live, token
    finally:
        generator.close()


def _connect(live: LiveNode) -> socket.socket:
    parts = urlsplit(live.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=PROMPT)
    return sock


def _head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _final_response(data: bytes) -> bytes | None:
    """The first complete non-1xx response in `data` (after any interim ones), if any."""
    while data.startswith(b"HTTP/1.1 1"):
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return None
        data = data[end + 4 :]
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return data if len(body) >= int(value) else None
    return None


def _read_answer(sock: socket.socket) -> bytes:
    """What the node sends, up to its first complete final response (or until it closes
    or pauses for PROMPT seconds)."""
    data = b""
    while _final_response(data) is None:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split()[1])


@pytest.mark.parametrize("path", ["/validate", DATA_WRITE])
def test_expect_continue_over_the_limit_is_413_without_100_continue(
    node: tuple[LiveNode, str], path: str
) -> None:
    live, token = node
    with _connect(live) as sock:
        headers = {
            "Content-Type": "text/csv",
            "Content-Length": str(MAX_REQUEST_BYTES + 1),
            "Expect": "100-continue",
            "Authorization": f"Bearer {token}",
        }
        started = time.monotonic()
        sock.sendall(_head("POST", path, headers))
        answer = _read_answer(sock)  # the body is never sent: the client waits for 100
    assert time.monotonic() - started < PROMPT, "the node waited for the body"
    assert b"100 Continue" not in answer
    assert _status(answer) == 413, answer[:500]
    assert b"ErrorMessage" in answer and b'code="510"' in answer
    assert b"MAX_REQUEST_BYTES" in answer


def test_expect_continue_within_the_limit_still_gets_100_continue(
    node: tuple[LiveNode, str],
) -> None:
    live, _token = node
    with _connect(live) as sock:
        headers = {
            "Content-Type": "text/csv",
            "Content-Length": str(len(VALID_CSV)),
            "Expect": "100-continue",
            "Connection": "close",
        }
        sock.sendall(_head("POST", "/validate", headers))
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100 Continue"), interim[:200]
        sock.sendall(VALID_CSV)
        answer = _read_answer(sock)
    final = _final_response(answer)
    assert final is not None and _status(final) == 200, answer[:500]


@pytest.mark.parametrize(
    "chunks",
    [
        [b"ffffffffffffffff\r\nabc"],  # an absurd size, three bytes of it, then silence
        [b"%x\r\n" % (MAX_REQUEST_BYTES + 1)],  # just over the limit, nothing of it
        # two chunks that are each within the limit, together over it
        [b"%x\r\n" % 60_000 + b"a" * 60_000 + b"\r\n", b"%x\r\n" % 60_000],
    ],
    ids=["absurd", "over", "sum-over"],
)
@pytest.mark.parametrize("path", ["/validate", DATA_WRITE])
def test_a_chunk_size_past_the_limit_is_refused_at_once(
    node: tuple[LiveNode, str], path: str, chunks: list[bytes]
) -> None:
    live, token = node
    with _connect(live) as sock:
        headers = {
            "Content-Type": "text/csv",
            "Transfer-Encoding": "chunked",
            "Authorization": f"Bearer {token}",
            "Accept": "application/xml",
        }
        sock.sendall(_head("POST", path, headers))
        started = time.monotonic()
        for chunk in chunks:
            sock.sendall(chunk)
        answer = _read_answer(sock)
    assert time.monotonic() - started < PROMPT, "the node waited for the chunk"
    assert _status(answer) == 413, answer[:500]
    assert b"ErrorMessage" in answer and b'code="510"' in answer


def test_an_absurd_chunk_the_node_does_not_read_closes_the_connection(
    node: tuple[LiveNode, str],
) -> None:
    """Refused before its body is read (no token), the request's body is not drained for
    ever: the connection closes after the one answer."""
    live, _token = node
    with _connect(live) as sock:
        headers = {"Transfer-Encoding": "chunked", "Accept": "application/xml"}
        sock.sendall(_head("POST", DATA_WRITE, headers) + b"ffffffffffffffff\r\nabc")
        started = time.monotonic()
        answer = _read_answer(sock)
        assert _status(answer) == 401, answer[:500]
        rest = _read_answer(sock)
    assert time.monotonic() - started < PROMPT, "the node drained the body"
    assert rest == b""


def test_the_node_still_answers(node: tuple[LiveNode, str]) -> None:
    live, _token = node
    with _connect(live) as sock:
        sock.sendall(_head("GET", "/health", {"Connection": "close"}))
        assert _status(_read_answer(sock)) == 200
