"""Query time periods (SDMX StandardTimePeriodType) and xs:dateTime values, as calendar bounds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sdmxnode.errors import BadRequest

# The forms of SDMX common:StandardTimePeriodType (SDMX 2.1 Section 6 "4.2.14" and the
# SDMXCommon.xsd types), as allowed for `startPeriod` / `endPeriod` by the 1.5 prose
# (`4_4_data_queries.md`) and the 1.5 OpenAPI `startPeriod` pattern, which also accepts the
# reporting periods without their hyphen (`2000Q1`, checklist A3).
_GREGORIAN = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")
_REPORTING = re.compile(r"(?P<year>\d{4})-?(?P<kind>[ASTQMWD])(?P<number>\d{1,3})")
_DATE_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?P<fraction>\.\d+)?(?P<zone>Z|[+-]\d{2}:\d{2})?"
)
# A time-zone offset whose '+' arrived as a space: form decoding of the query string turns
# an unencoded '+' into ' ' (the spec asks clients to percent-encode it; many do not).
_DECODED_PLUS = re.compile(r"(?<=\d) (?=\d{2}:\d{2}$)")

# Reporting period kinds: (number of periods per year, digits, months per period or None).
_REPORTING_KINDS: dict[str, tuple[int, int, int | None]] = {
    "A": (1, 1, 12),
    "S": (2, 1, 6),
    "T": (3, 1, 4),
    "Q": (4, 1, 3),
    "M": (12, 2, 1),
    "W": (53, 2, None),
    "D": (366, 3, None),
}

_FORMS = (
    "a year (2000), month (2000-01), date (2000-01-31), date-time (2000-01-31T12:00:00),"
    " or a reporting period such as 2000-A1, 2000-S1, 2000-T1, 2000-Q1, 2000-M01, 2000-W01"
    " or 2000-D001"
)


def period_range(text: str, *, where: str = "period") -> tuple[str, str]:
    """The inclusive [start, end] of a query period, as ISO `YYYY-MM-DD[THH:MM:SS]` strings.

    Accepted forms (StandardTimePeriodType): Gregorian `2000`, `2000-01`, `2000-01-01`;
    date-time `2000-01-01T10:00:00[.fff][Z|±hh:mm]`; reporting periods `2000-A1`, `-S1..2`,
    `-T1..3` (four-month trimesters), `-Q1..4`, `-M01..12`, `-W01..53` and `-D001..366`,
    also without the hyphen (`2000Q1`). Reporting periods assume a reporting year starting
    on 1 January (1.5 `4_4_data_queries.md`), so reporting weeks are ISO 8601 weeks (week 1
    holds the year's first Thursday) and are returned as their actual span of days
    (`2020-W01` is 2019-12-30..2020-01-05).

    Date bounds cover whole days: an end `2019-06-30` includes all of that day. A date-time
    is an instant: start and end are the same wall-clock time; its offset is dropped and
    fractions of a second are truncated. Anything else raises BadRequest naming `where`.
    """
    value = text.strip()
    match = _GREGORIAN.fullmatch(value)
    if match is not None:
        return _gregorian_range(match, text, where)
    match = _REPORTING.fullmatch(value)
    if match is not None:
        return _reporting_range(match, text, where)
    match = _DATE_TIME.fullmatch(_DECODED_PLUS.sub("+", value))
    if match is not None:
        instant = _date_time_from_match(match, text, where).replace(tzinfo=None, microsecond=0)
        stamp = instant.isoformat(timespec="seconds")
        return stamp, stamp
    raise BadRequest(f"'{text}' is not a valid time period: use {_FORMS}", where=where)


def is_before(end: str, start: str) -> bool:
    """Whether the bound `end` (of one period_range) lies before the bound `start` (of another).

    Date-only ends stand for the end of their day and date-only starts for its beginning.
    """
    return _instant(end, end_of_day=True) < _instant(start, end_of_day=False)


def parse_period_pair(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """Validate the 1.5 `startPeriod` / `endPeriod` values (either may be None) and return them.

    Each must be a period_range form; a start after the end is a BadRequest (the range
    would be empty; both bounds are inclusive).
    """
    if start is not None:
        period_range(start, where="startPeriod")
    if end is not None:
        period_range(end, where="endPeriod")
    check_period_order(start, end, where="endPeriod")
    return start, end


def check_period_order(start: str | None, end: str | None, *, where: str) -> None:
    """Raise BadRequest when period `end` finishes before period `start` begins."""
    if start is None or end is None:
        return
    if is_before(period_range(end, where=where)[1], period_range(start, where=where)[0]):
        raise BadRequest(
            f"the period ends ({end}) before it starts ({start}): the range is empty",
            where=where,
        )


def parse_date_time(text: str, *, where: str) -> datetime:
    """Parse an xs:dateTime query value (`updatedAfter`) into a timezone-aware datetime.

    A value without offset is in the server's local time (1.5 `4_4_data_queries.md`, 2.x
    `data.md`: "if no offset is specified, default to local time of the web service"); it
    gets the local offset of the machine the node runs on. An offset whose '+' arrived as a
    space (an unencoded '+' in a query string) is read as '+'. `24:00:00` is the next day's
    midnight, as in XML Schema. Dates without a time are not date-times and are rejected.
    """
    value = _DECODED_PLUS.sub("+", text.strip())
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        raise BadRequest(
            f"'{text}' is not a date-time: use e.g. 2009-05-15T14:15:00+01:00"
            " (percent-encode '+' as %2B), 2009-05-15T13:15:00Z or 2009-05-15T14:15:00",
            where=where,
        )
    moment = _date_time_from_match(match, text, where)
    try:
        if moment.tzinfo is None:
            moment = moment.astimezone()  # naive = local time of the web service
        moment.astimezone(UTC)  # callers compare in UTC
    except OverflowError as exc:
        raise BadRequest(f"'{text}' is outside the years 1 to 9999 in UTC", where=where) from exc
    return moment


def _gregorian_range(match: re.Match[str], text: str, where: str) -> tuple[str, str]:
    year = _year(match.group("year"), text, where)
    month_text, day_text = match.group("month"), match.group("day")
    if month_text is None:
        return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    month = int(month_text)
    if not 1 <= month <= 12:
        raise BadRequest(f"'{text}' has no month {month_text}", where=where)
    if day_text is None:
        return date(year, month, 1).isoformat(), _month_end(year, month).isoformat()
    try:
        day = date(year, month, int(day_text))
    except ValueError as exc:
        raise BadRequest(f"'{text}' is not a calendar date", where=where) from exc
    return day.isoformat(), day.isoformat()


def _reporting_range(match: re.Match[str], text: str, where: str) -> tuple[str, str]:
    year = _year(match.group("year"), text, where)
    kind, number_text = match.group("kind"), match.group("number")
    count, digits, months = _REPORTING_KINDS[kind]
    number = int(number_text)
    if len(number_text) != digits or not 1 <= number <= count:
        example = f"{kind}{'1'.zfill(digits)}..{kind}{count:0{digits}d}"
        raise BadRequest(
            f"'{text}' is not a valid reporting period: {kind} periods are {example}",
            where=where,
        )
    if months is not None:
        first_month = (number - 1) * months + 1
        last_month = first_month + months - 1
        start = date(year, first_month, 1)
        return start.isoformat(), _month_end(year, last_month).isoformat()
    if kind == "W":
        weeks = date(year, 12, 28).isocalendar().week
        if number > weeks:
            raise BadRequest(
                f"'{text}' is not a valid reporting week: {year} has {weeks} weeks", where=where
            )
        monday = date.fromisocalendar(year, number, 1)
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    day = date(year, 1, 1) + timedelta(days=number - 1)
    if day.year != year:
        raise BadRequest(f"'{text}' is not a valid reporting day: {year} has 365 days", where=where)
    return day.isoformat(), day.isoformat()


def _date_time_from_match(match: re.Match[str], text: str, where: str) -> datetime:
    hour, minute, second = (int(match.group(name)) for name in ("hour", "minute", "second"))
    fraction = match.group("fraction") or ""
    next_day = hour == 24 and minute == 0 and second == 0 and fraction.strip(".0") == ""
    iso = f"{match.group('date')}T{0 if next_day else hour:02d}:{minute:02d}:{second:02d}"
    if fraction and not next_day:
        iso += fraction[:7].ljust(7, "0")
    zone = match.group("zone")
    if zone is not None:
        iso += "+00:00" if zone == "Z" else zone
    try:
        moment = datetime.fromisoformat(iso)
        return moment + timedelta(days=1) if next_day else moment
    except (ValueError, OverflowError) as exc:
        raise BadRequest(f"'{text}' is not a valid date-time", where=where) from exc


def _year(text: str, original: str, where: str) -> int:
    year = int(text)
    if year < 1:
        raise BadRequest(f"'{original}': year 0000 does not exist", where=where)
    return year


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _instant(bound: str, *, end_of_day: bool) -> datetime:
    if "T" in bound:
        return datetime.fromisoformat(bound)
    day = date.fromisoformat(bound)
    return datetime.combine(day, time.max if end_of_day else time.min)
