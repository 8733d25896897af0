"""Contention: a long load runs while small writers of another dataflow come and go.

On SQLite the long load holds the one write lock; on PostgreSQL writers of different
dataflows do not wait for each other (no 503 there).

Each small writer gets 2xx, or 503 with Retry-After and an SDMX error saying the store is
busy once SDMXNODE_WRITE_WAIT has passed, without waiting for the long load; never a 500.
Every attempt is in the audit log (entries the busy database refused wait in the spool and
are written afterwards); a refused writer left nothing in the store.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, fresh_database
from tests.live.conftest import start_node
from tests.live.generated_data import demo_series_tags, write_message

pytestmark = [pytest.mark.live]

WRITE_WAIT = 0.5
SMALL_WRITERS = 4
REFUSAL_SLACK = 0.5  # how late after the long load a refusal may come in the race
LONG_PERIODS = range(1500, 1800)  # 798 series x 300 periods: a load of several seconds
NAT = ("IMDX", "DF_MIG_STOCK_NAT", "1.0.0")


def _post(url: str, body: bytes, token: str) -> tuple[int, dict[str, str], str, float]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        answer = exc.code, dict(exc.headers), exc.read().decode()
    return (*answer, time.monotonic())


def _load_in_flight(node, database: Path) -> bool:  # type: ignore[no-untyped-def]
    """Whether another connection is writing: the SQLite write lock is held, or (PostgreSQL)
    another backend holds a write lock on the observations table."""
    if not POSTGRES_URL:
        return _write_lock_held(database)
    from sqlalchemy import text

    query = text(
        "SELECT count(*) FROM pg_locks WHERE relation = 'observations'::regclass "
        "AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()"
    )
    with node.store.engine.connect() as conn:
        return bool(conn.execute(query).scalar_one())


def _write_lock_held(database: Path) -> bool:
    """Whether another connection holds the SQLite write lock (tried without waiting)."""
    conn = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return False


def test_small_writers_get_2xx_or_503_while_a_long_load_runs(tmp_path: Path) -> None:
    from sdmxnode.config import load_settings
    from sdmxnode.refs import ArtefactRef
    from sdmxnode.services.access import create_token, flush_audit_spool
    from sdmxnode.services.node import Node

    database_url = fresh_database(tmp_path)
    database = tmp_path / "node.db"
    # Upload slots for all five writers: the store, not the slots, is what is contended here.
    env = {
        "SDMXNODE_WRITE_WAIT": str(WRITE_WAIT),
        "SDMXNODE_MAX_UPLOADS": "8",
        "SDMXNODE_THREADS": "12",
    }
    generator = start_node(database_url, None, tmp_path / "node.log", env)
    live = next(generator)
    try:
        node = Node.from_settings(load_settings({"DATABASE_URL": database_url}))
        token = create_token(node, role="admin", label="contention")
        tags = demo_series_tags()
        long_message = tmp_path / "long.xml"
        long_count = write_message(long_message, tags, LONG_PERIODS)
        small = []
        for index in range(SMALL_WRITERS):
            path = tmp_path / f"small-{index}.xml"
            write_message(path, tags[index * 5 : index * 5 + 5], range(1990, 1995), dataflow=NAT)
            small.append(path.read_bytes())

        results: dict[str, tuple[int, dict[str, str], str, float]] = {}
        long_thread = threading.Thread(
            target=lambda: results.__setitem__(
                "long",
                _post(
                    f"{live.url}/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0",
                    long_message.read_bytes(),
                    token,
                ),
            )
        )
        long_thread.start()
        deadline = time.monotonic() + 120  # a bound against a hang, not a timing assertion
        seen = 0  # the load, not a short write (a token's last use), holds the lock: 3 polls
        while seen < 3:
            assert long_thread.is_alive() and time.monotonic() < deadline, results.get("long")
            seen = seen + 1 if _load_in_flight(node, database) else 0
            time.sleep(0.1)
        writers = [
            threading.Thread(
                target=lambda i=i: results.__setitem__(
                    f"small-{i}", _post(f"{live.url}/rest/data/{','.join(NAT)}", small[i], token)
                )
            )
            for i in range(SMALL_WRITERS)
        ]
        for thread in writers:
            thread.start()
        for thread in [*writers, long_thread]:
            thread.join(timeout=300)

        long_status, _, long_text, long_done = results["long"]
        assert long_status in (200, 201), long_text[:500]
        busy = 0
        for index in range(SMALL_WRITERS):
            status, headers, text, done = results[f"small-{index}"]
            assert status in (200, 201, 503), (index, status, text[:500])
            if status == 503:
                busy += 1
                assert int(headers["Retry-After"]) > 0
                assert "busy" in text and "nothing was written" in text, text[:500]
                # Refused before the load ended, or as it ended: its last lock wait can run
                # out just as the load commits (SQLite's busy handler polls), which is not
                # waiting the load out. A writer that waited it out would have written.
                late = done - long_done
                assert late < REFUSAL_SLACK, (
                    f"a refused writer was answered {late:.2f} s after the long load"
                )
        if POSTGRES_URL:
            assert busy == 0  # row locks: another dataflow's writers never wait for it
        else:
            assert busy >= 1  # SQLite's one write lock was held by the long load
        retried = [
            _post(f"{live.url}/rest/data/{','.join(NAT)}", small[i], token)[0]
            for i in range(SMALL_WRITERS)
            if results[f"small-{i}"][0] == 503
        ]
        assert all(status in (200, 201) for status in retried), retried

        flush_audit_spool(node)  # what the busy database could not take, written now
        attempts = [e for e in node.access.list_audit(limit=100) if e.action == "data.post"]
        answered = [results[name][0] for name in results] + retried
        assert sorted(e.status for e in attempts) == sorted(answered), attempts
        demo = node.store.find_artefact(
            ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
        )
        nat = node.store.find_artefact(ArtefactRef("Dataflow", *NAT))
        assert demo is not None and nat is not None
        assert node.data.count_observations(nat.pk) == SMALL_WRITERS * 5 * 5
        assert node.data.count_observations(demo.pk) >= long_count
        node.store.engine.dispose()
    finally:
        generator.close()
