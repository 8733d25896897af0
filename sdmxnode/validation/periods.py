"""SDMX time periods: syntax, consistency with the frequency, and inclusive date bounds.

Follows SDMX 2.1 Section 6 (Technical Notes), "4.2 Time and Time Format" and the common
XSD types it names: ObservationalTimePeriod = StandardTimePeriod | TimeRange, where
StandardTimePeriod is a Gregorian period (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``), an
``xs:dateTime`` or a reporting period (``YYYY-A1``, ``-S1..2``, ``-T1..3``, ``-Q1..4``,
``-M01..12``, ``-W01..53``, ``-D001..366``), each with an optional time zone, and a time range
is ``start/duration`` (a date or date-time, then an ``xs:duration``). Reporting periods are
taken on a reporting year that starts on 1 January (reporting weeks then are ISO 8601 weeks).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sdmxnode.errors import PeriodError

_TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}:\d{2}(?:\.\d+)?"
_DURATION = (
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?!$)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)
_PATTERN = re.compile(
    rf"""
    (?P<year>\d{{4}}){_TZ}
    | (?P<ym>\d{{4}}-\d{{2}}){_TZ}
    | (?P<date>{_DATE}){_TZ}
    | (?P<datetime>{_DATE}T{_TIME}{_TZ})
    | (?P<ryear>\d{{4}})-(?P<letter>[ASTQMWD])(?P<number>\d{{1,3}}){_TZ}
    | (?P<start>{_DATE}(?:T{_TIME})?{_TZ})/(?P<duration>{_DURATION})
    """,
    re.VERBOSE,
)

#: Reporting period letter -> (digits, highest number).
_REPORTING = {"A": (1, 1), "S": (1, 2), "T": (1, 3), "Q": (1, 4), "M": (2, 12), "W": (2, 53)}
_REPORTING["D"] = (3, 366)

#: FREQ code (SDMX:CL_FREQ) -> period kinds it allows, and the duration of a matching range.
_FREQUENCY_KINDS = {
    "A": ({"A"}, "P1Y"),
    "S": ({"S"}, "P6M"),
    "Q": ({"Q"}, "P3M"),
    "M": ({"M"}, "P1M"),
    "W": ({"W"}, "P7D"),
    "D": ({"D"}, "P1D"),
    "B": ({"D"}, "P1D"),
    "H": ({"DT"}, "PT1H"),
    "N": ({"DT"}, "PT1M"),
}
_KIND_NAMES = {
    "A": "YYYY or YYYY-A1",
    "S": "YYYY-S1 or YYYY-S2",
    "T": "YYYY-T1..T3",
    "Q": "YYYY-Q1..Q4",
    "M": "YYYY-MM or YYYY-M01..M12",
    "W": "YYYY-W01..W53",
    "D": "YYYY-MM-DD or YYYY-D001..D366",
    "DT": "a date-time YYYY-MM-DDThh:mm:ss",
}


@dataclass(frozen=True)
class _Period:
    kind: str  # 'A' 'S' 'T' 'Q' 'M' 'W' 'D' 'DT' or 'R' (time range)
    start: date | datetime
    end: date | datetime  # inclusive
    duration: str = ""


def is_valid_period(period: str, freq: str | None = None) -> bool:
    """True when `period` is an SDMX time period (of frequency `freq` when one is given)."""
    return period_frequency_problem(period, freq) is None


def period_syntax_problem(period: str) -> str | None:
    """Why `period` is not SDMX time period syntax; None when it is."""
    try:
        _parse(period)
    except PeriodError as exc:
        return str(exc)
    return None


def period_frequency_problem(period: str, freq: str | None) -> str | None:
    """Why `period` does not suit frequency `freq` (a FREQ code); None when it does.

    A period that is not valid syntax at all also gets its syntax problem.
    """
    try:
        parsed = _parse(period)
    except PeriodError as exc:
        return str(exc)
    expected = _FREQUENCY_KINDS.get(freq or "")
    if expected is None:
        return None  # no FREQ, or a frequency (irregular, multiplied) that fixes no format
    kinds, range_duration = expected
    if parsed.kind in kinds or (parsed.kind == "R" and parsed.duration == range_duration):
        return None
    allowed = " or ".join(_KIND_NAMES[k] for k in sorted(kinds))
    return (
        f"period {period!r} does not match frequency {freq!r}: expected {allowed} "
        f"(or a time range start/{range_duration})"
    )


def period_bounds(period: str) -> tuple[str, str]:
    """Inclusive start and end of `period` as ISO ``YYYY-MM-DD`` (or date-time) strings.

    Raises PeriodError for a string that is not an SDMX time period.
    """
    parsed = _parse(period)
    return parsed.start.isoformat(), parsed.end.isoformat()


@lru_cache(maxsize=65536)
def _parse(period: str) -> _Period:
    match = _PATTERN.fullmatch(period)
    if match is None:
        raise PeriodError(
            f"{period!r} is not an SDMX time period (YYYY, YYYY-MM, YYYY-MM-DD, a date-time, "
            "a reporting period such as YYYY-Q1, YYYY-M01, YYYY-W01, YYYY-D001, or start/duration)"
        )
    groups = match.groupdict()
    try:
        if groups["year"]:
            year = int(groups["year"])
            return _Period("A", date(year, 1, 1), date(year, 12, 31))
        if groups["ym"]:
            year, month = (int(part) for part in groups["ym"].split("-"))
            return _Period("M", *_month_bounds(year, month))
        if groups["date"]:
            day = date.fromisoformat(groups["date"])
            return _Period("D", day, day)
        if groups["datetime"]:
            instant = datetime.fromisoformat(groups["datetime"])
            return _Period("DT", instant, instant)
        if groups["letter"]:
            return _reporting(int(groups["ryear"]), groups["letter"], groups["number"])
        return _range(groups)
    except ValueError as exc:
        raise PeriodError(f"{period!r} is not a valid time period: {exc}") from exc


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _reporting(year: int, letter: str, number_text: str) -> _Period:
    digits, highest = _REPORTING[letter]
    number = int(number_text)
    if len(number_text) != digits or not 1 <= number <= highest:
        width = "0" * (digits - 1) + "1"
        raise ValueError(f"reporting period {letter} takes {width}..{highest} ({digits} digit(s))")
    if letter == "W":
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError as exc:
            raise ValueError(f"{year} has no week {number} (ISO 8601 weeks)") from exc
        return _Period("W", monday, monday + timedelta(days=6))
    if letter == "D":
        first = date(year, 1, 1) + timedelta(days=number - 1)
        if first.year != year:
            raise ValueError(f"{year} has no day {number}")
        return _Period("D", first, first)
    months = 12 // highest  # A: 12, S: 6, T: 4, Q: 3, M: 1
    start_month = (number - 1) * months + 1
    start, _ = _month_bounds(year, start_month)
    _, end = _month_bounds(year, start_month + months - 1)
    return _Period(letter, start, end)


def _range(groups: dict[str, str | None]) -> _Period:
    start_text = groups["start"] or ""
    start: date | datetime
    if "T" in start_text:
        start = datetime.fromisoformat(start_text)
    else:
        start = date.fromisoformat(start_text[:10])
    years, months, days = (int(groups[name] or 0) for name in ("years", "months", "days"))
    hours, minutes = (int(groups[name] or 0) for name in ("hours", "minutes"))
    seconds = float(groups["seconds"] or 0)
    end = _add_months(start, years * 12 + months) + timedelta(days=days)
    clock = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if isinstance(start, datetime) or clock:
        if not isinstance(end, datetime):
            end = datetime(end.year, end.month, end.day)
        if not isinstance(start, datetime):
            start = datetime(start.year, start.month, start.day)
        end = end + clock - timedelta(seconds=1)
    else:
        end = end - timedelta(days=1)
    return _Period("R", start, end, groups["duration"] or "")


def _add_months(moment: date, months: int) -> date:
    """`moment` plus a number of calendar months, the day clamped to the month's length."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
