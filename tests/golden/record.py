"""Record the golden answers: `PYTHONPATH=. .venv/bin/python -m tests.golden.record`.

Writes one file per request of `golden_requests.REQUESTS` into `answers/` (and removes
answer files no request names any more), each as `harness.render_answer` writes it. Run it
only on code whose answers are right: the test then holds every later version to them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text

from tests import conftest
from tests.golden.harness import ANSWERS, all_requests, answer_path, fetch, golden_app


def record() -> int:
    ANSWERS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sdmxnode-golden-") as folder:
        app = golden_app(Path(folder))
        try:
            written = set()
            for index, request in all_requests():
                path = answer_path(index, request)
                path.write_bytes(fetch(app, request))
                written.add(path)
                print(path)
        finally:
            app.extensions["sdmxnode"].store.engine.dispose()
            _drop_postgres_schemas()
    for stale in sorted(set(ANSWERS.glob("*.txt")) - written):
        stale.unlink()
        print(f"removed {stale.name}")
    return 0


def _drop_postgres_schemas() -> None:
    """Drop the schema fresh_database made on PostgreSQL (in a pytest session a fixture of
    tests/conftest.py does it). Imports nothing from sdmxnode, so that the record outlives
    moves of its modules."""
    if not conftest.POSTGRES_URL:
        return
    engine = create_engine(conftest.POSTGRES_URL)
    for schema in conftest._created_schemas:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


if __name__ == "__main__":
    sys.exit(record())
