"""The fields SDMX-REST queries share, declared once: the API line and context of every
query, and the data selection that data and availability queries both make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sdmxnode.rest.filters import ComponentFilter
from sdmxnode.rest.flows import FlowSelection, parse_provider_ref
from sdmxnode.rest.keys import KeyFilter, RawKey, key_matcher, parse_key_v1, parse_key_v2
from sdmxnode.rest.parameters import parse_updated_after
from sdmxnode.rest.versions import VersionSelector


@dataclass(frozen=True)
class ResourceQuery:
    """A query on one API line (`api` 1 for SDMX-REST 1.5, 2 for 2.x) in one `context`."""

    api: int
    context: str  # 'dataflow' | 'datastructure' | 'provisionagreement' | '*' | ...


@dataclass(frozen=True)
class DataSelectionQuery(ResourceQuery):
    """The data a query selects: dataflows, series keys, providers, period and changes.

    - `keys`: raw keys (one tuple of positions each, None = wildcard position, several
      values of a position joined by '+'); None selects every series. `key_filters`
      turns them into KeyFilters once the number of key dimensions is known.
    - `start_period` / `end_period`: as given and validated (`periods.period_range` gives
      their bounds). On 2.x they come from `c[TIME_PERIOD]=ge:X+le:Y` (one clause of at
      most one `ge` and one `le`), which is then not repeated in `filters`.
    - `updated_after`: timezone-aware; a value without offset is in server local time.
    """

    agencies: tuple[str, ...] | None
    ids: tuple[str, ...] | None
    versions: VersionSelector
    keys: tuple[RawKey, ...] | None
    providers: tuple[str, ...] | None  # 1.5 providerRef: 'ID' or 'AGENCY,ID'
    start_period: str | None
    end_period: str | None
    filters: tuple[ComponentFilter, ...]
    updated_after: datetime | None

    def key_filters(
        self, dimension_count: int, dimension_ids: Sequence[str] = ()
    ) -> tuple[KeyFilter, ...] | None:
        """The keys as KeyFilters for `dimension_count` key dimensions (None = all series).

        Raises BadRequest for a key of the wrong length, naming `dimension_ids` (the key
        dimensions in order) when given; on 2.x missing trailing positions are wildcards.
        """
        return key_matcher(
            self.keys,
            dimension_count,
            trailing_wildcards=self.api == 2,
            api=self.api,
            dimension_ids=dimension_ids,
        )


class SelectionFields(TypedDict):
    """The fields of a DataSelectionQuery, as its subclasses' constructors take them."""

    api: int
    context: str
    agencies: tuple[str, ...] | None
    ids: tuple[str, ...] | None
    versions: VersionSelector
    keys: tuple[RawKey, ...] | None
    providers: tuple[str, ...] | None
    start_period: str | None
    end_period: str | None
    filters: tuple[ComponentFilter, ...]
    updated_after: datetime | None


def selection_fields(
    api: int,
    flow: FlowSelection,
    key: str | None,
    provider_ref: str | None,
    period: tuple[str | None, str | None],
    filters: tuple[ComponentFilter, ...],
    updated_after: str | None,
) -> SelectionFields:
    """The selection of a data or availability query on API line `api`: the flow, the key
    segment (parsed by that line's rules), the 1.5 providerRef segment (None on 2.x), the
    period pair, the component filters and the `updatedAfter` parameter as given; parsed
    in that order, so that the first bad segment is the one reported."""
    return SelectionFields(
        api=api,
        context=flow.context,
        agencies=flow.agencies,
        ids=flow.ids,
        versions=flow.versions,
        keys=parse_key_v1(key) if api == 1 else parse_key_v2(key),
        providers=parse_provider_ref(provider_ref),
        start_period=period[0],
        end_period=period[1],
        filters=filters,
        updated_after=parse_updated_after(updated_after),
    )
