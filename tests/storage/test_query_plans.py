"""The one-series data query is answered through indexes (issue 19: checked with EXPLAIN).

The series are found by the index on (dataflow, dimension value) and their observations by
the observations' primary key (series, period), on SQLite and on PostgreSQL. PostgreSQL's
planner may prefer a sequential scan of tables as small as a test's; with sequential scans
discouraged (`enable_seqscan = off`) it still reads a table whole when no index applies,
so the plan names the index the query can use, or the missing one.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from sdmxnode.rest.data import parse_data_query_v1
from sdmxnode.services.data.queries import find_query_dataflow, plan_data_query
from sdmxnode.storage.data.reads import select_observations

ONE_SERIES = "A.KEN.STOCK.FB._T._T._T._T"


def explain(app: Flask, key: str) -> str:
    node = app.extensions["sdmxnode"]
    query = parse_data_query_v1("IMDX,DF_MIG_STOCK_IMS,1.0.0", key, None, {})
    plan = plan_data_query(node, find_query_dataflow(node, query), query)
    engine = node.store.engine
    statement = select_observations(plan.dataflow.pk, plan.selection)
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


def _series_by_dimension(app: Flask, plan: str) -> bool:
    """Whether the series are looked up by a dimension value through its index."""
    if _is_postgresql(app):
        return any(
            "Index Cond" in line and ("d0" in line or "d1" in line) for line in plan.splitlines()
        )
    return any(
        line.startswith("SEARCH series USING INDEX ix_series_d") and "AND d" in line
        for line in plan.splitlines()
    )


def test_the_one_series_query_uses_the_indexes(migration_app: Flask) -> None:
    plan = explain(migration_app, ONE_SERIES)
    assert _series_by_dimension(migration_app, plan), plan
    if _is_postgresql(migration_app):
        assert "Seq Scan" not in plan, plan
        assert "observations_pkey" in plan, plan
    else:
        assert "SCAN series" not in plan and "SCAN observations" not in plan, plan
        assert "SEARCH observations USING PRIMARY KEY (series_pk=?)" in plan, plan


def test_a_query_no_index_serves_shows_in_the_plan(migration_app: Flask) -> None:
    """The check can fail: a key wildcarding both indexed dimensions finds the series of
    the dataflow by their dataflow alone, never by a dimension value."""
    plan = explain(migration_app, "..STOCK.FB._T._T._T._T")
    assert not _series_by_dimension(migration_app, plan), plan
