"""A load killed mid-way (SIGKILL of its process group) leaves the store as it was.

The store holds the demo data (`sdmxnode init`); `sdmxnode load BIGFILE` (new periods for
the demo series: the merge path, which also writes history) runs with its standard error on
a pseudo-terminal, so that the CLI draws its progress bar (observations written so far);
once a first part of the observations is written, and well before the end, the whole
process group (the loading process and, for files of 8 MiB or more, its reading child) gets
SIGKILL. The messages are padded with an XML comment to reach the sizes that matter (5 MB
for the progress bar, 8 MiB for the pipeline) with few observations, so that the test stays
short on PostgreSQL.
The store is then opened again: its content must be exactly what it was, and a following
`sdmxnode load` (a new process) must succeed. Runs on PostgreSQL with
SDMXNODE_TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from sdmxnode.services.data.pipeline import PIPELINE_MIN_BYTES
from tests.live.generated_data import demo_series_tags, write_message
from tests.live.store_dump import dump_store

pytestmark = [pytest.mark.live, pytest.mark.postgres]

_PROGRESS = re.compile(rb"observations\s+\[[#-]*\]\s+(\d+)")
#: Years before the demo data's 1990..2019, so that every generated observation is new.
_FIRST_YEAR = 1600


def _cli(database_url: str, *arguments: str, **options) -> subprocess.CompletedProcess:
    env = dict(os.environ, SDMXNODE_DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "sdmxnode.cli", *arguments],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
        **options,
    )


def _kill_mid_way(database_url: str, message: Path, log: Path) -> int:
    """Run `sdmxnode load message`, SIGKILL its process group once it reports observations
    written; how many it had written then."""
    master, slave = os.openpty()
    env = dict(os.environ, SDMXNODE_DATABASE_URL=database_url)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sdmxnode.cli", "load", str(message)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=slave,
            start_new_session=True,  # its own process group: the reading child dies with it
        )
    os.close(slave)
    seen = b""
    written = 0
    try:
        deadline = time.monotonic() + 120
        while written == 0:
            assert time.monotonic() < deadline, seen[-2000:]
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen = (seen + os.read(master, 65536))[-20000:]
                except OSError:  # the terminal closed: the process has ended
                    break
                found = _PROGRESS.findall(seen)
                written = int(found[-1]) if found else 0
            if process.poll() is not None:
                break
        assert process.poll() is None, f"the load ended before it could be killed: {seen[-2000:]!r}"
        os.killpg(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        os.close(master)
    return written


@pytest.mark.parametrize(
    ("size", "pipeline"),
    [(5_500_000, False), (PIPELINE_MIN_BYTES + 500_000, True)],
    ids=["in-process", "forked-pipeline"],
)
def test_killed_load_leaves_store_as_before(
    database_url: str, tmp_path: Path, size: int, pipeline: bool
) -> None:
    initialised = _cli(database_url, "init")
    assert initialised.returncode == 0, initialised.stderr.decode()
    before = dump_store(database_url)
    assert before.observations == 5538 and before.loads >= 1  # the demo data

    message = tmp_path / "big.xml"
    tags = demo_series_tags()
    periods = range(_FIRST_YEAR, _FIRST_YEAR + 40)  # 31,920 observations
    observations = write_message(message, tags, periods, padding=size - 2_000_000)
    written_size = message.stat().st_size
    assert (written_size >= PIPELINE_MIN_BYTES) is pipeline, written_size
    assert written_size >= 5_000_000  # the CLI draws its progress bar from 5 MB on

    written = _kill_mid_way(database_url, message, tmp_path / "load.log")
    assert 0 < written < observations

    after = dump_store(database_url)  # a new connection: recovery happens here
    assert after == before

    follow = tmp_path / "follow.xml"
    added = write_message(follow, tags[:10], range(1500, 1505))
    loaded = _cli(database_url, "load", str(follow))
    assert loaded.returncode == 0, loaded.stderr.decode()
    final = dump_store(database_url)
    assert final.observations == before.observations + added
    assert final.loads == before.loads + 1

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = Path(url.database or "")
        assert not Path(f"{database}-journal").exists()
        with sqlite3.connect(database) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
