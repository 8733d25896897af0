"""Reads for the comparability checks: observations ordered so that what is compared is adjacent.

The aggregate check reads one hierarchical dimension at a time, ordered by every other key
dimension, then period, then that dimension: the figures of one group (an aggregate and its
members for one key and period) arrive together. The mirror check orders flows by corridor
(origin, destination), the other dimensions and period, so that a country's report of
immigration and its partner's report of the same emigration are neighbours. The database
does the sorting (on disk when it must); the caller holds one group at a time.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, case, distinct, exists, func, or_, select

from sdmxnode.storage.data.reads import DataSelection, _key_condition, _period_condition
from sdmxnode.storage.tables import observations, series


def select_hierarchy_groups(
    dataflow_pk: int,
    selection: DataSelection,
    *,
    width: int,
    position: int,
    codes: frozenset[str] | None = None,
) -> Select:
    """(d0..d<width-1>, series attributes, period, value) of the observations whose value of
    dimension `position` is in `codes` (any when None), grouped for the aggregate check."""
    keys = [series.c[f"d{i}"] for i in range(width)]
    conditions: list[ColumnElement[bool]] = [
        series.c.dataflow_pk == dataflow_pk,
        _key_condition(selection.keys),
        *_period_condition(selection),
    ]
    if codes is not None:
        conditions.append(keys[position].in_(sorted(codes)))
    others = [column for i, column in enumerate(keys) if i != position]
    return (
        select(
            *keys,
            series.c.attributes.label("series_attributes"),
            observations.c.period,
            observations.c.value,
        )
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(*conditions)
        .order_by(*others, observations.c.period_start, observations.c.period, keys[position])
    )


def select_corridors(
    dataflow_pk: int,
    selection: DataSelection,
    *,
    width: int,
    reporter: int,
    direction: int,
    partner: int,
    inflow: str,
    outflow: str,
    country: str | None = None,
) -> Select:
    """(origin, destination, d0..d<width-1>, series attributes, period, value, provider) of
    the inflows and outflows of a bilateral flow dataflow, ordered by corridor, other
    dimensions, period, direction (outflow first) and data provider. An inflow's origin is
    its partner (country of previous residence), an outflow's destination its partner
    (country of next residence).
    `country` keeps the flows that it reports or is the partner of."""
    keys = [series.c[f"d{i}"] for i in range(width)]
    is_inflow = keys[direction] == inflow
    origin = case((is_inflow, keys[partner]), else_=keys[reporter]).label("origin")
    destination = case((is_inflow, keys[reporter]), else_=keys[partner]).label("destination")
    conditions: list[ColumnElement[bool]] = [
        series.c.dataflow_pk == dataflow_pk,
        _key_condition(selection.keys),
        *_period_condition(selection),
        keys[direction].in_([inflow, outflow]),
    ]
    if country is not None:
        conditions.append(or_(keys[reporter] == country, keys[partner] == country))
    others = [c for i, c in enumerate(keys) if i not in (reporter, direction, partner)]
    return (
        select(
            origin,
            destination,
            *keys,
            series.c.attributes.label("series_attributes"),
            observations.c.period,
            observations.c.value,
            series.c.provider,
        )
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(and_(*conditions))
        .order_by(
            origin,
            destination,
            *others,
            observations.c.period_start,
            observations.c.period,
            keys[direction].desc() if outflow > inflow else keys[direction],
            series.c.provider,
        )
    )


def select_shared_figures(dataflow_pk: int) -> Select:
    """(series key, period, provider, value) of the observations of a dataflow whose series
    key and period another data provider also reports, ordered by key, period and provider:
    the figures of one key and period arrive together."""
    other = series.alias("other_series")
    other_observation = observations.alias("other_observations")
    reported_elsewhere = exists(
        select(other_observation.c.series_pk)
        .select_from(other.join(other_observation, other_observation.c.series_pk == other.c.pk))
        .where(
            other.c.dataflow_pk == dataflow_pk,
            other.c.series_key == series.c.series_key,
            other.c.provider != series.c.provider,
            other_observation.c.period == observations.c.period,
        )
    )
    # The keys of several providers first (one grouping of the dataflow's series): the
    # EXISTS then runs for their observations only, not once per observation of the
    # dataflow, which made a large single-provider dataflow take minutes.
    shared_keys = (
        select(series.c.series_key)
        .where(series.c.dataflow_pk == dataflow_pk)
        .group_by(series.c.series_key)
        .having(func.count(distinct(series.c.provider)) > 1)
    )
    return (
        select(series.c.series_key, observations.c.period, series.c.provider, observations.c.value)
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(
            series.c.dataflow_pk == dataflow_pk,
            series.c.series_key.in_(shared_keys),
            reported_elsewhere,
        )
        .order_by(
            series.c.series_key,
            observations.c.period_start,
            observations.c.period,
            series.c.provider,
        )
    )
