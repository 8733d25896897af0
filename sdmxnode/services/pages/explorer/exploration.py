"""The data explorer: a selection in SDMX key syntax -> filters, a table and chart series."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sdmxnode.errors import NoResults
from sdmxnode.rest.data import parse_data_query_v1
from sdmxnode.services.data.data_sets import provider_plan
from sdmxnode.services.data.queries import DataPlan, count_rows, iter_rows, plan_data_query
from sdmxnode.services.node import Node
from sdmxnode.services.pages import N_
from sdmxnode.services.pages.dataflow import DataflowView
from sdmxnode.services.pages.explorer.display import (
    CHART_LINES,
    DEFAULT_SORT,
    REF_AREA,
    SORTS,
    NoteColumn,
    Unit,
    area_metadata,
    chart_title,
    code_order,
    flag_attribute,
    flag_legend,
    latest_value,
    list_position,
    note_columns,
    unit_of,
    value_text,
)
from sdmxnode.services.pages.explorer.selection import Filter, filters_for, split_key
from sdmxnode.services.pages.providers import provider_names

#: The most series the explorer tabulates and charts, and the most observations it reads.
MAX_SERIES = 40
MAX_OBSERVATIONS = 5000
#: The explorer counts a selection's series and observations up to this many.
COUNT_LIMIT = 100_000
#: Why the explorer shows no figures (interface messages: the page translates them).
NO_DATA_YET = N_("This dataflow has no data yet.")
NO_MATCH = N_("No data matches this selection.")
OPEN_TO = N_("Other codes have data with the remaining choices kept, for: %(dimensions)s.")
#: A series' provider when its data are attributed to none.
NOT_ATTRIBUTED = N_("not attributed")


@dataclass(frozen=True)
class Series:
    """One series of the selection: its key, a label and its observations by period, and
    its data provider when the selection holds several providers' data."""

    key: str
    label: str
    values: dict[str, float | None]
    provider: str = ""
    #: Observation status codes (OBS_STATUS) by period, where reported.
    flags: dict[str, str] = field(default_factory=dict)
    #: The series' (and its groups') attribute values by attribute id: unit, notes, sources.
    notes: dict[str, str] = field(default_factory=dict)
    #: Its reference area code (REF_AREA), '' when the DSD has none.
    area: str = ""
    #: The reference metadata set documenting its area's data: (agency, id, version).
    metadata: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Exploration:
    """What the explorer shows for a selection."""

    key: str
    filters: list[Filter]
    periods: list[str]
    series: list[Series]
    observation_count: int
    truncated: bool
    #: Why nothing is shown: an interface message (msgid, N_), translated by the page.
    message: str = ""
    #: For a selection without data, the names of the filters whose other codes have data.
    open_to: tuple[str, ...] = ()
    #: The data providers of the selection, as (AGENCY:ID, name), when there are several.
    providers: tuple[tuple[str, str], ...] = ()
    #: How many series the selection has in all (the table shows the first MAX_SERIES).
    series_total: int = 0
    #: The order of the series (a key of SORTS).
    sort: str = DEFAULT_SORT
    #: The units (and multipliers) of the shown series, each once.
    units: tuple[Unit, ...] = ()
    #: The observation status codes of the shown figures with their names: the legend.
    flags: tuple[tuple[str, str], ...] = ()
    #: The series attributes reported for the shown series (notes, sources...).
    note_columns: tuple[NoteColumn, ...] = ()
    #: The data set's own attributes, as (name, value).
    dataset_notes: tuple[tuple[str, str], ...] = ()
    #: What the selection is, with its unit: the chart's title.
    title: str = ""

    @property
    def open_to_message(self) -> str:
        """The msgid saying which filters to change (`%(dimensions)s`), '' if none."""
        return OPEN_TO if self.open_to else ""

    @property
    def shown_observations(self) -> int:
        """How many figures the table shows."""
        return sum(1 for s in self.series for v in s.values.values() if v is not None)

    @property
    def chart_series(self) -> int:
        """How many series the chart draws (at most CHART_LINES)."""
        return min(len(self.series), CHART_LINES)

    @property
    def observations_capped(self) -> bool:
        """Whether the selection holds more observations than the explorer counts."""
        return self.observation_count > COUNT_LIMIT


def _no_data(key: str, filters: list[Filter]) -> Exploration:
    """A selection without data: why, and which filters could be changed to find some."""
    open_to = [f.name for f in filters if f.without_data and len(f.options) > len(f.chosen)]
    return Exploration(key, filters, [], [], 0, False, NO_MATCH, open_to=tuple(open_to))


def explore(
    node: Node,
    view: DataflowView,
    key: str,
    time_range: Mapping[str, str] | None = None,
    sort: str = DEFAULT_SORT,
    translate: Callable[[str], str] = str,
) -> Exploration:
    """Filters, periods and series of the selection `key` within `time_range` (`startPeriod`,
    `endPeriod`, `lastNObservations`, checked as a data query checks them), in the order
    `sort` names (SORTS): the first MAX_SERIES series of that order, with their flags, units,
    notes and reference metadata; the words it builds (chart title, providers) go through
    `translate` (the page's gettext)."""
    dimensions = [d.id for d in view.structure.dimensions]
    parts = split_key(key, len(dimensions))
    sort = sort if sort in SORTS else DEFAULT_SORT
    if view.availability is None:
        filters = [
            Filter(d, view.labels.components.get(d, d), [], p)
            for d, p in zip(dimensions, parts, strict=True)
        ]
        return Exploration(key, filters, [], [], 0, False, NO_DATA_YET)
    filters = filters_for(node, view, parts)
    query = parse_data_query_v1(view.flow_ref, key or None, None, {**(time_range or {})})
    try:
        plan = plan_data_query(node, view.artefact, query)
    except NoResults:
        return _no_data(key, filters)
    found = count_rows(node, plan, COUNT_LIMIT + 1)
    if not found:
        return _no_data(key, filters)
    with node.data.reading() as reader:
        providers = reader.providers(plan.dataflow.pk, plan.selection)
    names = provider_names(node) if len(providers) > 1 else {}
    read = _read_series(node, view, plan, parts, providers, names, translate)
    series_total = len(read)  # every series, unless the observations were cut short
    if found > MAX_OBSERVATIONS:
        series_total = count_rows(node, replace(plan, series_only=True), COUNT_LIMIT + 1)
    ordered = sort_series(view, list(read.values()), sort)
    shown = ordered[:MAX_SERIES]
    units = list(dict.fromkeys(u for s in shown if (u := unit_of(s.notes, view.labels))))
    metadata = area_metadata(node, plan.structure, view.artefact.ref, (s.area for s in shown))
    shown = [replace(s, metadata=metadata.get(s.area)) for s in shown]
    dataset_notes = tuple(
        (view.labels.components.get(a, a), value_text(a, v, view.labels))
        for a, v in plan.dataset_attributes.items()
        if v
    )
    return Exploration(
        key,
        filters,
        sorted({period for s in shown for period in s.values}),
        shown,
        min(found, COUNT_LIMIT + 1),
        found > MAX_OBSERVATIONS or len(read) > MAX_SERIES,
        providers=tuple((p, names.get(p, p)) for p in providers) if len(providers) > 1 else (),
        series_total=series_total,
        sort=sort,
        units=tuple(units),
        flags=tuple(flag_legend((f for s in shown for f in s.flags.values()), view.labels)),
        note_columns=tuple(
            note_columns(plan.structure, view.labels, (s.notes for s in shown), len(units) > 1)
        ),
        dataset_notes=dataset_notes,
        title=chart_title(view.name, view.labels, dimensions, parts, units, translate),
    )


def _read_series(
    node: Node,
    view: DataflowView,
    plan: DataPlan,
    parts: Sequence[str],
    providers: Sequence[str],
    names: Mapping[str, str],
    translate: Callable[[str], str] = str,
) -> dict[tuple[str, str], Series]:
    """The series of the plan with their observations, flags and series attributes, reading
    at most MAX_OBSERVATIONS rows (a series per provider when there are several)."""
    dimensions = [d.id for d in view.structure.dimensions]
    columns = plan.columns
    width = len(dimensions)
    time_index = (
        columns.index(plan.structure.time_dimension.id) if plan.structure.time_dimension else None
    )
    measure = plan.structure.measures[0].id if plan.structure.measures else None
    value_index = columns.index(measure) if measure in columns else None
    status = flag_attribute(plan.structure)
    flag_index = columns.index(status) if status in columns else None
    series_attributes = [
        (columns.index(a.id), a.id)
        for a in plan.structure.attributes
        if a.attachment != "observation" and a.id in columns
    ]
    area_index = dimensions.index(REF_AREA) if REF_AREA in dimensions else None
    varying = [i for i, part in enumerate(parts) if "+" in part or not part]
    plans = [("", plan)]
    if len(providers) > 1:  # a series per provider: their figures stand side by side
        plans = [(p, provider_plan(plan, p)) for p in providers]
    series: dict[tuple[str, str], Series] = {}

    def series_of(provider: str, row: tuple) -> Series:
        series_key = ".".join(str(v or "") for v in row[:width])
        found = series.get((provider, series_key))
        if found is None:
            label = _label(view, dimensions, row, varying)
            if provider:
                label = f"{label} ({names.get(provider, provider) or translate(NOT_ATTRIBUTED)})"
            notes = {a: str(row[i]) for i, a in series_attributes if row[i] not in (None, "")}
            area = str(row[area_index] or "") if area_index is not None else ""
            found = Series(series_key, label, {}, provider, {}, notes, area)
            series[(provider, series_key)] = found
        return found

    read = 0
    for provider, own in plans:
        last: tuple = ()
        current: Series | None = None
        for row in iter_rows(node, own):
            read += 1
            if read > MAX_OBSERVATIONS:
                break
            if current is None or row[:width] != last:  # rows come series by series
                last = row[:width]
                current = series_of(provider, row)
            period = str(row[time_index]) if time_index is not None else ""
            value = row[value_index] if value_index is not None else None
            current.values[period] = number_of(value)
            if flag_index is not None and row[flag_index]:
                current.flags[period] = str(row[flag_index])
    return series


def sort_series(view: DataflowView, series: list[Series], sort: str) -> list[Series]:
    """The series in the order asked for (SORTS): the code lists' order by default."""
    if sort == "name":
        return sorted(series, key=lambda s: (s.label.casefold(), s.key, s.provider))
    if sort == "value":
        latest = [(latest_value(s.values), s) for s in series]
        latest.sort(key=lambda pair: -pair[0] if pair[0] is not None else math.inf)
        return [s for _, s in latest]
    dimensions = [d.id for d in view.structure.dimensions]
    order = code_order(dimensions, view.labels)
    return sorted(series, key=lambda s: (list_position(s.key, dimensions, order), s.provider))


def _label(view: DataflowView, dimensions: list[str], row: tuple, varying: list[int]) -> str:
    """The names of the codes that tell this series apart from the others of the selection."""
    shown = varying or list(range(len(dimensions)))
    names = []
    for index in shown:
        code = str(row[index] or "")
        names.append(view.labels.codes.get(dimensions[index], {}).get(code, code))
    return ", ".join(names) if names else view.name


def number_of(value: object) -> float | None:
    """A stored observation value as a finite number, or None (missing, text, NaN, inf)."""
    if value is None or value == "":
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None
