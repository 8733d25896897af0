"""The deadline of the current request: long loops check it and stop with ServiceTimeout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sdmxnode.errors import ServiceTimeout

#: monotonic() instant after which the work of this context must stop (None: no limit).
_deadline: ContextVar[float | None] = ContextVar("sdmxnode_deadline", default=None)
_seconds: ContextVar[float] = ContextVar("sdmxnode_deadline_seconds", default=0.0)


@contextmanager
def deadline(at: float | None, seconds: float = 0.0) -> Iterator[None]:
    """Run the block under the deadline `at` (a time.monotonic() value; None for none)."""
    token = _deadline.set(at)
    token_seconds = _seconds.set(seconds)
    try:
        yield
    finally:
        _deadline.reset(token)
        _seconds.reset(token_seconds)


def set_deadline(at: float | None, seconds: float = 0.0) -> None:
    """Put the deadline `at` in force for the rest of this context (a thread's request)."""
    _deadline.set(at)
    _seconds.set(seconds)


def current_deadline() -> float | None:
    """The deadline in force, as a time.monotonic() value, or None."""
    return _deadline.get()


def check_deadline() -> None:
    """Raise ServiceTimeout when the deadline in force has passed."""
    at = _deadline.get()
    if at is not None and time.monotonic() > at:
        raise ServiceTimeout(
            f"the request needed more than the {_seconds.get():g} s this node allows "
            "(SDMXNODE_REQUEST_TIMEOUT): narrow the query, or split the message"
        )
