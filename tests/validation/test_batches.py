"""The fast path of the row rules (validation/batches.py) finds what the row-by-row loop finds.

Data sets drawn at random, mostly right with a fault here and there, are checked twice in
small batches: once with the fast path, once with the loop alone. Rows, findings (every
field) and counts must agree, and the fast path must have taken batches, faults or not.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator

import pytest

from sdmxnode.formats.rows import Component, DatasetRows, StructureInfo
from sdmxnode.validation import rules
from sdmxnode.validation.batches import fast_batch
from sdmxnode.validation.report import Report
from tests.validation.test_rules import REF
from tests.validation.test_rules import STRUCTURE as TWO_DIMENSIONS

AGES = [f"Y{age}" for age in range(60)]
#: test_rules' structure with a third dimension, so that many series have keys of their own
#: (UNIT attaches to FREQ and REF_AREA: a group of series shares it).
STRUCTURE = dataclasses.replace(
    TWO_DIMENSIONS,
    dimensions=(
        *TWO_DIMENSIONS.dimensions,
        Component("AGE", "dimension", frozenset(AGES), "TEST:CL_AGE(1.0)"),
    ),
)
COLUMNS = STRUCTURE.columns
#: The same with a coded measure (its codes are the values `_series` draws when right).
CODED = dataclasses.replace(
    STRUCTURE,
    measures=(
        Component("OBS_VALUE", "measure", frozenset({"12", "345", "0"}), "TEST:CL_VALUE(1.0)"),
    ),
)
assert CODED.columns == COLUMNS
AREAS = ["FRA", "DEU", "ITA", "XX"]  # ITA not allowed, XX no code
YEARS = [str(year) for year in range(2000, 2012)]


def row(line: int, **values: str | None) -> tuple:
    """A row of STRUCTURE: FRA's 2020 observation for age Y0, unless `values` say otherwise."""
    given = {"FREQ": "A", "REF_AREA": "FRA", "AGE": "Y0", "TIME_PERIOD": "2020"}
    given |= {"OBS_VALUE": "1.5", "OBS_STATUS": "A", "UNIT": "PS", "TITLE": "T"}
    given |= {key.upper(): value for key, value in values.items()}
    return (*(given.get(column) for column in COLUMNS), line)


def _value(draw: random.Random) -> str | None:
    return draw.choice(["12", "7", "1.5", "-3E2", "NaN", "", None, "x", "1_0", "INF", "٣"])


def _series(
    draw: random.Random, line: int, faults: float, age: str, years: int | None = None
) -> list[tuple]:
    """One series' rows: mostly right, each field wrong with probability `faults`; the
    first `years` of YEARS, else some drawn at random."""

    def fault(right: object, *wrong: object) -> object:
        return draw.choice(wrong) if draw.random() < faults else right

    freq = fault("A", "Q", "M", "B")
    area = fault(draw.choice(AREAS[:2]), *AREAS, None, "")
    unit = fault("PS", "PC", "ZZ", None, "")
    comment = draw.choice([None, "c", "d", ""])  # free text: any value is right
    title = fault("T", "U", None)
    periods = YEARS[:years] if years else draw.sample(YEARS, draw.randint(1, 6))
    rows = []
    for period in periods:
        rows.append(
            row(
                line + len(rows),
                freq=freq,
                ref_area=area,
                age=fault(age, "Y999", None),
                time_period=fault(period, "2020-Q1", "20x", periods[0], None, ""),
                obs_value=fault(draw.choice(["12", "345", "0"]), _value(draw)),
                obs_status=fault("A", "E", None, "", "Z"),
                obs_count=fault(None, "3", "3.5", ""),
                unit=fault(unit, "PS", "PC", None),
                comment=fault(comment, "e", None),  # a series attribute changing within one
                title=fault(title, "V", None),  # a data-set attribute changing
            )
        )
    return rows


def _dataset(seed: int) -> list[tuple]:
    draw = random.Random(seed)
    faults = draw.choice([0.0, 0.0, 0.01, 0.05, 0.2])
    rows: list[tuple] = []
    for age in draw.sample(AGES, draw.randint(1, 40)):
        rows += _series(draw, len(rows) + 1, faults, age)
    if draw.random() < 0.1 and rows:  # series met again further on
        again = draw.randrange(len(rows))
        again_rows = rows[again : again + draw.randint(1, 4)]
        rows += [(*r[:-1], len(rows) + n + 1) for n, r in enumerate(again_rows)]
    return rows


def _check(
    rows: list[tuple],
    fast: bool,
    monkeypatch: pytest.MonkeyPatch,
    structure: StructureInfo = STRUCTURE,
) -> tuple:
    taken = []

    def counted(*args: object) -> object:
        state = fast_batch(*args) if fast else None  # type: ignore[arg-type]
        taken.append(state is not None)
        return state

    monkeypatch.setattr(rules, "fast_batch", counted)
    report = Report()
    dataset = DatasetRows(REF, structure, "Information", COLUMNS, iter(rows))
    passed = list(rules.check_rows(dataset, report))
    findings = [
        (f.code, f.severity, f.message, f.line, f.series_key, f.period, f.component)
        for f in report.findings
    ]
    counts = (report.errors, report.warnings, report.series, report.observations)
    return passed, findings, counts, sum(taken)


@pytest.mark.parametrize("structure", [STRUCTURE, CODED], ids=["numeric", "coded"])
@pytest.mark.parametrize("batch_rows", [1, 3, 16])
def test_the_fast_path_finds_what_the_row_loop_finds(
    monkeypatch: pytest.MonkeyPatch, batch_rows: int, structure: StructureInfo
) -> None:
    monkeypatch.setattr(rules, "BATCH_ROWS", batch_rows)
    fast_batches = with_findings = 0
    for seed in range(300):
        rows = _dataset(seed)
        passed, findings, counts, taken = _check(rows, True, monkeypatch, structure)
        assert (passed, findings, counts) == _check(rows, False, monkeypatch, structure)[:3], seed
        assert passed == rows
        fast_batches += taken
        with_findings += bool(findings)
    # Neither side of the comparison is empty: the fast path took batches, and findings
    # were made (by the loop, after the fast path gave batches back).
    print(f"{fast_batches} batches took the fast path; {with_findings} data sets had findings")
    assert fast_batches > 300
    assert 50 < with_findings < 250


def test_a_clean_data_set_goes_the_fast_path_past_its_first_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rules, "BATCH_ROWS", 4)
    draw = random.Random(1)
    rows: list[tuple] = []
    for age in AGES[:30]:  # series of 6 periods: batches begin within series and between
        rows += _series(draw, len(rows) + 1, 0.0, age, years=6)
    passed, findings, counts, taken = _check(rows, True, monkeypatch)
    assert findings == [] and passed == rows
    assert counts == (0, 0, 30, len(rows))
    assert taken == len(rows) // 4 - 2  # all but the first two, where the six periods are new


def test_rows_before_a_reader_error_are_checked_then_the_error_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sdmxnode.errors import Invalid

    monkeypatch.setattr(rules, "BATCH_ROWS", 4)

    def failing() -> Iterator[tuple]:
        yield from [row(1), row(2, time_period="2021"), row(3, ref_area="XX"), row(4, age="Y1")]
        yield from [row(5, age="Y1", time_period="2021"), row(6, age="Y1", time_period="2022")]
        raise Invalid("the message is not well-formed XML: truncated", where="line 7, column 3")

    report = Report()
    dataset = DatasetRows(REF, STRUCTURE, "Information", COLUMNS, failing())
    assert len(list(rules.check_rows(dataset, report))) == 6
    assert [(f.code, f.line) for f in report.findings] == [("UNKNOWN_CODE", 3), ("UNREADABLE", 7)]
    assert report.observations == 6


def test_the_fast_path_is_tried_less_often_while_it_gives_batches_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rules, "BATCH_ROWS", 4)
    rows: list[tuple] = []
    for age in AGES[:50]:  # each series of 4 observations has one without a status
        periods = YEARS[:4]
        rows += [row(len(rows) + 1, age=age, time_period=p) for p in periods[:3]]
        rows.append(row(len(rows) + 1, age=age, time_period=periods[3], obs_status=None))
    tried = []

    def counted(*args: object) -> object:
        tried.append(fast_batch(*args))  # type: ignore[arg-type]
        return tried[-1]

    monkeypatch.setattr(rules, "fast_batch", counted)
    report = Report()
    dataset = DatasetRows(REF, STRUCTURE, "Information", COLUMNS, iter(rows))
    assert list(rules.check_rows(dataset, report)) == rows
    assert [f.code for f in report.findings] == ["MISSING_ATTRIBUTE"] * 50  # one a batch
    # 49 batches after the first: tried on the 1st and 2nd, then after 1, 3, 7, 15 skipped.
    assert tried == [None] * 6


def test_the_key_tests_of_many_keys_at_once_agree_with_those_of_one_key() -> None:
    """`RowChecker.keys_pass` and `canonical_keys` (keys as columns) against `key_passes`
    and `canonical_key` (one key): codes known or not, values missing, a value over the
    length limit, and keys over the series key's limit only when their long values meet."""
    from sdmxnode.formats.rows import MAX_KEY_VALUE_LENGTH, MAX_SERIES_KEY_LENGTH
    from sdmxnode.validation.plan import plan_rows
    from sdmxnode.validation.row_checker import RowChecker

    long_code = "L" * 250
    too_long = "T" * (MAX_KEY_VALUE_LENGTH + 1)
    codes = frozenset({"A", "B", long_code, too_long})
    dimensions = tuple(Component(f"D{n}", "dimension", codes, "TEST:CL(1.0)") for n in range(9))
    assert 9 * len(long_code) + 8 > MAX_SERIES_KEY_LENGTH  # all long: over; most, not
    structure = dataclasses.replace(STRUCTURE, dimensions=dimensions, attributes=())
    dataset = DatasetRows(REF, structure, "Information", structure.columns, iter(()))
    checker = RowChecker(plan_rows(dataset), dataset, Report())
    own = {code: code for code in codes}
    draw = random.Random(7)
    outcomes = set()
    for _ in range(2000):
        weights = draw.choice([(88, 10, 0, 1, 1), (20, 78, 1, 1, 0), (0, 0, 100, 0, 0)])
        # Not the code list's own strings: the canonical keys are made of those.
        values = ["A", "L" * 125 + "L" * 125, "T" * len(too_long), None, "Z"]
        keys = [
            tuple(draw.choices(values, weights)[0] for _ in dimensions)
            for _ in range(draw.randint(1, 5))
        ]
        columns = list(zip(*keys, strict=True))
        one_by_one = all(map(checker.key_passes, keys))
        assert checker.keys_pass(columns) == one_by_one, keys
        canonical = checker.canonical_keys(columns)
        assert canonical == list(map(checker.canonical_key, keys))
        assert all(value is own.get(value, value) for key in canonical for value in key)
        outcomes.add(one_by_one)
    assert outcomes == {True, False}
