"""The slow-client guards on real loopback sockets: the body's rate, its stalls, the
watchdog, the upload slots, the thread settings (the live test runs them in gunicorn)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import click
import pytest

from sdmxnode.cli.serve import check_thread_settings
from sdmxnode.errors import RequestTimeout
from sdmxnode.web.limits import ClientLimits, _TimedInput
from sdmxnode.web.slow_clients import WATCHDOG, BodyWatch, UploadSlots, Watch


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A TCP connection on loopback: (the client's end, the server's end)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    yield client, server
    client.close()
    server.close()


def _trickle(sock: socket.socket, data: bytes, interval: float, step: int = 1) -> threading.Thread:
    def send() -> None:
        for start in range(0, len(data), step):
            try:
                sock.sendall(data[start : start + step])
            except OSError:
                return
            time.sleep(interval)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


class _Body:
    """A body of `length` bytes on `sock`: read(n) waits for n bytes (fewer at the end),
    as gunicorn's request body does."""

    def __init__(self, sock: socket.socket, length: int) -> None:
        self._file = sock.makefile("rb")
        self._left = length

    def read(self, size: int) -> bytes:
        data = self._file.read(min(size, self._left))
        self._left -= len(data)
        return data


def _timed_body(
    server: socket.socket, watch: BodyWatch, idle: float, length: int = 100_000
) -> _TimedInput:
    return _TimedInput(_Body(server, length), server, None, watch, idle, length=length)


def test_a_body_watch_deadline_moves_with_the_bytes_received(connection) -> None:
    _, server = connection
    watch = BodyWatch(server, None, min_rate=1000, head_start=2.0)
    assert watch.deadline() == pytest.approx(watch.start + 2.0)
    watch.seen = 3000
    assert watch.deadline() == pytest.approx(watch.start + 5.0)
    capped = BodyWatch(server, time.monotonic() + 1.0, min_rate=1000, head_start=2.0)
    assert capped.deadline() == capped.overall  # the request's own deadline comes first
    assert BodyWatch(server, None, min_rate=0, head_start=2.0).deadline() == float("inf")


def test_a_body_below_the_minimum_rate_is_cut_with_408(connection) -> None:
    client, server = connection
    watch = BodyWatch(server, None, min_rate=1000, head_start=0.5)
    body = _timed_body(server, watch, idle=5.0)
    _trickle(client, b"x" * 400, 0.02)  # 50 bytes/s
    WATCHDOG.watch(watch)
    start = time.monotonic()
    try:
        with pytest.raises(RequestTimeout, match="SDMXNODE_UPLOAD_MIN_RATE"):
            while body.read(65536):
                pass
    finally:
        WATCHDOG.unwatch(server)
    assert 0.5 <= time.monotonic() - start < 1.5  # the head start, then the next tick
    assert watch.expired and not body.finished


def test_a_body_fast_enough_is_read_whole(connection) -> None:
    client, server = connection
    watch = BodyWatch(server, None, min_rate=200, head_start=0.3)
    body = _timed_body(server, watch, 5.0, length=3000)
    _trickle(client, b"x" * 3000, 0.01, step=30)  # up to 3000 bytes/s, 15 times the minimum
    WATCHDOG.watch(watch)
    try:
        received = body.readall()
    finally:
        WATCHDOG.unwatch(server)
    assert received == b"x" * 3000
    assert body.finished and not watch.expired


def test_a_stalled_body_is_cut_after_the_idle_timeout(connection) -> None:
    client, server = connection
    watch = BodyWatch(server, None, min_rate=1000, head_start=30.0)
    body = _timed_body(server, watch, idle=0.4)
    client.sendall(b"x" * 10)
    start = time.monotonic()
    with pytest.raises(RequestTimeout, match="SDMXNODE_UPLOAD_IDLE_TIMEOUT"):
        body.read(65536)
    assert 0.4 <= time.monotonic() - start < 1.0


def test_the_watchdog_ends_a_read_blocked_on_its_connection(connection) -> None:
    client, server = connection
    server.settimeout(10)
    _trickle(client, b"x" * 200, 0.05)  # bytes keep coming: no socket timeout ever fires
    watch = Watch(server, time.monotonic() + 0.3)
    WATCHDOG.watch(watch)
    start = time.monotonic()
    while server.recv(1):
        assert time.monotonic() - start < 5, "the watchdog never cut the connection"
    assert watch.expired
    assert time.monotonic() - start < 1.0
    assert WATCHDOG.watching() == 0  # a watch ends when it fires


def test_the_rate_has_a_head_start_without_an_idle_timeout() -> None:
    assert ClientLimits(min_rate=1000, idle=2.0).head_start == 2.0
    assert ClientLimits(min_rate=1000, idle=0).head_start == 15.0  # not cut at once


def test_upload_slots_are_never_waited_for() -> None:
    slots = UploadSlots(2)
    assert slots.take() and slots.take()
    assert not slots.take()
    slots.give()
    assert slots.take()
    assert UploadSlots(0).take()  # no bound


@pytest.mark.parametrize(("threads", "uploads"), [(4, 4), (4, 8), (8, 0)])
def test_uploads_may_not_take_every_thread(threads: int, uploads: int) -> None:
    with pytest.raises(click.ClickException, match="SDMXNODE_MAX_UPLOADS"):
        check_thread_settings(threads, uploads)


def test_more_threads_than_uploads_are_accepted() -> None:
    check_thread_settings(8, 4)
