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
from itertools import compress, islice
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
    key, periods, last_held, series_right = state
    seen, report = checker.seen, checker.report
    for fresh_key, run_periods, held, right in runs:
        if fresh_key is None:  # the series of the last batch goes on
            periods.update(run_periods)
        else:
            if key is not None:
                seen[key] = tuple(periods)
            seen[fresh_key] = ()
            report.series += 1
            key, periods = fresh_key, set(run_periods)
        last_held, series_right = held, right
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


# C901 allowed: one pass over the series of a batch, each test a reason to give it back.
def _series_runs(  # noqa: C901
    checker: RowChecker, batch: list[tuple], state: SeriesState
) -> list[tuple[tuple | None, list, tuple | None, bool]] | None:
    """The batch's series in order: (canonical key, or None for the series of the state
    going on; its periods, canonical; the held values of its rows; whether its series
    values are right), once each run of rows passes every series check; None otherwise.
    The checker's held attribute values are updated only when all pass."""
    plan = checker.plan
    series_of = plan.series_of
    if series_of is None:
        return None
    count = len(batch)
    # A run: rows with the same key and held values.
    heads = list(map(series_of, batch))
    starts = [0, *compress(range(1, count), map(ne, islice(heads, 1, None), heads))]
    width = len(plan.dimension_ids)
    holds = plan.held_values is not None
    series_values = plan.series_values
    series_good = checker.series_good
    if series_values is not None and not plan.series_within_held:
        if not set(map(series_values, batch)) <= series_good:
            return None
    time_index = plan.time_index
    assert time_index is not None  # `check_rows` takes the fast path only with one
    periods_of = list(map(itemgetter(time_index), batch))
    freq_position = plan.freq_position
    period_caches = checker.period_caches
    seen = checker.seen
    key, periods, last_held, series_right = state
    new_keys: set[tuple] = set()
    new_held: dict[tuple[int, tuple], str] = {}
    runs: list[tuple[tuple | None, list, tuple | None, bool]] = []
    for start, end in zip(starts, [*starts[1:], count], strict=True):
        head = heads[start]
        run_key = head[:width]
        cache = period_caches.get(run_key[freq_position] if freq_position is not None else None)
        if cache is None:
            return None
        run_periods = list(map(cache.get, periods_of[start:end]))
        if None in run_periods or len(set(run_periods)) != len(run_periods):
            return None  # a period not known good (or no period), or a duplicate
        held = head[width:] if holds else None
        attached_key: tuple
        if start == 0 and key is not None and run_key == key:
            if not periods.isdisjoint(run_periods):
                return None
            fresh_key = None
            same = held == last_held
            attached_key = key
        else:
            # A series met again (also the same key with other held values: one changed
            # within a series), or a key value to look at.
            if run_key in seen or run_key in new_keys or not checker.key_passes(run_key):
                return None
            fresh_key = attached_key = checker.canonical_key(run_key)
            new_keys.add(run_key)
            same = False
        if series_values is not None and plan.series_within_held:
            if not (same and series_right):
                if series_values(batch[start]) not in series_good:
                    return None
                series_right = True
        if (
            held is not None
            and not same
            and not _held_consistent(checker, held, attached_key, new_held)
        ):
            return None
        last_held = held
        runs.append((fresh_key, run_periods, held, series_right))
    checker.held.update(new_held)
    return runs


def _held_consistent(
    checker: RowChecker, values: tuple, key: tuple, new_held: dict[tuple[int, tuple], str]
) -> bool:
    """Whether the held attribute values of a series agree with those given before (in the
    checker's record, or in `new_held`, the batch's own, which gets the new ones)."""
    held = checker.held
    # The values given (None and "" give none), picked at C speed: most are not given.
    for rule, value in filter(_GIVEN, zip(checker.plan.held_rules, values, strict=True)):
        # What the value belongs to (RowChecker.attached): most are the series' own.
        if rule.scope == "series" and not rule.key_positions:
            slot = (rule.index, key)
        else:
            slot = (rule.index, checker.attached(rule, key))
        first = held.get(slot)
        if first is None:
            first = new_held.setdefault(slot, value)
        if first != value and slot not in checker.conflicting:
            return False
    return True
