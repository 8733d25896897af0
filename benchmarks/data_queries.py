"""Benchmark of the node's data queries over HTTP against pysdmx, pandas and dsss.

Run by hand from the project root: `python benchmarks/data_queries.py` (see
benchmarks/README.md, "Data queries"). Everything runs in a temporary folder and only
talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice, product
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dsss_reference import DsssUnavailable, run_dsss  # noqa: E402

log = logging.getLogger("benchmarks.data_queries")

FLOW = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
FLOW_PATH = "/rest/data/" + ",".join(FLOW)
YEARS = tuple(str(year) for year in range(1990, 2020))  # 30 observations per series
DIMENSIONS = (
    "FREQ",
    "REF_AREA",
    "MEASURE",
    "COUNTRY_BIRTH",
    "CITIZENSHIP",
    "SEX",
    "AGE",
    "EDUCATION_LEV",
)
SERIES_ATTRIBUTES = {
    "UNIT_MEASURE": "PS",
    "UNIT_MULT": "0",
    "REF_PERIOD_DETAIL": "MID_YEAR",
    "SOURCE_TYPE": "MODEL",
    "REVISION": "IMS2019",
    "DATA_TYPE_IMS": "B",
}
CSV_10 = "application/vnd.sdmx.data+csv;version=1.0.0"
CSV_20 = "application/vnd.sdmx.data+csv;version=2.0.0"
SS_21 = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
GENERIC_21 = "application/vnd.sdmx.genericdata+xml;version=2.1"
PARQUET = "application/vnd.apache.parquet"
REPEATS = 3
REQUEST_TIMEOUT = 600.0  # seconds, per request
START_TIMEOUT = 120.0  # seconds for a server to answer /health
CHUNK = 1 << 20


@dataclass(frozen=True)
class Store:
    """One store holding `observations` observations of the benchmark dataflow: a SQLite
    file at `path`, or the (empty) PostgreSQL database `database` names."""

    name: str
    observations: int
    path: Path
    database: str | None = None

    @property
    def url(self) -> str:
        return self.database or f"sqlite:///{self.path}"


@dataclass(frozen=True)
class Figure:
    label: str
    seconds: float
    size: int
    observations: int

    def row(self) -> str:
        rate = self.observations / self.seconds if self.seconds else 0.0
        return (
            f"{self.label:<58} {self.seconds:9.3f} s {self.size / 1e6:9.1f} MB "
            f"{rate / 1e3:9.0f} k obs/s"
        )


# --- data ----------------------------------------------------------------------------------


def series_keys(codes: dict[str, Sequence[str]], count: int) -> list[tuple[str, ...]]:
    """`count` distinct series keys of DF_MIG_STOCK_IMS (its constraint: A, _T, _T)."""
    combos = product(codes["COUNTRY_BIRTH"], ("_T", "F", "M"), codes["AGE"], codes["REF_AREA"])
    return [
        ("A", area, "STOCK", birth, "_T", sex, age, "_T")
        for birth, sex, age, area in islice(combos, count)
    ]


def observation_values(observations: int, seed: int = 7) -> list[list[str]]:
    """Per series, one value per year (deterministic); the last series may be shorter."""
    rng = random.Random(seed)
    values = [str(rng.randrange(1, 10**8)) for _ in range(observations)]
    return [values[i : i + len(YEARS)] for i in range(0, observations, len(YEARS))]


def first_observations(values: list[list[str]], observations: int) -> list[list[str]]:
    """The first `observations` of `values`, series by series."""
    count = -(-observations // len(YEARS))
    kept = values[:count]
    return kept[:-1] + [kept[-1][: observations - len(YEARS) * (count - 1)]]


def write_structure_specific(path: Path, keys: Sequence[tuple[str, ...]], values) -> None:
    """An SDMX-ML 2.1 structure-specific message of the series `keys` (time at observation)."""
    agency, flow, version = FLOW
    urn = (
        f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={agency}:{flow}({version})"
        ":ObsLevelDim:TIME_PERIOD"
    )
    ref = f"{agency}_{flow}_{version.replace('.', '_')}"
    attributes = " ".join(f'{k}="{v}"' for k, v in SERIES_ATTRIBUTES.items())
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<mes:StructureSpecificData xmlns:mes="http://www.sdmx.org/resources/sdmxml/'
            'schemas/v2_1/message" xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/'
            'v2_1/data/structurespecific" xmlns:com="http://www.sdmx.org/resources/sdmxml/'
            'schemas/v2_1/common" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xmlns:ns1="{urn}">\n<mes:Header><mes:ID>BENCH</mes:ID><mes:Test>true</mes:Test>'
            '<mes:Prepared>2026-01-01T00:00:00</mes:Prepared><mes:Sender id="IMDX"/>'
            f'<mes:Structure structureID="{ref}" namespace="{urn}" '
            'dimensionAtObservation="TIME_PERIOD"><com:StructureUsage>'
            f'<Ref agencyID="{agency}" id="{flow}" version="{version}"/>'
            "</com:StructureUsage></mes:Structure></mes:Header>\n"
            f'<mes:DataSet ss:structureRef="{ref}" xsi:type="ns1:DataSetType" '
            'ss:dataScope="DataStructure">\n'
        )
        for key, series_values in zip(keys, values, strict=True):
            dims = " ".join(f'{d}="{v}"' for d, v in zip(DIMENSIONS, key, strict=True))
            out.write(f"<Series {dims} {attributes}>\n")
            out.writelines(
                f'<Obs TIME_PERIOD="{year}" OBS_VALUE="{value}" OBS_STATUS="E"/>\n'
                for year, value in zip(YEARS, series_values, strict=False)
            )
            out.write("</Series>\n")
        out.write("</mes:DataSet>\n</mes:StructureSpecificData>\n")


def data_frame(keys: Sequence[tuple[str, ...]], values):
    """The same observations as a pandas DataFrame, one column per component (strings), in
    the order of the node's answers (series key, then period)."""
    import pandas as pd

    columns: dict[str, list[str]] = {c: [] for c in (*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE")}
    in_order = sorted(zip(keys, values, strict=True), key=lambda pair: ".".join(pair[0]))
    for key, series_values in in_order:
        for dimension, value in zip(DIMENSIONS, key, strict=True):
            columns[dimension].extend([value] * len(series_values))
        columns["TIME_PERIOD"].extend(YEARS[: len(series_values)])
        columns["OBS_VALUE"].extend(series_values)
    frame = pd.DataFrame(columns)
    frame["OBS_STATUS"] = "E"
    for attribute, value in SERIES_ATTRIBUTES.items():
        frame[attribute] = value
    return frame


# --- the node ------------------------------------------------------------------------------


def node_command(*args: str) -> list[str]:
    """`sdmxnode ARGS` as the README runs it (the venv's script, else `python -m`)."""
    script = Path(sys.executable).with_name("sdmxnode")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "sdmxnode.cli", *args]


def node_env(store: Store, empty: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["SDMXNODE_DATABASE_URL"] = store.url
    env["SDMXNODE_DEMO_DATA"] = str(empty)  # an empty folder: init loads no demo data
    env["SDMXNODE_LOG_LEVEL"] = "WARNING"
    # The kept full-flow Parquet downloads (services/data/bulk.py) stay in the working folder,
    # one folder per store (for PostgreSQL the default is the server's working folder).
    env["SDMXNODE_BULK_DIR"] = str(store.path.with_name(f"{store.path.name}.bulk"))
    return env


def build_store(store: Store, message: Path, empty: Path) -> float:
    """Initialise the store and load `message` with `sdmxnode load`; the load's seconds."""
    env = node_env(store, empty)
    subprocess.run(node_command("init"), env=env, check=True, capture_output=True, timeout=600)
    start = time.perf_counter()
    done = subprocess.run(
        node_command("load", str(message)), env=env, capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise RuntimeError(f"sdmxnode load {message.name} failed:\n{done.stderr[-4000:]}")
    return time.perf_counter() - start


def clear_postgresql(url: str) -> None:
    """Drop every table of the scratch PostgreSQL database `--postgres` names."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        tables.drop_all(engine)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a server this script started (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def serving(command: list[str], env: dict[str, str], health: str, log_path: Path):
    """Run a server command until the block ends; yields the process once `health` is 200."""
    with log_path.open("wb") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_up(health, process)
            yield process
        finally:
            stop(process)


@contextmanager
def node_server(store: Store, empty: Path, workdir: Path, workers: int | None = None):
    """`sdmxnode serve --port P` on the store; yields its base URL and process."""
    port = free_port()
    args = ["serve", "--port", str(port)] + (["--workers", str(workers)] if workers else [])
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / f"serve-{store.name}-{port}.log"
    with serving(node_command(*args), node_env(store, empty), base + "/health", log_path) as p:
        yield base, p


def fetch(url: str, accept: str | None = None) -> tuple[float, int]:
    """Seconds to receive the whole answer (read in chunks and dropped), and its size."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    start = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
        while chunk := response.read(CHUNK):
            size += len(chunk)
            if time.perf_counter() - start > REQUEST_TIMEOUT:
                raise TimeoutError(f"{url}: longer than {REQUEST_TIMEOUT:.0f} s")
    return time.perf_counter() - start, size


#: Requests per server in the interleaved one-series comparison.
SERIES_ROUNDS = 60


def one_series_interleaved(
    engines: dict[str, Store], empty: Path, workdir: Path, one_series: str
) -> dict[str, float]:
    """The median time of one series (SDMX-ML 2.1 structure-specific) from each engine's
    server, all up at once, the requests alternating between them after a warm-up: a
    ratio of a few milliseconds read on a machine whose speed drifts."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        bases = {
            name: stack.enter_context(node_server(store, empty, workdir))[0]
            for name, store in engines.items()
        }
        urls = {name: base + FLOW_PATH + "/" + one_series for name, base in bases.items()}
        for url in urls.values():
            for _ in range(10):  # every worker's connections, caches and prepared statements
                fetch(url, SS_21)
        times: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(SERIES_ROUNDS):
            for name, url in urls.items():
                times[name].append(fetch(url, SS_21)[0])
    return {name: statistics.median(found) for name, found in times.items()}


def median_of(action: Callable[[], tuple[float, int]], repeats: int = REPEATS):
    runs = [action() for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), runs[-1][1]


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


# --- the comparisons -----------------------------------------------------------------------


def time_pysdmx(frame, fmt_name: str, dsd_file: Path) -> tuple[float, int]:
    """pysdmx's write_sdmx writing the frame (structure: the DSD as a Schema) to /dev/null."""
    from pysdmx.io import read_sdmx, write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset

    schema = next(
        s for s in read_sdmx(dsd_file).structures if type(s).__name__ == "DataStructureDefinition"
    ).to_schema()
    fmt = getattr(Format, fmt_name)
    options = {"prettyprint": False, "dimension_at_observation": "TIME_PERIOD"}
    if "CSV" in fmt_name:
        options = {}

    def run() -> tuple[float, int]:
        start = time.perf_counter()
        dataset = PandasDataset(structure=schema, data=frame)
        write_sdmx([dataset], sdmx_format=fmt, output_path=os.devnull, **options)
        return time.perf_counter() - start, 0

    return median_of(run)


def time_to_csv(frame, line_end: str = "\n") -> tuple[float, int]:
    def run() -> tuple[float, int]:
        start = time.perf_counter()
        frame.to_csv(os.devnull, index=False, lineterminator=line_end)
        return time.perf_counter() - start, 0

    return median_of(run)


def answer_table(frame, answer_head: bytes):
    """The table an SDMX-CSV answer holds, as a DataFrame of strings: the answer's columns
    in its order (from its header line), the frame's columns where it has them, the cells
    of the answer's first data row for its leading constant columns (DATAFLOW; STRUCTURE,
    STRUCTURE_ID, ACTION), empty cells for the components the data leave empty. pandas
    writing it (`to_csv`, CRLF line ends) gives the same bytes as the node's answer
    (`same_bytes` checks it), so that the two write the same thing."""
    import pandas as pd

    lines = answer_head.decode("utf-8").split("\r\n")
    header, first = lines[0].split(","), lines[1].split(",")
    columns = {}
    for index, column in enumerate(header):
        if column in frame.columns:
            columns[column] = frame[column]
        elif column in ("DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION"):
            columns[column] = first[index]
        else:
            columns[column] = ""
    return pd.DataFrame(columns, index=frame.index)


def same_bytes(table, url: str, accept: str) -> bool:
    """Whether pandas' `to_csv` of `table` (CRLF) is byte for byte the node's answer; if
    not, the first line where they differ is printed."""
    import io

    written = io.StringIO()
    table.to_csv(written, index=False, lineterminator="\r\n")
    ours = io.BytesIO(written.getvalue().encode("utf-8"))
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
        for number, theirs in enumerate(response, 1):
            line = ours.readline()
            if line != theirs:
                print(f"  line {number}: pandas {line[:200]!r}\n  node   {theirs[:200]!r}")
                return False
    return ours.read() == b""


def answer_head(url: str, accept: str) -> bytes:
    """The first bytes of an answer (its header line and first rows)."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
        return response.read(1 << 16)


def time_to_parquet(frame, folder: Path) -> tuple[float, int]:
    """pandas `to_parquet` (pyarrow) of the frame, OBS_VALUE as a float column as the
    node writes it, into a file (Parquet needs a seekable sink)."""
    frame = frame.assign(OBS_VALUE=frame["OBS_VALUE"].astype(float))
    target = folder / "pandas.parquet"

    def run() -> tuple[float, int]:
        start = time.perf_counter()
        frame.to_parquet(target, index=False)
        return time.perf_counter() - start, target.stat().st_size

    return median_of(run)


def check(label: str, value: float, target: str, holds: bool) -> str:
    return f"{label:<66} {value:8.2f}   target {target:<8} {'holds' if holds else 'FAILS'}"


def run(args: argparse.Namespace, workdir: Path) -> int:
    big, small, medium = args.observations, args.small, args.medium
    empty = workdir / "no-demo-data"
    empty.mkdir()
    stores = {
        name: Store(name, n, workdir / f"{name}.db")
        for name, n in (("big", big), ("small", small), ("medium", medium))
    }
    engines = {"": stores["big"]}  # label prefix -> the store of the big flow
    if args.postgres:
        clear_postgresql(args.postgres)
        stores["postgresql"] = Store("postgresql", big, workdir / "postgresql", args.postgres)
        engines["PostgreSQL "] = stores["postgresql"]
    print(f"working folder: {workdir}", flush=True)

    # 1. data: generated once, loaded by the node's own loader into three stores
    from sdmxnode.config import load_settings
    from sdmxnode.refs import ArtefactRef
    from sdmxnode.services.node import Node
    from sdmxnode.services.structures.info import StructureInfoBuilder

    codes_store = Store("codes", 0, workdir / "codes.db")
    env = node_env(codes_store, empty)
    subprocess.run(node_command("init"), env=env, check=True, capture_output=True, timeout=600)
    settings = load_settings({"DATABASE_URL": codes_store.url})
    node = Node.from_settings(settings)
    info = StructureInfoBuilder(node.store, node.cache)(ArtefactRef("Dataflow", *FLOW))
    codes = {d.id: sorted(d.codes or ()) for d in info.dimensions}
    node.store.engine.dispose()

    series_count = -(-big // len(YEARS))
    keys = series_keys(codes, series_count)
    values = observation_values(big)
    load_seconds: dict[str, float] = {}
    for store in stores.values():
        count = -(-store.observations // len(YEARS))
        message = workdir / f"{store.name}.xml"
        write_structure_specific(
            message, keys[:count], first_observations(values, store.observations)
        )
        load_seconds[store.name] = build_store(store, message, empty)
        message.unlink()
        print(
            f"loaded {store.observations:,} observations ({count:,} series) into "
            f"{store.name}: {load_seconds[store.name]:.1f} s",
            flush=True,
        )
    observations = {name: s.observations for name, s in stores.items()}
    frame = data_frame(keys, values)
    dsd_file = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"

    # 2. the node over HTTP
    figures: list[Figure] = []
    one_series = ".".join(keys[0])
    n_big = observations["big"]
    tables: dict[str, tuple[object, bool]] = {}
    for engine, store in engines.items():
        with node_server(store, empty, workdir) as (base, _):
            for label, accept in (
                ("SDMX-CSV 1.0", CSV_10),
                ("SDMX-CSV 2.0", CSV_20),
                ("SDMX-ML 2.1 SS", SS_21),
                ("Parquet", PARQUET),
            ):
                fetch(base + FLOW_PATH + "/" + one_series, accept)  # warm-up: caches, connections
                if accept == PARQUET:
                    # The first full download builds the answer and keeps it as the flow's
                    # bulk file (README, "Bulk downloads"); the later ones are sent from it.
                    seconds, size = fetch(base + FLOW_PATH, accept)
                    figures.append(
                        Figure(
                            f"node {engine}{label} cold, full flow ({n_big:,} obs, 1 run)",
                            seconds,
                            size,
                            n_big,
                        )
                    )
                    print(figures[-1].row(), flush=True)
                    label = f"{label} warm"
                seconds, size = median_of(lambda a=accept: fetch(base + FLOW_PATH, a))
                figures.append(
                    Figure(f"node {engine}{label}, full flow ({n_big:,} obs)", seconds, size, n_big)
                )
                print(figures[-1].row(), flush=True)
                if engine == "" and accept in (CSV_10, CSV_20):
                    # the same table for pandas: the answer's columns and cells
                    table = answer_table(frame, answer_head(base + FLOW_PATH, accept))
                    tables[label] = (table, same_bytes(table, base + FLOW_PATH, accept))
            seconds, size = median_of(lambda: fetch(base + FLOW_PATH + "/" + one_series, SS_21))
            figure = Figure(
                f"node {engine}one series of the {n_big:,}-obs flow", seconds, size, len(YEARS)
            )
            figures.append(figure)
            print(figure.row(), flush=True)
            if engine == "":
                series_big = figure
                generic = workdir / "generic.xml"
                request = urllib.request.Request(base + FLOW_PATH, headers={"Accept": GENERIC_21})
                with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:
                    generic.write_bytes(answer.read())
    interleaved: dict[str, float] = {}
    if len(engines) > 1:
        interleaved = one_series_interleaved(engines, empty, workdir, one_series)
        print(
            "one series, both servers up, requests alternating "
            f"({SERIES_ROUNDS} each, median): "
            + ", ".join(f"{name or 'SQLite'} {t * 1e3:.2f} ms" for name, t in interleaved.items()),
            flush=True,
        )
    with node_server(stores["small"], empty, workdir) as (base, _):
        fetch(base + FLOW_PATH + "/" + one_series, SS_21)
        seconds, size = median_of(lambda: fetch(base + FLOW_PATH + "/" + one_series, SS_21))
        n_small = observations["small"]
        series_small = Figure(
            f"node one series of the {n_small:,}-obs flow", seconds, size, len(YEARS)
        )
        figures.append(series_small)
        print(series_small.row(), flush=True)

    # peak memory of the one worker, in a fresh server per store
    peaks: dict[str, tuple[int, int]] = {}
    for name in ("medium", "big"):
        with node_server(stores[name], empty, workdir, workers=1) as (base, process):
            workers = worker_pids(process.pid)
            if len(workers) != 1:
                raise RuntimeError(f"expected one gunicorn worker, found {workers}")
            fetch(base + FLOW_PATH + "/" + one_series, SS_21)
            before = peak_memory_kb(workers[0])
            for accept in (CSV_20, SS_21):
                fetch(base + FLOW_PATH, accept)
            peaks[name] = (before, peak_memory_kb(workers[0]))
        print(
            f"node worker VmHWM, {observations[name]:,}-obs flow: {peaks[name][0] / 1024:.0f} MB "
            f"after a warm-up, {peaks[name][1] / 1024:.0f} MB after streaming the full flow "
            "as SDMX-CSV 2.0 and SDMX-ML 2.1 SS",
            flush=True,
        )

    # 3. the same frame written by pysdmx and pandas
    for label, fmt_name in (
        ("pysdmx write_sdmx SDMX-CSV 2.0", "DATA_SDMX_CSV_2_0_0"),
        ("pysdmx write_sdmx SDMX-ML 2.1 SS", "DATA_SDMX_ML_2_1_STR"),
    ):
        seconds, _ = time_pysdmx(frame, fmt_name, dsd_file)
        figures.append(Figure(f"{label}, DataFrame ({n_big:,} obs)", seconds, 0, n_big))
        print(figures[-1].row(), flush=True)
    seconds, _ = time_to_csv(frame)
    figures.append(Figure(f"pandas DataFrame.to_csv ({n_big:,} obs)", seconds, 0, n_big))
    print(figures[-1].row(), flush=True)
    for label, (table, same) in tables.items():
        seconds, _ = time_to_csv(table, "\r\n")
        figures.append(
            Figure(f"pandas to_csv of the {label} answer's table, {n_big:,} obs", seconds, 0, n_big)
        )
        print(figures[-1].row(), flush=True)
        print(
            f"  pandas writes the node's {label} answer byte for byte: {'yes' if same else 'NO'}",
            flush=True,
        )
    tables.clear()
    seconds, size = time_to_parquet(frame, workdir)
    figures.append(Figure(f"pandas DataFrame.to_parquet ({n_big:,} obs)", seconds, size, n_big))
    print(figures[-1].row(), flush=True)

    # 4. dsss, the Python reference server, on the same data
    dsss_line = ""
    try:
        if args.no_dsss:
            raise DsssUnavailable("skipped (--no-dsss)")
        dsss = run_dsss(generic, PROJECT_ROOT, workdir, n_big, REQUEST_TIMEOUT, serving, fetch)
        figures.append(Figure(f"dsss, full flow ({n_big:,} obs, 1 run)", *dsss, n_big))
        print(figures[-1].row(), flush=True)
    except DsssUnavailable as exc:
        dsss_line = f"dsss: not measured: {exc}"
        print(dsss_line, flush=True)

    # summary
    by = {f.label.split(",")[0]: f for f in figures}
    print("\n=== data queries: figures (median of 3) ===")
    for figure in figures:
        print(figure.row())
    if dsss_line:
        print(dsss_line)
    print("\n=== ratios ===")
    pysdmx_csv = by["pysdmx write_sdmx SDMX-CSV 2.0"].seconds
    pysdmx_xml = by["pysdmx write_sdmx SDMX-ML 2.1 SS"].seconds
    pandas_csv = next(f.seconds for f in figures if f.label.startswith("pandas DataFrame.to_csv"))
    pandas_parquet = next(
        f.seconds for f in figures if f.label.startswith("pandas DataFrame.to_parquet")
    )
    lines = []
    notes = []  # figures for information, no target
    for label in ("SDMX-CSV 1.0", "SDMX-CSV 2.0"):
        node_s = by[f"node {label}"].seconds
        lines.append(
            check(
                f"pysdmx CSV 2.0 time / node {label} time",
                pysdmx_csv / node_s,
                ">= 1.5",
                pysdmx_csv / node_s >= 1.5,
            )
        )
        lines.append(
            check(
                f"node {label} speed / pandas to_csv speed (data's own columns)",
                pandas_csv / node_s,
                ">= 0.5",
                pandas_csv / node_s >= 0.5,
            )
        )
        same_table = by[f"pandas to_csv of the {label} answer's table"].seconds
        for engine in engines:
            node_s = by[f"node {engine}{label}"].seconds
            lines.append(
                check(
                    f"node {engine}{label} speed / to_csv of the same table (issue 19)",
                    same_table / node_s,
                    ">= 1.0",
                    same_table / node_s >= 1.0,
                )
            )
    for engine in engines:
        node_xml = by[f"node {engine}SDMX-ML 2.1 SS"].seconds
        lines.append(
            check(
                f"pysdmx SDMX-ML 2.1 SS time / node {engine}SDMX-ML 2.1 SS (issue 19)",
                pysdmx_xml / node_xml,
                ">= 10",
                pysdmx_xml / node_xml >= 10,
            )
        )
        # Issue 19's Parquet target is read on the warm download, sent from the bulk file:
        # the download every client but the first after a load gets.
        node_parquet = by[f"node {engine}Parquet warm"].seconds
        lines.append(
            check(
                f"node {engine}Parquet warm (bulk file) speed / to_parquet speed (issue 19)",
                pandas_parquet / node_parquet,
                ">= 1.0",
                pandas_parquet / node_parquet >= 1.0,
            )
        )
        cold = by[f"node {engine}Parquet cold"].seconds
        notes.append(
            f"{f'node {engine}Parquet cold (first download, builds the file) / to_parquet':<66} "
            f"{pandas_parquet / cold:8.2f}   for information"
        )
    if "PostgreSQL " in engines:
        # Read on the interleaved medians: one series takes a few milliseconds, and this
        # machine's speed drifts by more than the bound between two servers measured one
        # after the other (the same code gave 2.0 and 3.7 ms in two runs minutes apart).
        ratio = interleaved["PostgreSQL "] / interleaved[""]
        lines.append(
            check(
                "one series of the big flow: PostgreSQL / SQLite (issue 19)",
                ratio,
                "<= 1.2",
                ratio <= 1.2,
            )
        )
    ratio = series_big.seconds / series_small.seconds
    lines.append(
        check("one series: big flow time / small flow time", ratio, "<= 1.5", ratio <= 1.5)
    )
    memory = peaks["big"][1] / peaks["medium"][1]
    lines.append(check("worker VmHWM: big flow / medium flow", memory, "<= 1.5", memory <= 1.5))
    for line in lines:
        print(line)
    for note in notes:
        print(note)
    return 0 if all(line.endswith("holds") for line in lines) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000, help="the big flow")
    parser.add_argument("--small", type=int, default=10_000, help="the small flow")
    parser.add_argument("--medium", type=int, default=100_000, help="the memory comparison")
    parser.add_argument("--tmp", default=None, help="parent of the temporary working folder")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--no-dsss", action="store_true", help="leave dsss out")
    parser.add_argument(
        "--postgres",
        help="a scratch PostgreSQL database URL (its tables are dropped first): the big flow "
        "is also loaded and served there",
    )
    return in_workdir(run, parser.parse_args(argv), "sdmxnode-bench-")


def in_workdir(
    run: Callable[[argparse.Namespace, Path], int], args: argparse.Namespace, prefix: str
) -> int:
    """`run(args, workdir)` in a fresh temporary folder (under `args.tmp`), removed after
    unless `args.keep`."""
    logging.basicConfig(level=logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix=prefix, dir=args.tmp))
    try:
        return run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
