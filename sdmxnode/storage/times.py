"""The store's clock: naive UTC, as every DateTime column of the node keeps times."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc(*, precise: bool = False) -> datetime:
    """Naive UTC, as the store keeps times: whole seconds (HTTP dates have no finer
    resolution), or to the microsecond (load times that `updatedAfter` compares, the audit)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now if precise else now.replace(microsecond=0)
