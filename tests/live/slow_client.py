"""Slow HTTP clients on raw sockets, and timed probes, for the slow-client live tests."""

from __future__ import annotations

import select
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Outcome:
    """How one slow request ended: the status answered (0: closed without an answer), its
    headers and body, and the seconds from the first byte sent to the end."""

    kind: str
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def _parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    if not answer.startswith(b"HTTP/"):
        return 0, {}, answer
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def _read_answer(sock: socket.socket, until: float) -> bytes:
    chunks = []
    while time.monotonic() < until:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def slow_request(
    base_url: str,
    kind: str,
    head: bytes,
    trickle: bytes,
    interval: float,
    give_up: float,
) -> Outcome:
    """Send `head` at once, then `trickle` one byte every `interval` seconds (then nothing),
    until the node answers or closes; `give_up` seconds at most. A node that never answered
    is an Outcome of status -1."""
    parts = urlsplit(base_url)
    start = time.monotonic()
    until = start + give_up
    with socket.create_connection((parts.hostname, parts.port), timeout=give_up) as sock:
        sock.settimeout(0.5)
        sock.sendall(head)
        sent = 0
        while time.monotonic() < until:
            readable, _, _ = select.select([sock], [], [], interval)
            if readable:
                answer = _read_answer(sock, until)
                status, headers, body = _parse(answer)
                return Outcome(kind, status, headers, body, time.monotonic() - start)
            if sent < len(trickle):
                try:
                    sock.sendall(trickle[sent : sent + 1])
                except OSError:
                    answer = _read_answer(sock, until)
                    status, headers, body = _parse(answer)
                    return Outcome(kind, status, headers, body, time.monotonic() - start)
                sent += 1
    return Outcome(kind, -1, {}, b"", time.monotonic() - start)


def http_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    """A request's line and headers (HTTP/1.1, Host 127.0.0.1)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass(frozen=True)
class Probe:
    """One timed GET: the path, its status (0: failed) and the seconds it took."""

    path: str
    status: int
    seconds: float


def probe_until(base_url: str, paths: list[str], stop: threading.Event, out: list[Probe]) -> None:
    """GET each of `paths` in turn until `stop` is set, recording status and time."""
    while not stop.is_set():
        for path in paths:
            start = time.monotonic()
            try:
                with urllib.request.urlopen(base_url + path, timeout=10) as answer:
                    answer.read()
                    status = answer.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0
            out.append(Probe(path, status, time.monotonic() - start))
        stop.wait(0.2)
