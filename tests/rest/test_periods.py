"""Query periods (StandardTimePeriodType) as calendar bounds, and xs:dateTime values (A3, B4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sdmxnode.errors import BadRequest
from sdmxnode.rest.periods import (
    check_period_order,
    is_before,
    parse_date_time,
    parse_period_pair,
    period_range,
)


# Expected spans worked out from the calendar, not from the code: the reporting year starts
# on 1 January, trimesters are four months, reporting weeks are ISO weeks (week 1 holds the
# first Thursday), reporting days count from 1 January.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Gregorian periods (1.5 OpenAPI examples `2000`, `2000-01`, `2000-01-01`)
        ("2000", ("2000-01-01", "2000-12-31")),
        ("2000-01", ("2000-01-01", "2000-01-31")),
        ("2000-01-01", ("2000-01-01", "2000-01-01")),
        ("2000-02", ("2000-02-01", "2000-02-29")),  # 2000 is a leap year (divisible by 400)
        ("1900-02", ("1900-02-01", "1900-02-28")),  # 1900 is not
        ("2009-05-01", ("2009-05-01", "2009-05-01")),  # 1.5 prose startPeriod example
        ("2009-05-31", ("2009-05-31", "2009-05-31")),
        # Reporting periods (1.5 OpenAPI examples `2000-Q1`, `2000-W01`, `2000-S1`, `2000-D001`)
        ("2000-Q1", ("2000-01-01", "2000-03-31")),
        ("2000-W01", ("2000-01-03", "2000-01-09")),  # 1 Jan 2000 was a Saturday
        ("2000-S1", ("2000-01-01", "2000-06-30")),
        ("2000-D001", ("2000-01-01", "2000-01-01")),
        ("2019-A1", ("2019-01-01", "2019-12-31")),
        ("2019-S2", ("2019-07-01", "2019-12-31")),
        ("2019-T1", ("2019-01-01", "2019-04-30")),
        ("2019-T2", ("2019-05-01", "2019-08-31")),
        ("2019-T3", ("2019-09-01", "2019-12-31")),
        ("2019-Q2", ("2019-04-01", "2019-06-30")),
        ("2019-Q4", ("2019-10-01", "2019-12-31")),
        ("2019-M02", ("2019-02-01", "2019-02-28")),
        ("2020-M02", ("2020-02-01", "2020-02-29")),
        ("2019-M12", ("2019-12-01", "2019-12-31")),
        ("2020-W01", ("2019-12-30", "2020-01-05")),  # the week starts in the previous year
        ("2019-W01", ("2018-12-31", "2019-01-06")),
        ("2021-W01", ("2021-01-04", "2021-01-10")),  # 1-3 Jan 2021 belong to 2020-W53
        ("2020-W53", ("2020-12-28", "2021-01-03")),
        ("2015-W53", ("2015-12-28", "2016-01-03")),
        ("2019-D060", ("2019-03-01", "2019-03-01")),
        ("2020-D060", ("2020-02-29", "2020-02-29")),
        ("2019-D365", ("2019-12-31", "2019-12-31")),
        ("2020-D366", ("2020-12-31", "2020-12-31")),
        # The 1.5 OpenAPI pattern's hyphen-less reporting periods (checklist A3)
        ("2000Q1", ("2000-01-01", "2000-03-31")),
        ("2019S2", ("2019-07-01", "2019-12-31")),
        ("2020W01", ("2019-12-30", "2020-01-05")),
        ("2019D060", ("2019-03-01", "2019-03-01")),
        ("2019M07", ("2019-07-01", "2019-07-31")),
        ("2019A1", ("2019-01-01", "2019-12-31")),
        # dateTime: an instant; the offset is dropped, fractions truncated
        ("2009-05-15T14:15:00", ("2009-05-15T14:15:00", "2009-05-15T14:15:00")),
        ("2009-05-15T14:15:00+01:00", ("2009-05-15T14:15:00", "2009-05-15T14:15:00")),
        ("2009-05-15T14:15:00.750Z", ("2009-05-15T14:15:00", "2009-05-15T14:15:00")),
        ("2009-05-15T14:15:00 01:00", ("2009-05-15T14:15:00", "2009-05-15T14:15:00")),
        ("2009-12-31T24:00:00", ("2010-01-01T00:00:00", "2010-01-01T00:00:00")),
    ],
)
def test_period_range(text: str, expected: tuple[str, str]) -> None:
    assert period_range(text) == expected


@pytest.mark.parametrize("year", [2015, 2019, 2020, 2021, 2026])
def test_reporting_weeks_tile_the_weeks_of_the_year(year: int) -> None:
    """Consecutive weeks are 7-day spans starting on Mondays, with no gap and no overlap."""
    spans = []
    for week in range(1, 54):
        try:
            spans.append(period_range(f"{year}-W{week:02d}"))
        except BadRequest:
            break
    assert len(spans) in (52, 53)
    for start, end in spans:
        assert date.fromisoformat(start).weekday() == 0
        assert date.fromisoformat(end) - date.fromisoformat(start) == timedelta(days=6)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert date.fromisoformat(start) - date.fromisoformat(end) == timedelta(days=1)
    # Week 1 holds 4 January; the last week holds 28 December.
    assert spans[0][0] <= f"{year}-01-04" <= spans[0][1]
    assert spans[-1][0] <= f"{year}-12-28" <= spans[-1][1]


@pytest.mark.parametrize("year", [2019, 2020])
def test_reporting_days_and_months_cover_the_year(year: int) -> None:
    days = [period_range(f"{year}-D{day:03d}")[0] for day in range(1, 366 + (year == 2020))]
    assert days[0] == f"{year}-01-01" and days[-1] == f"{year}-12-31"
    assert len(set(days)) == len(days)
    months = [period_range(f"{year}-M{month:02d}") for month in range(1, 13)]
    assert [period_range(f"{year}-{month:02d}") for month in range(1, 13)] == months
    quarters = [period_range(f"{year}-Q{quarter}") for quarter in range(1, 5)]
    assert quarters == [(months[3 * q][0], months[3 * q + 2][1]) for q in range(4)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "20",
        "99999",
        "0000",
        "2000-13",
        "2000-00",
        "2000-02-30",
        "2019-02-29",
        "2000-1",
        "2019-Q0",
        "2019-Q5",
        "2019-Q01",
        "2019-S3",
        "2019-T4",
        "2019-A2",
        "2019-M13",
        "2019-M1",
        "2019-W00",
        "2019-W53",  # 2019 has 52 ISO weeks
        "2019-W1",
        "2019-D000",
        "2019-D366",  # not a leap year
        "2019-D60",
        "2019Q",
        "Q1-2019",
        "2019-01-01T25:00:00",
        "2019-01-01T10:00",  # xs:dateTime needs seconds
        "2019-01-01 10:00:00",
        "200001",  # the OpenAPI pattern admits it, StandardTimePeriodType does not
        "2010-01-01/P1Y",
        "latest",
    ],
)
def test_bad_periods_name_the_parameter(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        period_range(text, where="startPeriod")
    assert caught.value.where == "startPeriod"
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("end", "start", "before"),
    [
        ("2019-12-31", "2020-01-01", True),
        ("2019-12-31", "2019-12-31", False),
        ("2019-12-31", "2019-12-31T23:59:59", False),  # a date end covers the whole day
        ("2019-12-31T10:00:00", "2019-12-31T10:00:01", True),
        ("2019-12-31T10:00:00", "2019-12-31", False),
    ],
)
def test_is_before_reads_dates_as_whole_days(end: str, start: str, before: bool) -> None:
    assert is_before(end, start) is before


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2009-05-01", "2009-05-31"),
        ("2020-06", "2020"),  # ends inside the year: the range is June..December
        ("2020-W01", "2019-12-31"),  # the week begins on 30 December 2019
        ("2019-Q4", "2019-D365"),
        (None, "2019"),
        ("2019", None),
    ],
)
def test_period_pairs_that_overlap_are_accepted(start: str | None, end: str | None) -> None:
    assert parse_period_pair(start, end) == (start, end)


@pytest.mark.parametrize(
    ("start", "end"), [("2021", "2020-06"), ("2019-Q3", "2019-06-30"), ("2020-W01", "2019-12-29")]
)
def test_period_pairs_that_end_before_they_start_are_rejected(start: str, end: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_period_pair(start, end)
    assert caught.value.where == "endPeriod"
    with pytest.raises(BadRequest):
        check_period_order(start, end, where="c[TIME_PERIOD]")


def test_parse_period_pair_names_the_bad_parameter() -> None:
    with pytest.raises(BadRequest) as caught:
        parse_period_pair("2019-Q5", None)
    assert caught.value.where == "startPeriod"
    with pytest.raises(BadRequest) as caught:
        parse_period_pair(None, "2019-13")
    assert caught.value.where == "endPeriod"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 1.5 and 2.x prose example, percent-decoded
        ("2009-05-15T14:15:00+01:00", datetime(2009, 5, 15, 13, 15, tzinfo=UTC)),
        # the same with its '+' turned into a space by form decoding
        ("2009-05-15T14:15:00 01:00", datetime(2009, 5, 15, 13, 15, tzinfo=UTC)),
        ("2009-05-15T13:15:00Z", datetime(2009, 5, 15, 13, 15, tzinfo=UTC)),
        ("2009-05-15T09:15:00-04:00", datetime(2009, 5, 15, 13, 15, tzinfo=UTC)),
        ("2009-05-15T13:15:00.5Z", datetime(2009, 5, 15, 13, 15, 0, 500000, tzinfo=UTC)),
        ("2009-05-14T24:00:00Z", datetime(2009, 5, 15, tzinfo=UTC)),
    ],
)
def test_parse_date_time_with_offset(text: str, expected: datetime) -> None:
    parsed = parse_date_time(text, where="updatedAfter")
    assert parsed.tzinfo is not None
    assert parsed == expected


def test_parse_date_time_without_offset_is_server_local_time() -> None:
    parsed = parse_date_time("2009-05-15T14:15:00", where="updatedAfter")
    assert parsed.tzinfo is not None
    assert parsed.replace(tzinfo=None) == datetime(2009, 5, 15, 14, 15)
    assert parsed.utcoffset() == datetime(2009, 5, 15, 14, 15).astimezone().utcoffset()


@pytest.mark.parametrize(
    "text",
    ["2009-05-15", "2009-05-15T14:15", "yesterday", "2009-13-15T14:15:00", "2009-05-15T14:15:00+1"],
)
def test_parse_date_time_rejects_other_values(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_date_time(text, where="updatedAfter")
    assert caught.value.where == "updatedAfter"
