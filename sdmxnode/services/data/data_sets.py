"""One data set per data provider: a dataflow's answer split by who reported the data.

SDMX keeps each provider's data in data sets of their own (a DataSet names its
DataProvider; SDMX-CSV 2.0 rows name the provision agreement). The providers of the
matching data are read first (one indexed query); each provider's data set then streams
its own ordered query, run only when the writer reaches it, so that memory stays flat.

A data set names its provider when the answer holds several providers' data sets, or when
the query selected providers (a `provisionagreement` context, a providerRef). The answer of
a dataflow whose data all come from one provider is written as before: sdmx1 (2.28) reads
no DataProvider inside an SDMX-ML DataSet, and a client asking for a dataflow has no data
sets to tell apart.

A `Range: values=...` answer (`paged`) keeps the observations of the range, counted across
the data sets in the order they are written.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice

from sdmxnode.formats.rows import DataResult
from sdmxnode.services.data.queries import (
    DataPlan,
    count_rows,
    held_providers,
    iter_rows,
    series_sizes,
    stored_records,
)
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import UNATTRIBUTED, agreements_of, data_set_provider


def provider_plan(plan: DataPlan, provider: str) -> DataPlan:
    """`plan` narrowed to one data provider's data ('AGENCY:ID', '' unattributed)."""
    return replace(plan, selection=replace(plan.selection, providers=(provider,)))


def per_provider(
    node: Node, plan: DataPlan, result: DataResult, *, name_one: bool = False
) -> DataResult:
    """`result` (the plan's data set) as one data set per provider of the matching data,
    the first carrying the others as `following`, each naming its provider. Unchanged when
    all the data are unattributed, or come from one provider and not `name_one`. An `asOf`
    answer is split by the providers of every series the selection matches, whose past the
    history keeps."""
    held = held_providers(node, plan)  # kept per version: most answers stop here
    if held in ([], [UNATTRIBUTED]) or (len(held) == 1 and not name_one):
        return result
    with node.data.reading() as reader:
        providers = reader.providers(plan.dataflow.pk, plan.selection)
    if not providers or providers == [UNATTRIBUTED] or (len(providers) == 1 and not name_one):
        return result
    agreements = agreements_of(node, plan.dataflow)
    data_sets = []
    for provider in providers:
        own = provider_plan(plan, provider)
        data_sets.append(
            replace(
                result,
                rows=iter_rows(node, own),
                provider=data_set_provider(provider, agreements),
                rows_again=partial(iter_rows, node, own),
                records=stored_records(node, own),
                following=[],
            )
        )
    data_sets[0].following = data_sets[1:]
    return data_sets[0]


def count_plan_rows(node: Node, plan: DataPlan) -> int:
    """How many rows a plan answers: counted by the database, or by reading them when a
    filter the database cannot apply (component filters on attributes, `asOf`) narrows
    them."""
    if plan.row_filter is None and plan.selection.as_of is None:
        # Counted once per version of the data (the plan's `version` names its last
        # load): each page of a paged answer needs the total, which costs a walk of every
        # matching observation.
        key = ("plan rows", plan.dataflow.pk, plan.version, plan.series_only, repr(plan.selection))
        return node.cache.derived(key, lambda: count_rows(node, plan, sys.maxsize))
    return sum(1 for _ in iter_rows(node, plan))


def _provider_key(data_set: DataResult) -> str:
    provider = data_set.provider
    return f"{provider.agency_id}:{provider.id}" if provider is not None else UNATTRIBUTED


def data_set_counts(node: Node, plan: DataPlan, result: DataResult) -> list[int]:
    """The rows of each data set of `result` (itself, then those `following`), as
    `per_provider` made them from `plan`."""
    data_sets = [result, *result.following]
    if len(data_sets) == 1:
        return [count_plan_rows(node, plan)]
    return [count_plan_rows(node, provider_plan(plan, _provider_key(d))) for d in data_sets]


def paged(
    result: DataResult,
    counts: list[int],
    first: int,
    last: int,
    window: Callable[[int, int, int], DataResult] | None = None,
) -> DataResult:
    """`result` narrowed to its rows `first`..`last` (inclusive, counted across its data
    sets in order); data sets left with no row are dropped. `window(index, skip, take)`,
    when given, is data set `index` narrowed by the database (its rows `skip` to
    `skip + take`); without it the rows before the page are read and dropped."""
    kept: list[DataResult] = []
    start = 0
    data_sets = [result, *result.following]
    for index, (data_set, count) in enumerate(zip(data_sets, counts, strict=True)):
        skip = max(0, first - start)
        take = min(count, last + 1 - start) - skip
        start += count
        if take <= 0:
            continue
        if window is not None:
            kept.append(replace(window(index, skip, take), following=[]))
            continue
        again = data_set.rows_again
        kept.append(
            replace(
                data_set,
                rows=islice(data_set.rows, skip, skip + take),
                rows_again=(
                    partial(_sliced, again, skip, skip + take) if again is not None else None
                ),
                records=None,  # a page is a slice of the row stream
                following=[],
            )
        )
    kept[0].following = kept[1:]
    return kept[0]


#: Rows between two marks of a paged answer (`PageMarks`): the most a page's window makes
#: the database step over before its first row, however deep the page.
MARK_ROWS = 20_000


@dataclass(frozen=True)
class PageMarks:
    """Series of an answer's ordered rows with how many rows come before each, about every
    MARK_ROWS rows: a page deep in the answer starts its window at the last mark before it
    (`DataSelection.from_key`), so the database steps over fewer than MARK_ROWS rows where
    an offset from the start made it walk every row before the page (2.9 s for a page in
    the middle of 10,000,000 observations on PostgreSQL)."""

    before: tuple[int, ...]  # rows before each marked series, ascending
    keys: tuple[str, ...]  # the marked series' keys

    def start(self, skip: int) -> tuple[int, str | None]:
        """Rows before the last mark at or before row `skip`, and that mark's series key
        (0 and None: no mark before it)."""
        index = bisect_right(self.before, skip) - 1
        return (self.before[index], self.keys[index]) if index >= 0 else (0, None)


def page_marks(node: Node, plan: DataPlan) -> PageMarks | None:
    """The marks of a plan's rows (read once per version of the data, as its total is), or
    None where the rows are not one per observation in series key order: series-only
    answers, first/lastNObservations, `asOf`, a filter the database cannot apply."""
    selection = plan.selection
    if (
        plan.series_only
        or selection.first_n is not None
        or selection.last_n is not None
        or selection.as_of is not None
        or plan.row_filter is not None
    ):
        return None
    whole = replace(selection, offset=0, limit=None, from_key=None)
    key = ("page marks", plan.dataflow.pk, plan.version, repr(whole))
    return node.cache.derived(key, lambda: _read_marks(node, replace(plan, selection=whole)))


def _read_marks(node: Node, plan: DataPlan) -> PageMarks:
    before: list[int] = []
    keys: list[str] = []
    rows = 0
    for key, size in series_sizes(node, plan):
        if not before or rows - before[-1] >= MARK_ROWS:
            before.append(rows)
            keys.append(key)
        rows += size
    return PageMarks(tuple(before), tuple(keys))


def windows(
    node: Node, plan: DataPlan, result: DataResult
) -> Callable[[int, int, int], DataResult] | None:
    """For `paged`: data set `index` of `result` (as `per_provider` made them from `plan`)
    with the database's window of its rows; None when the database cannot count the rows
    as the answer does (a filter it cannot apply, `asOf`)."""
    if plan.row_filter is not None or plan.selection.as_of is not None:
        return None
    data_sets = [result, *result.following]

    def window(index: int, skip: int, take: int) -> DataResult:
        data_set = data_sets[index]
        own = plan if len(data_sets) == 1 else provider_plan(plan, _provider_key(data_set))
        marks = page_marks(node, own) if skip >= MARK_ROWS else None
        before, from_key = marks.start(skip) if marks is not None else (0, None)
        narrowed = replace(
            own,
            selection=replace(own.selection, from_key=from_key, offset=skip - before, limit=take),
        )
        return replace(
            data_set,
            rows=iter_rows(node, narrowed),
            rows_again=partial(iter_rows, node, narrowed),
            records=stored_records(node, narrowed),  # the same window, for columns
            release=None,
        )

    return window


def _sliced(rows_of: Callable[[], Iterator[tuple]], start: int, stop: int) -> Iterator[tuple]:
    return islice(rows_of(), start, stop)
