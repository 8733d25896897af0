"""Slow clients must not hold the threads that serve everyone else.

A worker thread reading a request body waits for the client's bytes: a client that trickles
its body, or stops sending, would hold that thread until SDMXNODE_REQUEST_TIMEOUT. The
guards here bound that time, and the number of threads it can happen to:

- `BodyWatch`: a body must arrive at SDMXNODE_UPLOAD_MIN_RATE bytes per second on average,
  after a head start of SDMXNODE_UPLOAD_IDLE_TIMEOUT seconds (each byte received extends
  the body's deadline by 1/rate seconds, as Apache's mod_reqtimeout does). A stall longer
  than the idle timeout is a socket timeout of the read itself (`limits.py`).
- `Watchdog`: one thread per process that checks the watched connections ten times a
  second and shuts the read side of those past their deadline. A read blocked on such a
  connection returns at once, however slowly the client sends, and the view answers 408.
- `UploadSlots`: requests with a body take one of SDMXNODE_MAX_UPLOADS slots of their
  process, or are refused at once (503); SDMXNODE_THREADS is larger, so that requests
  without a body (every read) always find a thread.
- SDMXNODE_SEND_TIMEOUT bounds each write of an answer (`limits.py` sets it on the socket);
  the worker closes the connection of a client that stopped reading (`gunicorn_worker.py`).

Cutting the read side (`cut_input`) also makes the connection's close quick: gunicorn
drains what the client still sends before it closes, which would otherwise wait for a
trickling client (in the worker thread, and in the worker's main loop).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time

log = logging.getLogger(__name__)

#: How often the watchdog looks at the watched connections (seconds).
TICK_SECONDS = 0.1


def cut_input(sock: socket.socket | None) -> None:
    """Shut the read side of `sock`: a blocked read returns end-of-file at once, and what
    the client still sends is not waited for. Errors (a client already gone) are ignored."""
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass


class Watch:
    """A connection the watchdog cuts once `deadline()` (a time.monotonic() value) passes."""

    def __init__(self, sock: socket.socket, at: float) -> None:
        self.sock = sock
        self.at = at
        self.expired = False

    def deadline(self) -> float:
        """When the connection is cut."""
        return self.at

    def expire(self) -> None:
        """Cut the connection: the read waiting on it ends."""
        self.expired = True
        cut_input(self.sock)


class BodyWatch(Watch):
    """A request body that must arrive at `min_rate` bytes/s after `head_start` seconds,
    and in full by `at` (None: no overall deadline)."""

    def __init__(
        self, sock: socket.socket, at: float | None, min_rate: float, head_start: float
    ) -> None:
        super().__init__(sock, math.inf if at is None else at)
        self.overall = self.at
        self.restart(min_rate, head_start)

    def restart(self, min_rate: float, head_start: float) -> None:
        """Count from now, with this rate and head start (the rest of a body to drain)."""
        self.start = time.monotonic()
        self.min_rate = min_rate
        self.head_start = head_start
        self.seen = 0

    def deadline(self) -> float:
        """The overall deadline, or earlier when the bytes received fall behind the rate."""
        if self.min_rate <= 0:
            return self.overall
        return min(self.overall, self.start + self.head_start + self.seen / self.min_rate)

    def too_slow(self) -> bool:
        """Whether it was cut for its rate rather than for the overall deadline."""
        return self.expired and self.deadline() < self.overall


class Watchdog:
    """The process's watchdog thread and the connections it watches (one watch each)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[int, Watch] = {}
        self._thread: threading.Thread | None = None
        self._pid = 0

    def watch(self, watch: Watch) -> None:
        """Watch `watch.sock` (instead of its previous watch, if any)."""
        with self._lock:
            self._watches[id(watch.sock)] = watch
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker starts a thread of its own
                self._thread = threading.Thread(
                    target=self._run, name="sdmxnode-watchdog", daemon=True
                )
                self._thread.start()

    def unwatch(self, sock: socket.socket | None) -> None:
        """Stop watching `sock` (nothing when it is not watched)."""
        if sock is None:
            return
        with self._lock:
            self._watches.pop(id(sock), None)

    def watching(self) -> int:
        """How many connections are watched."""
        with self._lock:
            return len(self._watches)

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            with self._lock:
                due = [w for w in self._watches.values() if w.deadline() <= now]
                for watch in due:
                    self._watches.pop(id(watch.sock), None)
            for watch in due:
                log.info("cutting a connection past its deadline (a slow or stalled client)")
                watch.expire()


#: The watchdog of this process.
WATCHDOG = Watchdog()


class UploadSlots:
    """At most `size` requests with a body read at once in this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size) if size > 0 else None

    def take(self) -> bool:
        """Take a slot if one is free (never waits); True when taken."""
        return self._slots is None or self._slots.acquire(blocking=False)

    def give(self) -> None:
        """Give back a slot taken by `take`."""
        if self._slots is not None:
            self._slots.release()
