"""The fields SDMX-REST queries share, declared once: the API line and context of every
query, and the data selection that data and availability queries both make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sdmxnode.rest.filters import ComponentFilter
from sdmxnode.rest.keys import KeyFilter, RawKey, key_matcher
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

    def key_filters(self, dimension_count: int) -> tuple[KeyFilter, ...] | None:
        """The keys as KeyFilters for `dimension_count` key dimensions (None = all series).

        Raises BadRequest for a key of the wrong length; on 2.x missing trailing positions
        are wildcards.
        """
        return key_matcher(
            self.keys, dimension_count, trailing_wildcards=self.api == 2, api=self.api
        )
