"""Data queries are answered through indexes (issues 19 and 23: checked with EXPLAIN).

The series are found by an index on (dataflow, dimension value) or (dataflow, series key),
the most selective one the query can use (from the statistics a large load refreshes), and
their observations by the observations' primary key (series, period), on SQLite and on
PostgreSQL. PostgreSQL's
planner may prefer a sequential scan of tables as small as a test's; with sequential scans
discouraged (`enable_seqscan = off`) it still reads a table whole when no index applies,
so the plan names the index the query can use, or the missing one.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import text

from sdmxnode.rest.data import parse_data_query_v1
from sdmxnode.services.data.queries import find_query_dataflow, plan_data_query
from sdmxnode.storage.data.reads import select_observations

ONE_SERIES = "A.KEN.STOCK.FB._T._T._T._T"


def explain(
    app: Flask, key: str, flow: str = "IMDX,DF_MIG_STOCK_IMS,1.0.0", *, series_first: bool = False
) -> str:
    node = app.extensions["sdmxnode"]
    query = parse_data_query_v1(flow, key, None, {})
    plan = plan_data_query(node, find_query_dataflow(node, query), query)
    engine = node.store.engine
    statement = select_observations(plan.dataflow.pk, plan.selection, series_first=series_first)
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE series, observations"))  # the test schema's own
            conn.execute(text("SET enable_seqscan = off"))
            rows = conn.execute(text(f"EXPLAIN {sql}")).scalars().all()
        else:
            rows = [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    return "\n".join(rows)


def _is_postgresql(app: Flask) -> bool:
    return app.extensions["sdmxnode"].store.engine.dialect.name == "postgresql"


def series_by_index(app: Flask, plan: str) -> bool:
    """Whether the series are looked up by a dimension value or their key through an index."""
    if _is_postgresql(app):  # as "Index Cond: ((dataflow_pk = 7) AND ((d3)::text = 'KEN'::text))"
        return any(
            "Index Cond" in line
            and re.search(r"\b(d\d+|series_key)\)?(::\w+)? = ", line) is not None
            for line in plan.splitlines()
        )
    return any(
        line.startswith("SEARCH series USING INDEX ix_series_")
        and re.search(r"AND (d\d+|series_key)=", line) is not None
        for line in plan.splitlines()
    )


def test_the_one_series_query_uses_the_indexes(migration_app: Flask) -> None:
    plan = explain(migration_app, ONE_SERIES)
    assert series_by_index(migration_app, plan), plan
    if _is_postgresql(migration_app):
        assert "Seq Scan" not in plan, plan
        assert "observations_pkey" in plan, plan
    else:
        assert "SCAN series" not in plan and "SCAN observations" not in plan, plan
        assert "SEARCH observations USING PRIMARY KEY (series_pk=?)" in plan, plan


def test_a_query_no_index_serves_shows_in_the_plan(migration_app: Flask) -> None:
    """The check can fail: a key wildcarding every dimension finds the series of the
    dataflow by their dataflow alone, never by a dimension value."""
    plan = explain(migration_app, ".......")
    assert not series_by_index(migration_app, plan), plan
