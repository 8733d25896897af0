"""SDMX time periods: syntax, frequency, and inclusive bounds."""

from __future__ import annotations

import pytest

from sdmxnode.errors import PeriodError
from sdmxnode.validation.periods import (
    is_valid_period,
    period_bounds,
    period_frequency_problem,
    period_syntax_problem,
)

VALID = [
    "2020",
    "2020-01",
    "2020-02-29",
    "2020-01-01T10:30:00",
    "2020-01-01T10:30:00.25Z",
    "2020-01-01T10:30:00+02:00",
    "2020-A1",
    "2020-S2",
    "2020-T3",
    "2020-Q4",
    "2020-M12",
    "2020-W53",
    "2020-D366",
    "2020-Q1+01:00",
    "2020-01-01/P1Y",
    "2020-01-01T00:00:00/PT1H",
    "2020-07-01/P6M",
]
INVALID = [
    "",
    "20",
    "2020-1",
    "2020-13",
    "2019-02-29",
    "2020-Q0",
    "2020-Q5",
    "2020-S3",
    "2020-M1",
    "2020-M13",
    "2021-W53",
    "2020-W00",
    "2021-D366",
    "2020-D1",
    "2020-A2",
    "2020-01-01T25:00:00",
    "2020-01-01/P",
    "2020-01-01/1Y",
    "2020/P1Y",
    "1990 ",
    "Y1990",
]


@pytest.mark.parametrize("period", VALID)
def test_valid_periods(period: str) -> None:
    assert is_valid_period(period)
    assert period_syntax_problem(period) is None


@pytest.mark.parametrize("period", INVALID)
def test_invalid_periods_say_why(period: str) -> None:
    assert not is_valid_period(period)
    problem = period_syntax_problem(period)
    assert problem is not None and repr(period) in problem
    with pytest.raises(PeriodError):
        period_bounds(period)


@pytest.mark.parametrize(
    ("freq", "right", "wrong"),
    [
        ("A", ["2020", "2020-A1", "2020-01-01/P1Y"], ["2020-01", "2020-Q1", "2020-01-01/P1M"]),
        ("S", ["2020-S1"], ["2020", "2020-Q2"]),
        ("Q", ["2020-Q3", "2020-04-01/P3M"], ["2020", "2020-03", "2020-M03"]),
        ("M", ["2020-03", "2020-M03"], ["2020", "2020-Q1", "2020-03-01"]),
        ("W", ["2020-W10"], ["2020-03-02", "2020-03"]),
        ("D", ["2020-03-02", "2020-D062"], ["2020-03", "2020-03-02T00:00:00"]),
        ("B", ["2020-03-02"], ["2020-W10"]),
        ("H", ["2020-03-02T10:00:00"], ["2020-03-02"]),
    ],
)
def test_period_must_suit_frequency(freq: str, right: list[str], wrong: list[str]) -> None:
    for period in right:
        assert period_frequency_problem(period, freq) is None, period
        assert is_valid_period(period, freq)
    for period in wrong:
        problem = period_frequency_problem(period, freq)
        assert problem is not None and repr(freq) in problem, period
        assert not is_valid_period(period, freq)
        assert is_valid_period(period)


def test_no_or_irregular_frequency_accepts_any_valid_period() -> None:
    for period in VALID:
        assert period_frequency_problem(period, None) is None
        assert period_frequency_problem(period, "I") is None


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2020", "2020-01-01", "2020-12-31"),
        ("2020-A1", "2020-01-01", "2020-12-31"),
        ("2020-S2", "2020-07-01", "2020-12-31"),
        ("2020-T2", "2020-05-01", "2020-08-31"),
        ("2020-Q1", "2020-01-01", "2020-03-31"),
        ("2020-02", "2020-02-01", "2020-02-29"),
        ("2021-M02", "2021-02-01", "2021-02-28"),
        ("2020-W01", "2019-12-30", "2020-01-05"),  # ISO 8601: the week of the first Thursday
        ("2020-W53", "2020-12-28", "2021-01-03"),
        ("2020-D060", "2020-02-29", "2020-02-29"),
        ("2020-03-15", "2020-03-15", "2020-03-15"),
        ("2020-01-31/P1M", "2020-01-31", "2020-02-28"),
        ("2020-07-01/P6M", "2020-07-01", "2020-12-31"),
        ("2020-01-01/P1D", "2020-01-01", "2020-01-01"),
        ("2020-01-01T06:00:00/PT6H", "2020-01-01T06:00:00", "2020-01-01T11:59:59"),
        ("2020-01-01T06:00:00", "2020-01-01T06:00:00", "2020-01-01T06:00:00"),
    ],
)
def test_period_bounds(period: str, start: str, end: str) -> None:
    assert period_bounds(period) == (start, end)


def test_bounds_of_consecutive_quarters_touch() -> None:
    from datetime import date, timedelta

    for year in (2019, 2020):
        for quarter in (1, 2, 3):
            _, end = period_bounds(f"{year}-Q{quarter}")
            start, _ = period_bounds(f"{year}-Q{quarter + 1}")
            assert date.fromisoformat(end) + timedelta(days=1) == date.fromisoformat(start)
