"""The answer to a data query: which data sets it holds, or why there is none to send.

The policy of SDMX-REST data answers lives here, not in the views: one data set per data
provider (`data_sets.per_provider`), an answer larger than
MAX_RESPONSE_OBSERVATIONS is refused, `updatedAfter` answers replace what changed and carry
the deletions as a data set with action Delete (2.x `data.md`), and `includeHistory`
answers one data set per load. `Range: values=...` answers only the observations it
selects (`paged_result`), the size limit applying to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sdmxnode.errors import NoResults, RangeNotSatisfiable, SdmxNodeError, TooLarge
from sdmxnode.formats.rows import DataResult
from sdmxnode.rest.data import DataQuery
from sdmxnode.rest.ranges import ValuesRange
from sdmxnode.services.data.data_sets import data_set_counts, paged, per_provider, windows
from sdmxnode.services.data.queries import (
    DataPlan,
    count_rows,
    data_result,
    deletions_result,
    find_query_data,
    held_observations,
    history_result,
    iter_rows,
    open_rows,
    plan_data_query,
    prefetch_records,
)
from sdmxnode.services.node import Node


@dataclass(frozen=True)
class Page:
    """The observations a paged answer holds: `first`..`last` (inclusive) of `total`."""

    first: int
    last: int
    total: int

    @property
    def content_range(self) -> str:
        """The `Content-Range` header of the answer (RFC 9110 section 14.4)."""
        return f"values {self.first}-{self.last}/{self.total}"


@dataclass(frozen=True)
class DataAnswer:
    """A data query bound to its dataflow: what validates a client's copy (`etag`,
    `last_modified`) before `result` runs the query."""

    node: Node
    query: DataQuery
    plan: DataPlan
    #: The records `result` reads, read already with the data state (`prefetched_answer`).
    prefetched: list[tuple] | None = field(default=None, repr=False, compare=False)

    @property
    def last_modified(self) -> datetime:
        """When the dataflow or its data last changed."""
        return self.plan.last_modified

    def etag(self, *parts: str) -> str:
        """An entity tag of the answer, for the representation that `parts` name."""
        return self.plan.etag(*parts)

    def result(self, languages: Sequence[str] = ()) -> DataResult:
        """The data sets to send, named in the first of `languages` the structures carry
        (else English); raises NoResults when nothing matches and TooLarge when more
        observations match than the node sends in one response."""
        node, plan = self.node, self.plan
        if self.query.include_history:
            history = history_result(node, plan, languages)
            if history is None:
                raise NoResults("no load wrote or deleted data matching the query", where="key")
            return history
        limit = node.settings.max_response_observations
        # Counting the matching observations up to the limit costs as much as reading them:
        # only a dataflow holding more than the limit needs it; otherwise one row tells. An
        # asOf answer may hold observations deleted since: the current count bounds nothing.
        # Below the limit, the answer's own query tells whether there is one (`open_rows`).
        over = limit and (plan.selection.as_of is not None or held_observations(node, plan) > limit)
        opened = (
            None
            if over or plan.selection.as_of is not None
            else open_rows(node, plan, self.prefetched)
        )
        rows, release = opened if opened is not None else (None, None)
        found = count_rows(node, plan, limit + 1) if over else int(rows is not None)
        deletions = plan.selection.updated_after is not None and count_rows(
            node, plan, 1, deletions=True
        )
        if not found and not deletions:
            raise NoResults("no data matches the query", where="key")
        if limit and found > limit:
            raise TooLarge(
                f"the answer holds more than {limit} observations, the most this node sends "
                "in one response: narrow the query with a key, startPeriod/endPeriod "
                "(c[TIME_PERIOD] on 2.x), firstNObservations or lastNObservations, or ask "
                f"for it page by page with the header 'Range: values=0-{limit - 1}'",
                where="query",
            )
        if not found:
            return deletions_result(node, plan)
        chosen = bool(self.query.providers) or self.query.context == "provisionagreement"
        result = per_provider(
            node,
            plan,
            data_result(node, plan, languages=languages, rows=rows, release=release),
            name_one=chosen,
        )
        if plan.selection.updated_after is not None:
            for data_set in (result, *result.following):
                data_set.action = "Replace"  # 2.x data.md: delta answers replace and delete
        if deletions:
            result.following = [*result.following, deletions_result(node, plan)]
        return result

    def paged_result(
        self, values: ValuesRange, languages: Sequence[str] = ()
    ) -> tuple[DataResult, Page | None]:
        """The answer narrowed to the observations `values` selects, and which they are;
        RangeNotSatisfiable when it selects none. `includeHistory` and `updatedAfter`
        answers are not paged (the whole answer, and None)."""
        node, plan = self.node, self.plan
        if self.query.include_history or plan.selection.updated_after is not None:
            return self.result(languages), None
        chosen = bool(self.query.providers) or self.query.context == "provisionagreement"
        result = per_provider(
            node, plan, data_result(node, plan, languages=languages), name_one=chosen
        )
        counts = data_set_counts(node, plan, result)
        total = sum(counts)
        if not total:
            raise NoResults("no data matches the query", where="key")
        span = values.resolve(total)
        if span is None:
            raise RangeNotSatisfiable(
                f"the answer holds {total} observations (values 0-{total - 1}): the range "
                "selects none of them",
                total=total,
            )
        first, last = span
        limit = node.settings.max_response_observations
        if limit and last - first + 1 > limit:
            raise TooLarge(
                f"the range selects {last - first + 1} observations, more than the {limit} "
                f"this node sends in one response: ask for 'Range: values={first}-"
                f"{first + limit - 1}' and so on",
                where="Range",
            )
        window = windows(node, plan, result)
        return paged(result, counts, first, last, window), Page(first, last, total)

    def rows_again(self) -> Iterator[tuple]:
        """The rows of the plan once more (writers that need a second pass)."""
        return iter_rows(self.node, self.plan)


def get_data_answer(node: Node, query: DataQuery, *, prefetch: bool = False) -> DataAnswer:
    """Bind a data query to the one dataflow it names (and its providers); raises NoResults
    when no dataflow with data matches. With `prefetch` (the caller will read the answer:
    not a conditional request, nor a page), the answer may come from `prefetched_answer`,
    one statement where it takes two."""
    if prefetch:
        answer = prefetched_answer(node, query)
        if answer is not None:
            return answer
    dataflow, state = find_query_data(node, query)
    if query.context in ("dataflow", "*"):
        node.cache.remember(_found_key(query), (dataflow, state))
    return DataAnswer(node, query, plan_data_query(node, dataflow, query, state))


def prefetched_answer(node: Node, query: DataQuery) -> DataAnswer | None:
    """The answer planned from the dataflow and data state this process found last for the
    same dataflow reference, with its records read in one statement together with the
    dataflow's data mark (`prefetch_records`); None, and nothing kept, unless the mark is
    that of the state the plan was made from: then nothing the plan drew on has changed
    (no load, no structure), and the answer is what reading the state first would give.

    Only for what `result` reads through `open_rows` (no history, `asOf`, `updatedAfter`
    or answer over the size limit) at once: a query naming a few series keys
    (`prefetch_records`). An answer with no record, or a mark that differs, leaves the
    caller to read the state, then the records, as it would have without the guess."""
    if query.context not in ("dataflow", "*") or query.include_history:
        return None
    if query.as_of is not None or query.updated_after is not None:
        return None
    found = node.cache.recall(_found_key(query))
    if found is None:
        return None
    dataflow, state = found
    try:
        plan = plan_data_query(node, dataflow, query, state)
    except SdmxNodeError:
        return None  # read the state: the error, if still one, comes from the current one
    limit = node.settings.max_response_observations
    if limit and held_observations(node, plan) > limit:
        return None
    records, mark = prefetch_records(node, plan)
    if records is None or mark is None or mark != state.mark:
        return None
    return DataAnswer(node, query, plan, records)


def _found_key(query: DataQuery) -> tuple:
    """What the dataflow a data query finds depends on: its references (not its key)."""
    return ("data query dataflow", query.context, query.agencies, query.ids, repr(query.versions))
