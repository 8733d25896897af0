"""SDMX time periods in their normalized form: the ISO 8601 date on which a period starts.

SDMX-CSV `timeFormat=normalized` (SDMX-CSV 1.0 and 2.0 field guides, "Optional parameters")
asks for "the most granular ISO 8601 representation", taking into account the moment in
time at which lower-frequency values were collected. The node records no such moment, so a
period is represented by its first day (`2014` -> `2014-01-01`, `2014-Q2` -> `2014-04-01`),
which is also what the field guides' own examples show (`2014-01` -> `2014-01-01`).
Period syntax follows SDMX 2.1 Technical Notes section 4.2 (standard reporting periods with
a reporting year starting on 1 January; `W` weeks are ISO 8601 weeks).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_GREGORIAN = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_REPORTING = re.compile(r"(\d{4})-([ASTQMWD])(\d{1,3})")
#: First month of period n (1-based) for the reporting periods counted in months.
_MONTHS_PER_PERIOD = {"A": 12, "S": 6, "T": 4, "Q": 3, "M": 1}


def normalize_period(period: str) -> str:
    """The ISO 8601 date on which `period` starts; date-times and unknown forms as given.

    A time range (`start/duration`) is represented by its start.
    """
    start = period.split("/", 1)[0]
    match = _GREGORIAN.fullmatch(start)
    if match:
        year, month, day = match.groups()
        return f"{year}-{month or '01'}-{day or '01'}"
    match = _REPORTING.fullmatch(start)
    if match is None:
        return start if "/" in period else period
    year, kind, number_text = int(match[1]), match[2], int(match[3])
    try:
        if kind == "W":
            first = date.fromisocalendar(year, number_text, 1)
        elif kind == "D":
            first = date(year, 1, 1) + timedelta(days=number_text - 1)
            if first.year != year or number_text < 1:
                return period
        else:
            months = _MONTHS_PER_PERIOD[kind]
            if not 1 <= number_text <= 12 // months:
                return period
            first = date(year, 1 + (number_text - 1) * months, 1)
    except ValueError:
        return period
    return first.isoformat()
