"""The planner's statistics of the data tables, refreshed after a load that grew them much.

A data query fixes some key positions; which of the series indexes (one per position,
`storage.tables`) narrows it most depends on the data: FREQ or UNIT_MEASURE fix one value
for every series, a country of birth one in two hundred. Without statistics SQLite guesses
and may walk every series of the dataflow (18 ms for 31,000 series, where the right index
takes 2 ms); PostgreSQL's autovacuum analyses a table some time after it changed. So a load
that adds many series to a dataflow analyses the table itself, once committed: a full
`ANALYZE series` reads every series (about 90 ms for 62,000 on SQLite; PostgreSQL samples).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from sdmxnode.storage.writing import writing

log = logging.getLogger(__name__)

#: New series a load must add (and a quarter of what the dataflow held) for the refresh.
MIN_NEW_SERIES = 1000
#: PostgreSQL: the statistics targets of the refresh's ANALYZE (300 rows sampled per unit;
#: the server's default is 100). Series: the most common values and histogram of each key
#: position, which pick the index of a query's most selective position. Observations:
#: their number (their rows per series are pinned, `_pin_series_per_observation`).
SERIES_STATISTICS_TARGET = 30
OBSERVATIONS_STATISTICS_TARGET = 10
#: PostgreSQL: how far (a factor) the series per observation may drift from the pinned
#: number before it is pinned again (`_pin_series_per_observation`).
PIN_DRIFT = 1.25


def worth_refreshing(held: int, added: int) -> bool:
    """Whether a load that added `added` series to a dataflow holding `held` changes the
    series table enough for its statistics to be refreshed."""
    return added >= MIN_NEW_SERIES and added * 4 >= held


def refresh_series_statistics(engine: Engine) -> bool:
    """Analyse the series table (and, on PostgreSQL, observations); whether it was done
    (a failure, such as the write lock held past the write wait, is logged and leaves the
    old statistics: it never undoes or fails the load that asked for it)."""
    # PostgreSQL joins observations by its own estimate of their number: one taken before
    # the load (11,000 where 434,000 stood) made it read the whole table for one origin's
    # series (80 ms). It samples; SQLite reads every row it analyses, and reaches
    # observations by their primary key alone: series is enough.
    try:
        postgresql = engine.dialect.name == "postgresql"
        with writing(engine) as conn:
            if postgresql:
                # A sample of 9,000 series, not the default's 30,000: 36 ms after a load of
                # 50,000 series, where the default took 110 to 310 ms of the load's end (the
                # sample's size is what it costs, whatever the columns). The queries of one
                # series, one area and the bilateral views picked the same indexes at 10, 30
                # and 100; at 100 one sample picked a worse one (SEX over COUNTRY_BIRTH).
                conn.exec_driver_sql(
                    f"SET LOCAL default_statistics_target = {SERIES_STATISTICS_TARGET}"
                )
            conn.exec_driver_sql("ANALYZE series")
            if postgresql:
                # What plans need of observations is their number, which a sample of 3,000
                # rows gives: the default 30,000 took 0.09 of the 0.19 s the refresh took
                # after a 1,000,000-observation load (20 ms now). Their rows per series no
                # sample gives: they are pinned from the two tables' counts, and analysed
                # again to take a new pin. Autovacuum analyses them with the server's
                # default once a tenth of them changed, and keeps the pin.
                conn.exec_driver_sql(
                    f"SET LOCAL default_statistics_target = {OBSERVATIONS_STATISTICS_TARGET}"
                )
                conn.exec_driver_sql("ANALYZE observations")
                if _pin_series_per_observation(conn):
                    conn.exec_driver_sql("ANALYZE observations")
    except SQLAlchemyError as exc:
        log.warning("the series statistics were not refreshed: %s", exc)
        return False
    return True


def _pin_series_per_observation(conn: Connection) -> bool:
    """PostgreSQL: pin the planner's number of distinct series among the observations
    (`n_distinct` of `observations.series_pk`, as a fraction of their rows) to the series
    analysed over the observations counted, when none is pinned or it drifted past
    PIN_DRIFT; whether it was (then observations must be analysed again to take it).

    A sample cannot count them: a series' observations sit together in the table, and
    3,000 sampled rows made 11,096 series of 333,334 (10,000,000 observations), so 901
    observations a series where there are 30. The planner then priced walking the series in
    key order with each one's observations (an Incremental Sort, 6.1 s) above a hash join
    and a sort of the whole flow on disk (15.8 s), and the full flow streamed at 1.47x the
    time per observation of a 1,000,000-observation store. Both counts come from the
    ANALYZEs just run (`pg_class.reltuples`)."""
    row = conn.exec_driver_sql(
        "SELECT s.reltuples, o.reltuples, a.attoptions FROM pg_class s, pg_class o, "
        "pg_attribute a WHERE s.oid = 'series'::regclass AND o.oid = 'observations'::regclass "
        "AND a.attrelid = o.oid AND a.attname = 'series_pk'"
    ).one()
    series_count, observation_count, options = row
    if series_count <= 0 or observation_count <= 0:
        return False
    fraction = min(1.0, float(series_count) / float(observation_count))
    pinned = _pinned_fraction(options)
    if pinned is not None and 1 / PIN_DRIFT <= fraction / pinned <= PIN_DRIFT:
        return False
    conn.exec_driver_sql(
        f"ALTER TABLE observations ALTER COLUMN series_pk SET (n_distinct = {-fraction:.6g})"
    )
    return True


def _pinned_fraction(options: list[str] | None) -> float | None:
    """The fraction a column's options pin as its `n_distinct` (negative there), if any."""
    for option in options or ():
        name, _, value = option.partition("=")
        if name == "n_distinct" and float(value) < 0:
            return -float(value)
    return None
