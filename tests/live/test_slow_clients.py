"""Slow clients do not starve the node (issue 14, point 4).

A live node (one worker process, the default SDMXNODE_THREADS and SDMXNODE_MAX_UPLOADS)
with short slow-client limits. Over forty connections at once trickle request bodies far
below SDMXNODE_UPLOAD_MIN_RATE to POST /validate and POST /rest/data (with and without a
token), stall in mid-body, send their headers a byte at a time, or send nothing; each slow
client starts again a second after each answer. Meanwhile /health and a data query must
keep answering within PROBE_SECONDS. Each slow request must end with an SDMX error: 408
(rate or stall), 503 with Retry-After (every upload slot taken), or 401 (no token), or with
the connection closed (headers too slow, nothing sent). Then, on the quiet node: a body
that stalls gets 408 after the idle timeout, one below the rate 408 after the head start,
and one a few times faster than the minimum rate is validated (200).

The guards are HTTP-level and do not depend on the database engine: the test runs on
SQLite only.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from sdmxnode.config import load_settings
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from tests.conftest import POSTGRES_URL, PROJECT_ROOT, fresh_database
from tests.live.conftest import LiveNode, start_node
from tests.live.slow_client import Outcome, Probe, http_head, probe_until, slow_request

pytestmark = pytest.mark.live

MIN_RATE = 1000  # SDMXNODE_UPLOAD_MIN_RATE, bytes/s
IDLE = 2.0  # SDMXNODE_UPLOAD_IDLE_TIMEOUT, seconds (also the rate's head start)
HEADER_TIMEOUT = 3.0  # SDMXNODE_HEADER_TIMEOUT
MAX_UPLOADS = 4  # SDMXNODE_MAX_UPLOADS (the default), with SDMXNODE_THREADS 8
SEND_TIMEOUT = 2.0  # SDMXNODE_SEND_TIMEOUT
THREADS = 8  # SDMXNODE_THREADS (the default)
PROBE_SECONDS = 2.0  # what /health and a data query must answer within
PHASE_SECONDS = 8.0  # how long the slow clients keep coming
GIVE_UP = 15.0  # a slow request the node has not ended by then failed the test
FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
DATA_QUERY = f"/rest/data/{FLOW}/A.1.STOCK.FB._T._T._T._T?startPeriod=1990&endPeriod=1990"
SMALL_MESSAGE = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-generic-21.xml"
BODY_LENGTH = 20_000
#: A stalled client sends this much of its body at once, then nothing: the rate's deadline
#: is then STALL_AFTER / MIN_RATE seconds later than the idle timeout, which ends it.
STALL_AFTER = 5000
XML = {"Content-Type": "application/xml", "Accept": "application/xml"}


@dataclass(frozen=True)
class SlowKind:
    """One kind of slow client: what it sends, how slowly, and how many run at once."""

    name: str
    count: int
    head: bytes
    trickle: bytes
    interval: float


@dataclass(frozen=True)
class Slow:
    node: LiveNode
    token: str
    log: Path


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slow]:
    if POSTGRES_URL:
        pytest.skip("the slow-client guards are HTTP-level, the same on every engine")
    folder = tmp_path_factory.mktemp("slow")
    database_url = fresh_database(folder)
    env = {
        "SDMXNODE_UPLOAD_MIN_RATE": str(MIN_RATE),
        "SDMXNODE_UPLOAD_IDLE_TIMEOUT": str(IDLE),
        "SDMXNODE_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "SDMXNODE_SEND_TIMEOUT": str(SEND_TIMEOUT),
    }
    generator = start_node(database_url, None, folder / "node.log", env)
    live = next(generator)
    try:
        node = Node.from_settings(load_settings({"DATABASE_URL": database_url}))
        token = create_token(node, role="admin", label="slow clients")
        node.store.engine.dispose()
        yield Slow(live, token, folder / "node.log")
    finally:
        generator.close()


def _body_head(path: str, extra: dict[str, str] | None = None) -> bytes:
    headers = {"Content-Length": str(BODY_LENGTH), **XML, **(extra or {})}
    return http_head("POST", path, headers)


def _kinds(token: str) -> list[SlowKind]:
    body = b"<" + b"x" * (BODY_LENGTH - 1)
    auth = {"Authorization": f"Bearer {token}"}
    slow_header = b"X-Padding: " + b"a" * 200
    return [
        SlowKind("slow-validate", 24, _body_head("/validate"), body, 0.05),
        SlowKind("slow-data-anonymous", 4, _body_head(f"/rest/data/{FLOW}"), body, 0.05),
        SlowKind("slow-data-token", 4, _body_head(f"/rest/data/{FLOW}", auth), body, 0.05),
        SlowKind("stalled", 4, _body_head("/validate") + body[:STALL_AFTER], b"", 0.1),
        SlowKind(
            "slow-headers", 4, b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n", slow_header, 0.5
        ),
        SlowKind("silent", 4, b"", b"", 0.5),
    ]


def _keep_coming(url: str, kind: SlowKind, until: float, out: list[Outcome]) -> None:
    while time.monotonic() < until:
        out.append(slow_request(url, kind.name, kind.head, kind.trickle, kind.interval, GIVE_UP))
        time.sleep(1.0)


def _error_code(outcome: Outcome) -> int:
    root = etree.fromstring(outcome.body)
    assert etree.QName(root).localname == "Error", outcome.body[:300]
    return int(root.find("{*}ErrorMessage").get("code"))


def _check_outcome(outcome: Outcome) -> None:
    """A slow request ended the way its kind must."""
    where = f"{outcome.kind}: {outcome.status} after {outcome.seconds:.1f} s {outcome.body[:200]!r}"
    assert outcome.status != -1, f"never ended: {where}"
    if outcome.kind in ("slow-headers", "silent"):
        assert outcome.status == 0, where  # closed without an answer
        limit = HEADER_TIMEOUT if outcome.kind == "slow-headers" else 0.0
        assert outcome.seconds < limit + 5.0, where  # + gunicorn's keep-alive 2 s, its loop
        return
    allowed = {408, 503} | ({401} if outcome.kind == "slow-data-anonymous" else set())
    assert outcome.status in allowed, where
    if outcome.status == 503:
        assert outcome.headers.get("retry-after", "").isdigit(), where
        assert outcome.seconds < 1.0, where  # refused at once, the body not waited for
        assert _error_code(outcome) == 503
    elif outcome.status == 408:
        assert outcome.seconds < IDLE + 2.0, where
        assert _error_code(outcome) == 1000
        limit = "SDMXNODE_UPLOAD_IDLE_TIMEOUT" if outcome.kind == "stalled" else "MIN_RATE"
        assert limit.encode() in outcome.body, where
    assert outcome.headers.get("connection") == "close", where


def test_slow_clients_leave_reads_answered(slow: Slow) -> None:
    url = slow.node.url
    stop = threading.Event()
    probes: list[Probe] = []
    outcomes: list[Outcome] = []
    kinds = _kinds(slow.token)
    workers = sum(kind.count for kind in kinds)
    assert sum(k.count for k in kinds if k.name.startswith(("slow-v", "slow-d", "st"))) >= 32
    prober = threading.Thread(target=probe_until, args=(url, ["/health", DATA_QUERY], stop, probes))
    until = time.monotonic() + PHASE_SECONDS
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for kind in kinds:
            for _ in range(kind.count):
                pool.submit(_keep_coming, url, kind, until, outcomes)
        time.sleep(0.5)  # the slow clients are connected and trickling
        prober.start()
        time.sleep(PHASE_SECONDS - 0.5)
        stop.set()
        prober.join()
    assert len(probes) >= 10
    slowest = max(probes, key=lambda p: p.seconds)
    assert slowest.seconds < PROBE_SECONDS, slowest
    assert {p.status for p in probes} == {200}, [p for p in probes if p.status != 200][:3]
    for outcome in outcomes:
        _check_outcome(outcome)
    statuses = [o.status for o in outcomes]
    assert statuses.count(408) >= MAX_UPLOADS  # the first slow bodies took the slots
    assert statuses.count(503) >= workers // 2  # the others were refused at once
    assert {o.kind for o in outcomes} == {k.name for k in kinds}


def _upload_at(url: str, message: bytes, rate: float) -> Outcome:
    """POST /validate `message` at about `rate` bytes/s (chunks of a tenth of a second)."""
    step = max(1, int(rate / 10))
    head = http_head("POST", "/validate", {"Content-Length": str(len(message)), **XML})
    chunks = [message[i : i + step] for i in range(0, len(message), step)]
    return slow_request(url, "upload", head + chunks[0], b"".join(chunks[1:]), 0.1 / step, GIVE_UP)


def test_a_stall_or_a_slow_body_is_cut_a_fast_enough_one_is_read(slow: Slow) -> None:
    url = slow.node.url
    message = SMALL_MESSAGE.read_bytes()
    assert len(message) > 3 * MIN_RATE  # long enough for the rate to matter
    with ThreadPoolExecutor(max_workers=3) as pool:
        stalled = pool.submit(
            slow_request,
            url,
            "stalled",
            _body_head("/validate") + b"<" * STALL_AFTER,
            b"",
            0.1,
            GIVE_UP,
        )
        trickled = pool.submit(
            slow_request,
            url,
            "slow",
            _body_head("/validate"),
            b"<" * BODY_LENGTH,
            0.01,
            GIVE_UP,
        )
        upload = pool.submit(_upload_at, url, message, 4 * MIN_RATE)
    stalled_outcome, slow_outcome, upload_outcome = (
        stalled.result(),
        trickled.result(),
        upload.result(),
    )
    assert stalled_outcome.status == 408, stalled_outcome
    assert b"SDMXNODE_UPLOAD_IDLE_TIMEOUT" in stalled_outcome.body
    assert IDLE <= stalled_outcome.seconds < IDLE + 1.5
    assert slow_outcome.status == 408, slow_outcome  # 100 bytes/s, a tenth of the minimum
    assert b"SDMXNODE_UPLOAD_MIN_RATE" in slow_outcome.body
    assert IDLE <= slow_outcome.seconds < IDLE + 1.5
    assert upload_outcome.status == 200, upload_outcome  # valid, read at 4x the minimum
    assert upload_outcome.seconds > len(message) / (4 * MIN_RATE) - 0.5  # it was slow


def _exchange(url: str, pieces: list[bytes], pause: float) -> bytes:
    """Send `pieces` with `pause` seconds between them, then read until the node closes."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(pause)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def test_headers_in_pieces_and_pipelined_requests_are_served(slow: Slow) -> None:
    """Headers that come in pieces wait in gunicorn's loop, then are served; two requests
    sent at once (pipelined) both are, on one connection."""
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answer = _exchange(slow.node.url, [head[:10], head[10:30], head[30:]], 0.4)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    keep = head.replace(b"Connection: close\r\n", b"")
    answer = _exchange(slow.node.url, [keep + head], 0.0)
    assert answer.count(b"HTTP/1.1 200") == 2, answer[:400]


def _stop_reading(url: str, answers: int) -> socket.socket:
    """A client that asks for `answers` whole dataflows at once (pipelined) with a small
    receive buffer, and reads nothing."""
    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname, parts.port))
    accept = {"Accept": "application/vnd.sdmx.genericdata+xml;version=2.1"}
    sock.sendall(http_head("GET", f"/rest/data/{FLOW}", accept) * answers)
    return sock


def _read_to_end(sock: socket.socket, seconds: float) -> tuple[bytes, bool]:
    """What the node sent, and whether it ended the connection within `seconds`."""
    sock.settimeout(seconds)
    received = bytearray()
    try:
        while chunk := sock.recv(1 << 20):
            received += chunk
    except TimeoutError:
        return bytes(received), False
    except ConnectionResetError:
        pass
    return bytes(received), True


def _dropped_readers(log: Path) -> int:
    return log.read_text(errors="replace").count("took no more of the answer")


def test_clients_that_stop_reading_lose_their_connection_not_a_thread(slow: Slow) -> None:
    """More clients than threads stop reading big answers: after SDMXNODE_SEND_TIMEOUT
    their connections are closed and the threads serve again (without the limit every
    thread would wait for them for good)."""
    answers = 20  # 20 x 1.4 MB: far more than the connection's buffers hold
    before = _dropped_readers(slow.log)
    readers = [_stop_reading(slow.node.url, answers) for _ in range(THREADS + 2)]
    try:
        deadline = time.monotonic() + 60
        while _dropped_readers(slow.log) - before < len(readers):
            assert time.monotonic() < deadline, "the node kept clients that stopped reading"
            time.sleep(0.2)
        start = time.monotonic()
        with urllib.request.urlopen(f"{slow.node.url}/health", timeout=30) as answer:
            assert answer.status == 200
        assert time.monotonic() - start < PROBE_SECONDS
        for sock in readers:
            received, ended = _read_to_end(sock, 15.0)
            assert ended, "the connection of a client that stopped reading is still open"
            assert received.startswith(b"HTTP/1.1 200")
            assert received.count(b"HTTP/1.1 200") < answers  # cut, not served in full
    finally:
        for sock in readers:
            sock.close()
