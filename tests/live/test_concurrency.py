"""Several writers and readers at once: no errors, nothing lost, no half load ever visible.

Writers load into the same and different dataflows of the migration structures
(IMDX:DF_MIG_STOCK_IMS, which holds the demo data, and IMDX:DF_MIG_STOCK_NAT, of the same
DSD), some as separate processes (`sdmxnode load` of generated messages), the others over
HTTP (`POST /rest/data/{flowRef}` with a provider token) to the live node. Readers are HTTP
clients in threads against that node. Each load adds a known block: SERIES_PER_LOAD series
that no other load touches, each with every period of PERIODS, and observation values that
encode the load's number. A reader groups what it sees by load and checks that each load is
either absent or whole (all its series, each with all its periods), and that a load once
seen stays visible. Runs on PostgreSQL with SDMXNODE_TEST_DATABASE_URL.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue

import pytest

from tests.live.generated_data import DEMO_FLOW, demo_series_tags, write_message
from tests.live.store_dump import dump_store

pytestmark = [pytest.mark.live, pytest.mark.postgres]

FLOWS = (DEMO_FLOW, ("IMDX", "DF_MIG_STOCK_NAT", "1.0.0"))
LOADS_PER_FLOW = 3
SERIES_PER_LOAD = 30
PERIODS = range(1700, 1712)  # before the demo data's periods: only generated ones match
WRITERS = 3
READERS = 2
#: Readers pause between rounds: on two cores, readers that never pause starve the writers.
READER_PAUSE_SECONDS = 0.2
#: Observation values are load number * VALUE_STEP + series index * 1000 + period index.
VALUE_STEP = 1_000_000


@dataclass(frozen=True)
class Load:
    number: int
    flow: tuple[str, str, str]
    message: Path
    observations: int


@dataclass(frozen=True)
class WriteOutcome:
    ok: bool
    detail: str = ""


#: A writer stores one load's message; it must not raise (report failures in the outcome).
Writer = Callable[[Load], WriteOutcome]


def cli_writer(database_url: str) -> Writer:
    """A writer that runs `sdmxnode load` in a process of its own."""
    env = dict(os.environ, SDMXNODE_DATABASE_URL=database_url)

    def write(load: Load) -> WriteOutcome:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "sdmxnode.cli",
                "--log-level",
                "warning",
                "load",
                str(load.message),
            ],  # fmt: skip
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        return WriteOutcome(result.returncode == 0, result.stderr.decode()[-3000:])

    return write


def http_writer(base_url: str, token: str) -> Writer:
    """A writer that POSTs the message to the live node's 1.5 data URL of its dataflow."""

    def write(load: Load) -> WriteOutcome:
        request = urllib.request.Request(
            f"{base_url}/rest/data/{','.join(load.flow)}",
            data=load.message.read_bytes(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return WriteOutcome(response.status in (200, 201), response.read()[-3000:].decode())
        except (urllib.error.URLError, OSError) as exc:
            detail = exc.read().decode()[-3000:] if isinstance(exc, urllib.error.HTTPError) else ""
            return WriteOutcome(False, f"{exc}: {detail}")

    return write


def plan_loads(folder: Path) -> list[Load]:
    """The generated messages: per dataflow, disjoint slices of the demo series keys."""
    tags = demo_series_tags()
    assert len(tags) >= LOADS_PER_FLOW * SERIES_PER_LOAD
    loads = []
    for flow in FLOWS:
        for slot in range(LOADS_PER_FLOW):
            number = len(loads) + 1
            path = folder / f"load-{number}.xml"
            chosen = tags[slot * SERIES_PER_LOAD : (slot + 1) * SERIES_PER_LOAD]
            count = write_message(
                path, chosen, PERIODS, dataflow=flow, value_base=number * VALUE_STEP
            )
            loads.append(Load(number, flow, path, count))
    return loads


@dataclass
class ReaderLog:
    """What the readers saw: loads seen whole per dataflow, queries made, problems."""

    queries: int = 0
    problems: list[str] = field(default_factory=list)
    seen: dict[tuple[str, str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    lock: threading.Lock = field(default_factory=threading.Lock)


def read_loads(base_url: str, flow: tuple[str, str, str]) -> tuple[dict[int, set[int]], list[str]]:
    """The loads visible in `flow`: load number -> how many periods each of its series has
    (one set entry per distinct count), and problems (partial loads, HTTP errors)."""
    url = (
        f"{base_url}/rest/data/{','.join(flow)}/all"
        f"?startPeriod={PERIODS[0]}&endPeriod={PERIODS[-1]}"
    )
    request = urllib.request.Request(url, headers={"Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:  # no data yet matching the query
            return {}, []
        return {}, [f"{flow[1]}: HTTP {exc.code}: {exc.read()[:500]!r}"]
    periods_of: dict[tuple[int, str], set[str]] = defaultdict(set)
    problems = []
    for row in csv.DictReader(io.StringIO(body)):
        value = int(float(row["OBS_VALUE"]))
        load, rest = divmod(value, VALUE_STEP)
        key = ".".join(row[d] for d in ("REF_AREA", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE"))
        periods_of[(load, key)].add(row["TIME_PERIOD"])
        if str(PERIODS[rest % 1000]) != row["TIME_PERIOD"]:
            problems.append(f"{flow[1]}: load {load} series {key}: value {value} misplaced")
    series_of: dict[int, list[int]] = defaultdict(list)
    for (load, _key), periods in periods_of.items():
        series_of[load].append(len(periods))
    visible = {}
    for load, counts in series_of.items():
        if len(counts) != SERIES_PER_LOAD or set(counts) != {len(PERIODS)}:
            problems.append(
                f"{flow[1]}: load {load} seen partly: {len(counts)} series, period counts"
                f" {sorted(set(counts))}"
            )
        visible[load] = set(counts)
    return visible, problems


def _reader(base_url: str, log: ReaderLog, stop: threading.Event) -> None:
    last_seen: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    while not stop.is_set():
        stop.wait(READER_PAUSE_SECONDS)
        for flow in FLOWS:
            try:
                visible, problems = read_loads(base_url, flow)
            except (OSError, ValueError, KeyError) as exc:
                visible, problems = {}, [f"{flow[1]}: {type(exc).__name__}: {exc}"]
            lost = last_seen[flow] - set(visible)
            if lost:
                problems.append(f"{flow[1]}: loads {sorted(lost)} seen before, gone now")
            last_seen[flow] |= set(visible)
            with log.lock:
                log.queries += 1
                log.problems.extend(problems)
                log.seen[flow] |= set(visible)


def _writer_loop(write: Writer, queue: Queue[Load], outcomes: dict[int, WriteOutcome]) -> None:
    while True:
        try:
            load = queue.get_nowait()
        except Empty:
            return
        outcomes[load.number] = write(load)


def test_writers_and_readers_at_once(live_node_with, database_url: str, tmp_path: Path) -> None:
    loads = plan_loads(tmp_path)
    node = live_node_with()  # the project's structures and the demo data
    before = dump_store(database_url)
    from sdmxnode.config import load_settings
    from sdmxnode.services.access import create_token
    from sdmxnode.services.node import Node

    settings = load_settings({"DATABASE_URL": database_url})
    token_node = Node.from_settings(settings)
    token = create_token(token_node, role="provider", agencies=["IMDX"])
    token_node.store.engine.dispose()
    kinds = [cli_writer(database_url), http_writer(node.url, token)]

    queue: Queue[Load] = Queue()
    # Interleave the dataflows, so that concurrent writers hit the same and different ones.
    for index in range(LOADS_PER_FLOW):
        for offset in range(len(FLOWS)):
            queue.put(loads[offset * LOADS_PER_FLOW + index])
    outcomes: dict[int, WriteOutcome] = {}
    log = ReaderLog()
    stop = threading.Event()
    readers = [
        threading.Thread(target=_reader, args=(node.url, log, stop), daemon=True)
        for _ in range(READERS)
    ]
    writers = [
        threading.Thread(
            target=_writer_loop, args=(kinds[index % len(kinds)], queue, outcomes), daemon=True
        )
        for index in range(WRITERS)
    ]
    for thread in readers + writers:
        thread.start()
    deadline = time.monotonic() + 300  # a bound against a hang, not a timing assertion
    for thread in writers:
        thread.join(timeout=max(1.0, deadline - time.monotonic()))
    stop.set()
    for thread in readers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in writers + readers)

    failed = {n: o.detail for n, o in outcomes.items() if not o.ok}
    assert not failed, failed
    assert sorted(outcomes) == [load.number for load in loads]
    assert not log.problems, log.problems[:10]
    assert log.queries >= 2 * READERS

    for flow in FLOWS:  # at the end every load is visible, whole
        visible, problems = read_loads(node.url, flow)
        assert not problems, problems
        assert sorted(visible) == [load.number for load in loads if load.flow == flow]

    after = dump_store(database_url)
    assert after.observations == before.observations + sum(load.observations for load in loads)
    assert after.loads == before.loads + len(loads)
    assert {entry.client.startswith("cli:") for entry in _audit(database_url)} == {True, False}


def _audit(database_url: str) -> list:
    from sdmxnode.config import load_settings
    from sdmxnode.services.node import Node

    node = Node.from_settings(load_settings({"DATABASE_URL": database_url}))
    try:
        return [e for e in node.access.list_audit(limit=1000) if e.action.startswith("data.")]
    finally:
        node.store.engine.dispose()
