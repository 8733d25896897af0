"""`Range: values=...`: paging a data answer by observations (RFC 9110 section 14).

SDMX-REST defines no paging; the .Stat Suite's NSI web service pages data answers with the
range unit `values` (observations, counted from 0 in the answer's order), and the node does
the same: `values=0-9999` (the first 10,000), `values=10000-` (from the 10,001st on),
`values=-500` (the last 500). A header in another unit, malformed, or naming several ranges
is ignored, as RFC 9110 allows: the whole answer is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ValuesRange", "parse_values_range"]

_RANGE = re.compile(r"\s*values\s*=\s*(\d*)\s*-\s*(\d*)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ValuesRange:
    """One range of observations: `first`-`last` (inclusive; `last` None: to the end), or
    the last `suffix` observations."""

    first: int | None = None
    last: int | None = None
    suffix: int | None = None

    def resolve(self, total: int) -> tuple[int, int] | None:
        """The first and last observation (inclusive) of an answer of `total`, or None when
        the range selects none of them."""
        if self.suffix is not None:
            if self.suffix == 0 or total == 0:
                return None
            return max(0, total - self.suffix), total - 1
        first = self.first or 0
        if first >= total:
            return None
        last = total - 1 if self.last is None else min(self.last, total - 1)
        return first, last

    @property
    def most(self) -> int | None:
        """How many observations the range may select at most (None: no bound)."""
        if self.suffix is not None:
            return self.suffix
        if self.last is None:
            return None
        return self.last - (self.first or 0) + 1


def parse_values_range(header: str | None) -> ValuesRange | None:
    """The range a `Range` header asks for, or None (no header, another unit, malformed,
    several ranges: the whole answer)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header)
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:
        return ValuesRange(suffix=int(last))
    if last and int(last) < int(first):
        return None  # RFC 9110: an invalid range set is ignored
    return ValuesRange(int(first), int(last) if last else None)
