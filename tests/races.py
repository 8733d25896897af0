"""Two actors at once: the helper every race test shares (tests/live/test_races.py,
tests/providers/test_agreement_race.py)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable


def race(
    first: Callable[[], object], second: Callable[[], object], *, timeout: float = 180
) -> tuple[object, object]:
    """Run both at once, either with a head start of up to 30 ms (so that each order and
    the overlaps between are tried over many rounds); their results."""
    results: list[object] = [None, None]
    start = threading.Event()
    delays = [random.uniform(0, 0.03), random.uniform(0, 0.03)]

    def run(index: int, action: Callable[[], object]) -> None:
        start.wait()
        time.sleep(delays[index])
        results[index] = action()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate((first, second))]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return results[0], results[1]
