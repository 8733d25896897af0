"""Date pattern maps: source dates written in a Java date-format pattern onto SDMX periods.

SDMX 3.0 `DatePatternMap` gives the source pattern in the letters of Java's date format
(`yyyy`, `yy`, `MMMM`, `MMM`, `MM`, `M`, `dd`, `d`, quoted literals) and the frequency of
the target period, fixed (`TargetFrequencyID`) or read from a source component
(`FrequencyDimension`). The node reads those letters (English month names; `locale` other
than English is refused when the plan is built) and writes the SDMX period of the
frequency: A `2019`, S `2019-S1`, Q `2019-Q2`, M `2019-04`, W `2019-W14`, D `2019-04-03`.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sdmxnode.errors import SemanticError
from sdmxnode.formats.sdmxml.maps import DatePatternMapping

__all__ = ["DateConverter"]

_TOKENS = (
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("M", "%m"),
    ("dd", "%d"),
    ("d", "%d"),
)


def strptime_format(pattern: str) -> str:
    """The `datetime.strptime` format of a Java date-format pattern (the letters above)."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "'":
            end = pattern.find("'", i + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[i + 1 : end].replace("%", "%%") or "'")
            i = end + 1
            continue
        for token, directive in _TOKENS:
            if pattern.startswith(token, i):
                out.append(directive)
                i += len(token)
                break
        else:
            if pattern[i].isalpha():
                raise SemanticError(
                    f"date pattern {pattern!r}: the letter {pattern[i]!r} is not one the node "
                    "reads (yyyy, yy, MMMM, MMM, MM, M, dd, d)",
                    where="map",
                )
            out.append(pattern[i].replace("%", "%%"))
            i += 1
    return "".join(out)


def sdmx_period(day: date, frequency: str) -> str | None:
    """The SDMX period of `frequency` that holds `day` (None for a frequency not listed)."""
    if frequency == "A":
        return f"{day.year}"
    if frequency == "S":
        return f"{day.year}-S{(day.month - 1) // 6 + 1}"
    if frequency == "Q":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if frequency == "M":
        return f"{day.year}-{day.month:02d}"
    if frequency == "W":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == "D":
        return day.isoformat()
    return None


class DateConverter:
    """One date pattern map compiled against a source row layout, with a cache."""

    def __init__(self, mapping: DatePatternMapping, source_index: dict[str, int]) -> None:
        if mapping.locale and not re.match(r"(?i)en\b", mapping.locale):
            raise SemanticError(
                f"date pattern map {mapping.id}: locale {mapping.locale!r}; the node reads "
                "English month names only",
                where="map",
            )
        self.mapping = mapping
        self.format = strptime_format(mapping.pattern)
        self.source = source_index.get(mapping.sources[0], -1) if mapping.sources else -1
        self.frequency_index = (
            source_index.get(mapping.frequency_dimension, -1) if mapping.frequency_dimension else -1
        )
        self._cache: dict[tuple[str, str], str] = {}

    def convert(self, row: tuple) -> tuple[str | None, str | None]:
        """The target period for `row` and None, or None and why it cannot be converted."""
        value = row[self.source] if self.source >= 0 else None
        if value is None or value == "":
            return None, None
        frequency = self.mapping.target_frequency or (
            row[self.frequency_index] if self.frequency_index >= 0 else None
        )
        if not frequency:
            return None, f"date pattern map {self.mapping.id}: no target frequency for {value!r}"
        key = (value, frequency)
        cached = self._cache.get(key)
        if cached is not None:
            return cached, None
        try:
            day = datetime.strptime(value, self.format).date()
        except ValueError:
            return None, (
                f"{value!r} does not follow the date pattern {self.mapping.pattern!r} of date "
                f"pattern map {self.mapping.id}"
            )
        period = sdmx_period(day, frequency)
        if period is None:
            return None, f"date pattern map {self.mapping.id}: frequency {frequency!r} unknown"
        self._cache[key] = period
        return period, None
