"""The fast path of `check_rows`: a batch of rows that breaks no rule, checked at C speed.

`check_rows` reads its rows in batches. A batch in the common shape (observations of series
whose keys, attribute values and periods are all known good, or whose new keys pass every
key test) is checked here column by column: `map`, `set` and `compress` over the batch,
with Python steps per series, not per observation. Whatever this path cannot settle (a
value not known good, a series met again, a duplicate, a row without a period) makes it
give the batch back untouched, and the row-by-row loop checks it as before, findings and
all: this path never reports, it only finds that there is nothing to report.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress, islice, repeat
from operator import itemgetter, ne

from sdmxnode.validation.row_checker import RowChecker
from sdmxnode.validation.values import MISSING_VALUES, is_decimal, is_double, is_integer

#: Rows read and checked at a time (the row-by-row loop checks the deadline as often).
BATCH_ROWS = 4096
#: The number checks that take every string of ASCII digits.
_DIGITS_ARE_NUMBERS = frozenset({is_integer, is_decimal, is_double})
#: What a coded measure may hold besides its codes: no value, or a missing value.
_NO_VALUE = frozenset({None, *MISSING_VALUES})

_GIVEN = itemgetter(1)  # a (rule, value) pair whose value is neither None nor ""

#: The row-by-row loop's state between series: the current series' key (canonical) and its
#: periods, the held attribute values of the last row, whether its series values are right.
SeriesState = tuple[tuple | None, set, tuple | None, bool]


def fast_batch(checker: RowChecker, batch: list[tuple], state: SeriesState) -> SeriesState | None:
    """Check `batch` (observations with no action column, of a data set with a time
    dimension, past its first row, with no mandatory attribute pending) when it breaks no
    rule at all: the state after it, the checker's own state updated as the row-by-row loop
    would have left it. None when some row needs that loop, with nothing changed."""
    if not _observations_fine(checker, batch):
        return None
    runs = _series_runs(checker, batch, state)
    if runs is None:
        return None
    key, periods, _, _ = state
    going_on, fresh, fresh_periods, last_held, series_right = runs
    if going_on is not None:
        periods.update(going_on)
    if fresh:
        seen = checker.seen
        if key is not None:
            seen[key] = tuple(periods)
        # The series ended within the batch, with their periods; the last one goes on.
        seen.update(zip(fresh, map(tuple, fresh_periods), strict=True))
        key, periods = fresh[-1], set(fresh_periods[-1])
        seen[key] = ()
        checker.report.series += len(fresh)
    return key, periods, last_held, series_right


def _observations_fine(checker: RowChecker, batch: list[tuple]) -> bool:
    """Whether every measure and observation attribute of the batch is known good."""
    plan = checker.plan
    for index, is_number, _rule in (*plan.measure_numbers, *plan.observation_numbers):
        if not _numbers_fine(list(map(itemgetter(index), batch)), is_number):
            return False
    for index, codes, _rule in plan.measure_codes:
        if not set(map(itemgetter(index), batch)) - codes <= _NO_VALUE:
            return False
    observation_values = plan.observation_values
    return observation_values is None or set(map(observation_values, batch)) <= (
        checker.observation_good
    )


def _numbers_fine(values: list, is_number: Callable[[str], bool]) -> bool:
    """Whether every value given is a number (None and "" are no value): digits alone at C
    speed, else value by value. A missing value that is no number of the type (NaN for an
    integer) gives False: the loop accepts it."""
    given = list(filter(None, values))
    if is_number in _DIGITS_ARE_NUMBERS:
        joined = "".join(given)
        if joined.isascii() and joined.isdigit():
            return True
    return all(map(is_number, given))


#: What `_series_runs` finds: the periods of the series going on from the last batch (None
#: if it does not), the new series' keys (canonical) and periods, the held values of the
#: last row, whether its series values are right.
Runs = tuple[list | None, list[tuple], list[list], tuple | None, bool]


# C901 allowed: the series checks of a batch, each test a reason to give it back.
def _series_runs(  # noqa: C901
    checker: RowChecker, batch: list[tuple], state: SeriesState
) -> Runs | None:
    """The batch's series, once every run of rows (same key, same held values) passes every
    series check; None otherwise. The tests of the new series (key tests, canonical keys,
    series values, held values) go column by column over all of them at once. The
    checker's held attribute values are updated only when all pass."""
    plan = checker.plan
    series_of = plan.series_of
    width = len(plan.dimension_ids)
    if series_of is None or not width:
        return None
    count = len(batch)
    heads = list(map(series_of, batch))
    starts = [0, *compress(range(1, count), map(ne, islice(heads, 1, None), heads))]
    run_heads = list(map(heads.__getitem__, starts))
    run_keys = list(map(itemgetter(slice(0, width)), run_heads))
    key, periods, last_held, series_right = state
    goes_on = key is not None and run_keys[0] == key
    first_new = 1 if goes_on else 0
    new_keys = run_keys[first_new:]
    # New keys: none met before (the series going on is among those met: the same key
    # further on is met again), none twice, each passing the key tests.
    if new_keys and (
        not checker.seen.keys().isdisjoint(new_keys) or len(set(new_keys)) != len(new_keys)
    ):
        return None
    key_columns = list(zip(*new_keys, strict=True))
    if new_keys and not checker.keys_pass(key_columns):
        return None
    fresh = checker.canonical_keys(key_columns) if new_keys else []
    # Periods, run by run: all known good, none twice in a series.
    time_index = plan.time_index
    assert time_index is not None  # `check_rows` takes the fast path only with one
    periods_of = list(map(itemgetter(time_index), batch))
    freq_position = plan.freq_position
    period_caches = checker.period_caches
    run_periods: list[list] = []
    for run_key, start, end in zip(run_keys, starts, [*starts[1:], count], strict=True):
        cache = period_caches.get(run_key[freq_position] if freq_position is not None else None)
        if cache is None:
            return None
        found = list(map(cache.get, periods_of[start:end]))
        if None in found or len(set(found)) != end - start:
            return None  # a period not known good (or no period), or a duplicate
        run_periods.append(found)
    going_on = run_periods[0] if goes_on else None
    if going_on is not None and not periods.isdisjoint(going_on):
        return None
    # Series values and held values.
    holds = plan.held_values is not None
    run_held = list(map(itemgetter(slice(width, None)), run_heads)) if holds else None
    series_values = plan.series_values
    series_good = checker.series_good
    within_held = series_values is not None and plan.series_within_held
    if series_values is not None and not within_held:
        if not set(map(series_values, batch)) <= series_good:
            return None
    new_held: dict[tuple[int, tuple], str] = {}
    if goes_on:
        assert key is not None
        held = run_held[0] if run_held is not None else None
        same = held == last_held
        if within_held and not (same and series_right):
            if series_values(batch[0]) not in series_good:  # type: ignore[misc]
                return None
            series_right = True
        if held is not None and not same and not _held_consistent(checker, held, key, new_held):
            return None
        last_held = held
    if fresh:
        if within_held:
            rows = map(batch.__getitem__, starts[first_new:])
            if not set(map(series_values, rows)) <= series_good:  # type: ignore[arg-type]
                return None
            series_right = True
        if run_held is not None:
            if not _new_held_consistent(checker, run_held[first_new:], fresh, new_held):
                return None
            last_held = run_held[-1]
        else:
            last_held = None
    checker.held.update(new_held)
    return going_on, fresh, run_periods[first_new:], last_held, series_right


def _new_held_consistent(
    checker: RowChecker,
    held: list[tuple],
    keys: list[tuple],
    new_held: dict[tuple[int, tuple], str],
) -> bool:
    """`_held_consistent` for the held values of new series (`keys`, canonical), column by
    column: an attribute of a series' own (attached to its whole key) is given for the
    first time, as the series was never met; a group or data-set one is looked at series
    by series, as its slot is shared."""
    for rule, column in zip(checker.plan.held_rules, zip(*held, strict=True), strict=True):
        if not any(column):
            continue  # given nowhere (None and "" give no value)
        if rule.scope == "series" and not rule.key_positions:
            owners = zip(repeat(rule.index), compress(keys, column))
            new_held.update(zip(owners, filter(None, column), strict=True))
            continue
        for key, value in zip(compress(keys, column), filter(None, column), strict=True):
            if not _agrees(checker, (rule.index, checker.attached(rule, key)), value, new_held):
                return False
    return True


def _held_consistent(
    checker: RowChecker, values: tuple, key: tuple, new_held: dict[tuple[int, tuple], str]
) -> bool:
    """Whether the held attribute values of a series agree with those given before (in the
    checker's record, or in `new_held`, the batch's own, which gets the new ones): the
    series going on from the last batch (the new ones go through `_new_held_consistent`)."""
    # The values given (None and "" give none), picked at C speed: most are not given.
    for rule, value in filter(_GIVEN, zip(checker.plan.held_rules, values, strict=True)):
        if not _agrees(checker, (rule.index, checker.attached(rule, key)), value, new_held):
            return False
    return True


def _agrees(
    checker: RowChecker, slot: tuple[int, tuple], value: str, new_held: dict[tuple[int, tuple], str]
) -> bool:
    """Whether `value` agrees with the first value given to `slot` (in the checker's record,
    or in `new_held`, which gets it if it is the first), or the slot's conflict is reported
    already: the rule of `RowChecker.held_attributes`, without the report."""
    first = checker.held.get(slot)
    if first is None:
        first = new_held.setdefault(slot, value)
    return first == value or slot in checker.conflicting
