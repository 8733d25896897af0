"""The data as they stood at a past moment (2.x `asOf`), rebuilt from the observation history.

An observation version was current at moment T when the load that wrote it had finished by
T and the load that superseded or deleted it (`observation_history.superseded_by`) had not:
the current observations written by loads finished by T, and the history rows whose load
finished by T while their superseding load did not. Series attributes have no history: the
current ones are given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, union_all

from sdmxnode.storage.data.reads import (
    DataSelection,
    _provider_condition,
    _selected_series,
)
from sdmxnode.storage.tables import loads, observation_history, observations, series


def select_as_of(dataflow_pk: int, selection: DataSelection, as_of: datetime) -> Select:
    """(series key, series attributes, period, value, observation attributes) of every
    observation of the dataflow current at `as_of` (naive UTC) whose series the selection's
    keys match, ordered by series key, then period text. Period ranges and first / last N
    are left to the caller (the history keeps no period bounds)."""
    finished = select(loads.c.pk).where(
        loads.c.dataflow_pk == dataflow_pk,
        loads.c.finished.is_not(None),
        loads.c.finished <= as_of,
    )
    matching = [
        series.c.dataflow_pk == dataflow_pk,
        *_selected_series(selection),
        *_provider_condition(selection),
    ]
    current = (
        select(
            series.c.series_key,
            series.c.attributes.label("series_attributes"),
            observations.c.period,
            observations.c.value,
            observations.c.attributes.label("observation_attributes"),
        )
        .select_from(series.join(observations, observations.c.series_pk == series.c.pk))
        .where(*matching, observations.c.load_pk.in_(finished))
    )
    history = observation_history.c
    past = (
        select(
            series.c.series_key,
            series.c.attributes.label("series_attributes"),
            history.period,
            history.value,
            history.attributes.label("observation_attributes"),
        )
        .select_from(series.join(observation_history, history.series_pk == series.c.pk))
        .where(*matching, history.load_pk.in_(finished), history.superseded_by.not_in(finished))
    )
    both = union_all(current, past).subquery()
    return select(*both.c).order_by(both.c.series_key, both.c.period)
