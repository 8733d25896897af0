"""Ingest benchmark: sdmxnode's validated, committed load against pysdmx's parse alone.

Run by hand from the project root (not by pytest):

    PYTHONPATH=. python benchmarks/ingest.py [--observations 1000000] [--small 100000]

In a temporary folder it writes two SDMX-ML 2.1 structure-specific messages for
IMDX:DF_MIG_STOCK_IMS(1.0.0) (valid: codes from the code lists and allowed by the content
constraints, the mandatory attributes present), then measures, each in a fresh subprocess:

- sdmxnode: `load_data` of the large file into a fresh SQLite file store holding the
  project's structures (schema stage, structure rules, one committed transaction);
- pysdmx: `pysdmx.io.read_sdmx(path, validate=False)` of the same file (parsing only);
- the peak memory (VmHWM) of the sdmxnode load for the large and the small file;
- overwrites (`--overwrite N` observations, 0 to skip; `--only-overwrite` measures them
  alone): into a fresh store, the first load of an N-observation message, the same message
  loaded again (every observation overwritten by an identical one), a revised message (the
  same keys, every value changed), then the first message again with action Replace
  (every series cleared, then written), on SQLite and, when the environment variable
  SDMXNODE_BENCH_POSTGRES_URL names a PostgreSQL database
  (`postgresql+psycopg://user:password@host/database`), on PostgreSQL too, in a schema of
  its own that is dropped afterwards.

- a mapped load (`--mapped N` observations, 0 to skip; `--only-mapped` measures it alone):
  the same N observations once in the codes of IMDX:DF_MIG_STOCK_NAT(1.0.0), loaded as they
  are, and once written as an institution would (areas as M49 numbers, sex as 1/2/0/9,
  measures as letters), loaded through a structure map onto that dataflow (the node's
  IMDX:RM_M49_AREA and the representation maps of fixtures/conversion/), each into a fresh
  SQLite store; both must store the same observations.

- whole processes (`--whole-process N` observations, 0 to skip; `--only-whole-process`
  measures them alone), as users run them, interpreter start and imports included: `sdmxnode
  load FILE` into a store that `sdmxnode init` set up with the project's structures and no
  data (a SQLite file, and the PostgreSQL database of SDMXNODE_BENCH_POSTGRES_URL in a schema
  of its own), against a Python process that imports pysdmx and runs `read_sdmx(FILE,
  validate=False)`; each process is checked to have seen (and the node to have stored) every
  observation. Median of `--repeat` runs (a fresh store each).

It prints the times and the ratios: targets are pysdmx time / sdmxnode time >= 2 (the
function alone, and whole processes on each engine),
peak(large) / peak(small) <= 1.5, per database overwrite time / first-load time <= 2, and
mapped load time / unmapped load time <= 1.5.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from itertools import product
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEMO = PROJECT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
FLOW = ("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
YEARS = [str(year) for year in range(2000, 2020)]  # 20 annual observations per series
POSTGRES_URL = os.environ.get("SDMXNODE_BENCH_POSTGRES_URL")


def _node(database: Path | str):  # type: ignore[no-untyped-def]
    """A node on a store holding the project's structures: a SQLite file or a database URL."""
    from sdmxnode.app import create_app
    from sdmxnode.services.setup import initialise_node

    url = database if isinstance(database, str) else f"sqlite:///{database}"
    app = create_app({"DATABASE_URL": url, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_node(node)
    return node


def _allowed_codes(node) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Per key dimension, the codes of its code list the dataflow's constraints allow."""
    from sdmxnode.refs import ArtefactRef
    from sdmxnode.services.structures.info import StructureInfoBuilder

    info = StructureInfoBuilder(node.store, node.cache)(ArtefactRef(*FLOW))
    codes = {}
    for dimension in info.dimensions:
        values = set(dimension.codes or ())
        if dimension.id in info.allowed:
            values &= info.allowed[dimension.id]
        codes[dimension.id] = sorted(values)
    return codes


def _demo_template() -> tuple[str, dict[str, str], dict[str, str]]:
    """The demo message's header (up to the first Series), and the non-dimension attributes
    of its first Series and first Obs."""
    text = DEMO.read_text(encoding="utf-8")
    header, rest = text.split("<Series ", 1)
    from lxml import etree

    series = etree.fromstring(("<Series " + rest.split("</Series>", 1)[0] + "</Series>").encode())
    obs = series[0]
    return header, dict(series.attrib), dict(obs.attrib)


def write_message(
    path: Path,
    observations: int,
    codes: dict[str, list[str]],
    revision: int = 0,
    *,
    dataflow: str = "DF_MIG_STOCK_IMS",
    written_as: dict[str, dict[str, str]] | None = None,
    periods: int = len(YEARS),
) -> int:
    """Write a structure-specific message of `observations` observations; the series count.
    Messages of another `revision` have the same keys and periods, every value changed. The
    message is for `dataflow` (of the same DSD); `written_as` gives, per dimension, the code
    each code is written as (an institution's own coding); each series has `periods` annual
    observations (the first of `YEARS`)."""
    header, series_attrib, obs_attrib = _demo_template()
    header = header.replace("DF_MIG_STOCK_IMS", dataflow)
    recode = written_as or {}
    dimensions = list(codes)
    fixed = {d: (series_attrib[d] if series_attrib[d] in codes[d] else codes[d][0]) for d in codes}
    varying = [d for d in ("REF_AREA", "COUNTRY_BIRTH", "SEX", "AGE") if d in codes]
    attributes = {k: v for k, v in series_attrib.items() if k not in dimensions}
    observation_attributes = {
        k: v for k, v in obs_attrib.items() if k not in ("TIME_PERIOD", "OBS_VALUE")
    }
    attribute_text = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    obs_attribute_text = " ".join(f'{k}="{v}"' for k, v in observation_attributes.items())
    years = YEARS[:periods]
    wanted_series = -(-observations // len(years))
    written = 0
    series_count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for combination in product(*(codes[d] for d in varying)):
            if series_count == wanted_series:
                break
            key = {**fixed, **dict(zip(varying, combination, strict=True))}
            key = {d: recode.get(d, {}).get(v, v) for d, v in key.items()}
            key_text = " ".join(f'{d}="{key[d]}"' for d in dimensions)
            lines = [f"<Series {key_text} {attribute_text}>"]
            for year in years:
                if written == observations:
                    break
                value = 1000 + (written * 7919) % 1_000_000 + revision
                lines.append(
                    f'<Obs TIME_PERIOD="{year}" OBS_VALUE="{value}" {obs_attribute_text}/>'
                )
                written += 1
            lines.append("</Series>\n")
            out.write("".join(lines))
            series_count += 1
        out.write("</mes:DataSet></mes:StructureSpecificData>\n")
    if written != observations:
        raise SystemExit(f"only {written} observations could be keyed; widen the dimensions")
    return series_count


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child_load(
    message: Path, database: Path, maps: Path | None = None, structure_map: str = ""
) -> dict[str, float]:
    from sdmxnode.services.data.loading import LoadOptions, load_data
    from sdmxnode.services.mapping import parse_map_ref
    from sdmxnode.services.structures.loading import load_structure_files

    node = _node(database)
    if maps is not None:
        load_structure_files(node.store, [CONVERSION_MAPS, maps])
    options = LoadOptions(
        source=message.name,
        structure_map=parse_map_ref(structure_map) if structure_map else None,
    )
    before = _peak_kib()
    start = time.perf_counter()
    result = load_data(node, message, options)
    seconds = time.perf_counter() - start
    stored = node.data.count_all_observations()
    return {
        "seconds": seconds,
        "observations": result.observations_written,
        "stored": stored,
        # A large file is read by a forked child process: its memory beyond the pages it
        # shares with this process counts too.
        "peak_kib": _peak_kib() + result.reader_extra_kib,
        "reader_extra_kib": result.reader_extra_kib,
        "peak_before_load_kib": before,
    }


#: The loads of the overwrite runs: name, message, action (None: the message's own).
OVERWRITES = (
    ("first", "first", None),
    ("same", "first", None),
    ("revised", "revised", None),
    ("replace", "first", "Replace"),
)


def child_overwrite(first: Path, revised: Path, url: str) -> dict[str, float]:
    """Into a fresh store at `url`: the first load of `first`, `first` again, `revised`, then
    `first` as Replace (times of `load_data` alone), with the observations and history rows
    stored after each."""
    from sqlalchemy import func, select

    from sdmxnode.services.data.loading import LoadOptions, load_data
    from sdmxnode.storage.tables import observation_history

    node = _node(url)

    def history() -> int:
        with node.store.engine.connect() as conn:
            count = select(func.count()).select_from(observation_history)
            return int(conn.execute(count).scalar_one())

    answer: dict[str, float] = {}
    for name, which, action in OVERWRITES:
        message = first if which == "first" else revised
        options = LoadOptions(source=f"{name}-{message.name}", action=action)
        start = time.perf_counter()
        result = load_data(node, message, options)
        answer[f"{name}_seconds"] = time.perf_counter() - start
        answer[f"{name}_observations"] = result.observations_written
        answer[f"{name}_stored"] = node.data.count_all_observations()
        answer[f"{name}_history"] = history()
    node.store.engine.dispose()
    return answer


def _postgres_schema(url: str, schema: str, *, drop: bool = False) -> str:
    """Create (or drop) `schema` in the PostgreSQL database at `url`; the URL whose
    connections use it (through their search_path)."""
    from sqlalchemy import text

    from sdmxnode.storage.engine import create_store_engine

    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE" if drop else f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def _overwrites_on(url: str, first: Path, revised: Path) -> dict[str, float]:
    """The overwrite child's answer on one database (PostgreSQL: in a schema of its own)."""
    if not url.startswith("postgresql"):
        return _run_child("overwrite", str(first), str(revised), url)
    schema = f"sdmxnode_bench_{uuid.uuid4().hex[:12]}"
    try:
        return _run_child("overwrite", str(first), str(revised), _postgres_schema(url, schema))
    finally:
        _postgres_schema(url, schema, drop=True)


def run_overwrites(tmp: Path, observations: int, codes: dict[str, list[str]]) -> list[float]:
    """Measure first load and overwrites of `observations` on SQLite (and PostgreSQL when
    SDMXNODE_BENCH_POSTGRES_URL is set), print them; the overwrite / first-load ratios."""
    first, revised = tmp / "overwrite-1.xml", tmp / "overwrite-2.xml"
    write_message(first, observations, codes)
    write_message(revised, observations, codes, revision=1)
    databases = [("SQLite", f"sqlite:///{tmp / 'overwrite.db'}")]
    if POSTGRES_URL:
        databases.append(("PostgreSQL", POSTGRES_URL))
    ratios = []
    first_loads: dict[str, float] = {}
    for name, url in databases:
        answer = _overwrites_on(url, first, revised)
        first_loads[name] = answer["first_seconds"]
        for load, _, _ in OVERWRITES:
            if answer[f"{load}_observations"] != observations:
                raise SystemExit(f"{name} {load}: {answer[f'{load}_observations']} observations")
            if answer[f"{load}_stored"] != observations:
                raise SystemExit(f"{name} {load}: {answer[f'{load}_stored']} stored")
        base = answer["first_seconds"]
        print(f"{name}: first load of {observations:,} observations: {base:.2f} s")
        for load, what in (
            ("same", "the same message again"),
            ("revised", "a revised message"),
            ("replace", "the first message as Replace"),
        ):
            seconds = answer[f"{load}_seconds"]
            ratios.append(seconds / base)
            print(
                f"{name}: overwrite with {what}: {seconds:.2f} s, "
                f"{seconds / base:.2f}x the first load (target <= 2); "
                f"history rows after it: {answer[f'{load}_history']:,.0f}"
            )
    if len(first_loads) == 2:
        engines = first_loads["PostgreSQL"] / first_loads["SQLite"]
        verdict = "holds" if engines <= 1 else "fails"
        print(f"first load, PostgreSQL / SQLite: {engines:.2f}x (issue 19 target <= 1: {verdict})")
    return ratios


#: The representation maps of the conversion fixtures (sex as digits, measures as letters)
#: and the node's own M49 map, which the benchmark's structure map uses.
CONVERSION_MAPS = PROJECT / "fixtures" / "conversion" / "IMDX-SM_STOCK_CODED-1.0.0.xml"
AREA_MAPS = PROJECT / "dsd" / "IMDX-RM_AREA-1.0.0.xml"
BENCH_MAP = """<?xml version="1.0" encoding="UTF-8"?>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
 xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure"
 xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common">
<mes:Header><mes:ID>BENCH</mes:ID><mes:Test>true</mes:Test>
<mes:Prepared>2026-12-05T00:00:00Z</mes:Prepared><mes:Sender id="IMDX"/></mes:Header>
<mes:Structures><str:StructureMaps>
<str:StructureMap agencyID="IMDX" id="SM_BENCH_CODED" version="1.0.0">
<com:Name xml:lang="en">Migrant stock in an institution's codes</com:Name>
<str:Source>urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)</str:Source>
<str:Target>urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_NAT(1.0.0)</str:Target>
{components}
</str:StructureMap></str:StructureMaps></mes:Structures></mes:Structure>
"""
#: Dimension -> the representation map that converts its codes, in the benchmark's map.
BENCH_REPRESENTATIONS = {
    "REF_AREA": "RM_M49_AREA",
    "SEX": "RM_SEX_NUMERIC",
    "MEASURE": "RM_STOCK_MEASURE_LETTER",
}


def _written_as() -> dict[str, dict[str, str]]:
    """Per mapped dimension: target code -> the source code an institution writes for it
    (the first exact rule of its representation map giving that code)."""
    from lxml import etree

    from sdmxnode.formats.sdmxml.maps import read_representation_map

    written: dict[str, dict[str, str]] = {}
    wanted = {rm: dimension for dimension, rm in BENCH_REPRESENTATIONS.items()}
    for path in (CONVERSION_MAPS, AREA_MAPS):
        for element in etree.parse(str(path)).iter("{*}RepresentationMap"):
            mapping = read_representation_map(element)
            dimension = wanted.get(mapping.ref.id)
            if dimension is None:
                continue
            table = written.setdefault(dimension, {})
            for rule in mapping.rules:
                if rule.sources[0].is_literal and rule.targets[0] not in table:
                    table[rule.targets[0]] = rule.sources[0].value
    return written


def run_mapped(tmp: Path, observations: int, codes: dict[str, list[str]]) -> float:
    """Measure the unmapped and the mapped load of the same observations; their ratio."""
    written_as = _written_as()
    mapped_codes = {d: [c for c in v if c in written_as.get(d, {c: c})] for d, v in codes.items()}
    plain, coded = tmp / "plain-nat.xml", tmp / "coded.xml"
    write_message(plain, observations, mapped_codes, dataflow="DF_MIG_STOCK_NAT")
    write_message(coded, observations, mapped_codes, written_as=written_as)
    components = "".join(
        f"<str:ComponentMap><str:Source>{d}</str:Source><str:Target>{d}</str:Target>"
        "<str:RepresentationMap>urn:sdmx:org.sdmx.infomodel.structuremapping."
        f"RepresentationMap=IMDX:{rm}(1.0.0)</str:RepresentationMap></str:ComponentMap>"
        for d, rm in BENCH_REPRESENTATIONS.items()
    )
    maps = tmp / "bench-map.xml"
    maps.write_text(BENCH_MAP.format(components=components), encoding="utf-8")
    unmapped = _run_child("load", str(plain), str(tmp / "unmapped.db"))
    mapped = _run_child(
        "load", str(coded), str(tmp / "mapped.db"), str(maps), "IMDX:SM_BENCH_CODED(1.0.0)"
    )
    for name, answer in (("unmapped", unmapped), ("mapped", mapped)):
        if answer["stored"] != observations:
            raise SystemExit(f"{name} load stored {answer['stored']} observations")
    ratio = mapped["seconds"] / unmapped["seconds"]
    print(
        f"unmapped load of {observations:,} observations into DF_MIG_STOCK_NAT: "
        f"{unmapped['seconds']:.2f} s; the same data in an institution's codes through a "
        f"structure map: {mapped['seconds']:.2f} s; mapped / unmapped: {ratio:.2f}x "
        "(target <= 1.5)"
    )
    return ratio


def child_pysdmx(message: Path) -> dict[str, float]:
    from pysdmx.io import read_sdmx

    start = time.perf_counter()
    parsed = read_sdmx(message, validate=False)
    seconds = time.perf_counter() - start
    rows = sum(len(dataset.data) for dataset in parsed.data)
    return {"seconds": seconds, "observations": rows, "peak_kib": _peak_kib()}


_PYSDMX_PROCESS = (
    "import sys\n"
    "from pysdmx.io import read_sdmx\n"
    "message = read_sdmx(sys.argv[1], validate=False)\n"
    "print(sum(len(dataset.data) for dataset in message.data))\n"
)


def _stored_observations(url: str) -> int:
    from sqlalchemy import func, select

    from sdmxnode.storage.engine import create_store_engine
    from sdmxnode.storage.tables import observations

    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(observations)).scalar_one())
    finally:
        engine.dispose()


def _checkpoints(url: str) -> int:
    """How many checkpoints the PostgreSQL server at `url` has run (timed or requested)."""
    from sqlalchemy import text

    from sdmxnode.storage.engine import create_store_engine

    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            view = conn.execute(text("SELECT to_regclass('pg_catalog.pg_stat_checkpointer')"))
            query = (
                "SELECT num_timed + num_requested FROM pg_stat_checkpointer"  # PostgreSQL 17+
                if view.scalar_one() is not None
                else "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
            )
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def _may_checkpoint(url: str) -> bool:
    """Whether the role of the PostgreSQL server at `url` may ask for a checkpoint (a
    superuser, or a member of pg_checkpoint: `GRANT pg_checkpoint TO <role>`)."""
    return bool(
        _postgres_value(
            url,
            "SELECT rolsuper OR pg_has_role('pg_checkpoint', 'member') "
            "FROM pg_roles WHERE rolname = current_user",
        )
    )


def _checkpoint(url: str) -> None:
    """Ask the PostgreSQL server at `url` for a checkpoint, and wait for it."""
    _postgres_value(url, "CHECKPOINT")


def _postgres_value(url: str, statement: str) -> object:
    """Run `statement` on the PostgreSQL server at `url`; its first value, if it returns any."""
    from sqlalchemy import text

    from sdmxnode.storage.engine import create_store_engine

    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def run_whole_processes(
    tmp: Path, observations: int, codes: dict[str, list[str]], repeat: int, periods: int
) -> dict[str, float]:
    """Whole-process loads on SQLite (and PostgreSQL when SDMXNODE_BENCH_POSTGRES_URL is
    set) against pysdmx's whole process, medians of `repeat`; print them; the ratios."""
    # data_queries.py's store set-up (`sdmxnode init`, then the timed `sdmxnode load`) is
    # imported by `_whole_load` alone: the --child processes, whose memory is measured,
    # need none of it.
    sys.path.insert(0, str(Path(__file__).resolve().parent))

    message, empty = tmp / "whole.xml", tmp / "empty"
    empty.mkdir(exist_ok=True)
    series_count = write_message(message, observations, codes, periods=periods)
    # pysdmx runs from the bytecode pip compiled when it installed it. The project, installed
    # editable, compiles its modules on its first run and keeps them, unless writing bytecode
    # is off (PYTHONDONTWRITEBYTECODE=1, as on the team's machines): 0.35 s of every load
    # process. Compile them first, as any earlier run would have.
    compileall.compile_dir(PROJECT / "sdmxnode", quiet=1)
    print(
        f"whole processes: {observations:,} observations in {series_count:,} series "
        f"({message.stat().st_size / 1e6:.1f} MB)",
        flush=True,
    )
    pysdmx_times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _PYSDMX_PROCESS, str(message)],
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        pysdmx_times.append(time.perf_counter() - start)
        if int(done.stdout.split()[-1]) != observations:
            raise SystemExit(f"pysdmx read {done.stdout.split()[-1]} observations")
    theirs = statistics.median(pysdmx_times)
    print(f"  pysdmx process (import, read_sdmx validate=False): {theirs:.2f} s", flush=True)
    engines = [("SQLite", None)] + ([("PostgreSQL", POSTGRES_URL)] if POSTGRES_URL else [])
    # Checkpoints are asked of the benchmark's server, before the loads of either engine.
    checkpoints = POSTGRES_URL if POSTGRES_URL and _may_checkpoint(POSTGRES_URL) else None
    if POSTGRES_URL and checkpoints is None:
        print(
            "  (the PostgreSQL role may not request checkpoints: a load may overlap the "
            "checkpoint of an earlier one, marked c)",
            flush=True,
        )
    times: dict[str, list[float]] = {name: [] for name, _ in engines}
    marks: dict[str, list[str]] = {name: [] for name, _ in engines}  # "c": a checkpoint ran
    # The engines take turns, run by run, so that drift of a shared machine falls on both
    # alike; each load starts after a checkpoint (when the role may ask for one): a
    # PostgreSQL load leaves about 200 MB of pages for the server to write later, which
    # would otherwise land on the next load, of either engine.
    for run in range(repeat):
        for name, base_url in engines:
            took, mark = _whole_load(
                tmp, name, base_url, run, observations, message, empty, checkpoints
            )
            times[name].append(took)
            marks[name].append(mark)
    ratios: dict[str, float] = {}
    for name, _ in engines:
        ours = statistics.median(times[name])
        ratios[name] = theirs / ours
        runs = ", ".join(f"{t:.2f}{m}" for t, m in zip(times[name], marks[name], strict=True))
        print(
            f"  sdmxnode load process on {name}: {ours:.2f} s (runs {runs}); "
            f"pysdmx / sdmxnode {ratios[name]:.2f}x "
            f"(target >= 2: {'holds' if ratios[name] >= 2 else 'FAILS'})",
            flush=True,
        )
        if any(marks[name]):
            # A load writes about 200 MB of WAL per million observations: with the default
            # max_wal_size (1 GB) the server checkpoints every two or three such loads, and
            # a load that overlaps a checkpoint shares the disk and the cores with it.
            print("    c: the server ran a checkpoint during that run (init or load)", flush=True)
    if "PostgreSQL" in ratios:
        engines = ratios["SQLite"] / ratios["PostgreSQL"]  # time on PostgreSQL / on SQLite
        verdict = "holds" if engines <= 1 else "fails"
        print(f"  load process, PostgreSQL / SQLite: {engines:.2f}x (target <= 1: {verdict})")
        # Each run's two loads ran one after the other: their ratios show how far the
        # machine's drift moves the comparison, beside the ratio of the medians.
        pairs = zip(times["PostgreSQL"], times["SQLite"], strict=True)
        print("    run by run: " + ", ".join(f"{ours / base:.2f}x" for ours, base in pairs))
    return ratios


def _whole_load(
    tmp: Path,
    name: str,
    base_url: str | None,
    run: int,
    observations: int,
    message: Path,
    empty: Path,
    checkpoints: str | None,
) -> tuple[float, str]:
    """One timed `sdmxnode load` process into a fresh store of engine `name` (PostgreSQL
    when `base_url` is given, in a schema of its own, dropped after), after a checkpoint of
    the server at `checkpoints` if given; its time, and "c" if the server checkpointed
    meanwhile."""
    from data_queries import Store, build_store

    database = tmp / f"whole-{run}.db"
    if base_url is None:
        store, schema = Store(name, observations, database), ""
    else:
        schema = f"sdmxnode_bench_{uuid.uuid4().hex[:12]}"
        store = Store(name, observations, database, database=_postgres_schema(base_url, schema))
    try:
        if checkpoints is not None:  # an earlier load's writes flushed before either engine
            _checkpoint(checkpoints)
        before = _checkpoints(base_url) if base_url is not None else 0
        took = build_store(store, message, empty)
        after = _checkpoints(base_url) if base_url is not None else 0
        stored = _stored_observations(store.url)
        if stored != observations:
            raise SystemExit(f"{name}: {stored} observations stored, not {observations}")
    finally:
        if base_url is not None:
            _postgres_schema(base_url, schema, drop=True)
        else:
            database.unlink(missing_ok=True)
    return took, "c" if after != before else ""


def _run_child(*args: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=None,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument(
        "--overwrite",
        type=int,
        default=480_000,
        help="observations of the overwrite runs (0: none)",
    )
    parser.add_argument(
        "--only-overwrite", action="store_true", help="measure the overwrites alone"
    )
    parser.add_argument(
        "--mapped",
        type=int,
        default=1_000_000,
        help="observations of the mapped-load comparison (0: none)",
    )
    parser.add_argument("--only-mapped", action="store_true", help="measure the mapped load alone")
    parser.add_argument(
        "--whole-process",
        type=int,
        default=1_000_000,
        help="observations of the whole-process comparison (0: none)",
    )
    parser.add_argument(
        "--only-whole-process", action="store_true", help="measure the whole processes alone"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each whole process")
    parser.add_argument(
        "--periods",
        type=int,
        choices=range(1, len(YEARS) + 1),
        default=len(YEARS),
        metavar=f"1..{len(YEARS)}",
        help="observations per series of the whole-process comparison's message",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, *paths = options.child
        if kind == "load":
            maps = Path(paths[2]) if len(paths) > 2 else None
            answer = child_load(Path(paths[0]), Path(paths[1]), maps, *paths[3:])
        elif kind == "overwrite":
            answer = child_overwrite(Path(paths[0]), Path(paths[1]), paths[2])
        else:
            answer = child_pysdmx(Path(paths[0]))
        print(json.dumps(answer))
        return
    with tempfile.TemporaryDirectory(prefix="sdmxnode-bench-") as folder:
        tmp = Path(folder)
        codes = _allowed_codes(_node(tmp / "codes.db"))
        if options.only_overwrite:
            run_overwrites(tmp, options.overwrite, codes)
            return
        if options.only_mapped:
            run_mapped(tmp, options.mapped, codes)
            return
        if options.only_whole_process:
            run_whole_processes(tmp, options.whole_process, codes, options.repeat, options.periods)
            return
        large, small = tmp / "large.xml", tmp / "small.xml"
        large_series = write_message(large, options.observations, codes)
        small_series = write_message(small, options.small, codes)
        print(
            f"generated: {options.observations:,} observations in {large_series:,} series "
            f"({large.stat().st_size / 1e6:.1f} MB); {options.small:,} in {small_series:,} series"
        )
        ours = _run_child("load", str(large), str(tmp / "large.db"))
        theirs = _run_child("pysdmx", str(large))
        ours_small = _run_child("load", str(small), str(tmp / "small.db"))
        for name, answer, expected in (
            ("sdmxnode", ours, options.observations),
            ("pysdmx", theirs, options.observations),
            ("sdmxnode small", ours_small, options.small),
        ):
            if answer["observations"] != expected:
                raise SystemExit(f"{name}: {answer['observations']} observations, not {expected}")
        if ours["stored"] != options.observations:
            raise SystemExit(f"sdmxnode stored {ours['stored']} observations")
        print(
            f"sdmxnode load_data (validated, committed to SQLite): {ours['seconds']:.2f} s "
            f"({options.observations / ours['seconds']:,.0f} obs/s)"
        )
        print(
            f"pysdmx read_sdmx(validate=False), parsing only:      {theirs['seconds']:.2f} s "
            f"({options.observations / theirs['seconds']:,.0f} obs/s)"
        )
        speed = theirs["seconds"] / ours["seconds"]
        print(f"speed ratio pysdmx / sdmxnode: {speed:.2f}x (target >= 2)")
        peak, peak_small = ours["peak_kib"], ours_small["peak_kib"]
        print(
            f"peak memory of the load (VmHWM, plus what a reading child process added): "
            f"{peak / 1024:.1f} MiB for {options.observations:,} obs "
            f"(of which reader {ours['reader_extra_kib'] / 1024:.1f} MiB), "
            f"{peak_small / 1024:.1f} MiB for {options.small:,} "
            f"(before loading: {ours['peak_before_load_kib'] / 1024:.1f} MiB); "
            f"pysdmx: {theirs['peak_kib'] / 1024:.1f} MiB"
        )
        print(f"memory ratio large / small: {peak / peak_small:.2f} (target <= 1.5)")
        if options.overwrite:
            run_overwrites(tmp, options.overwrite, codes)
        if options.mapped:
            run_mapped(tmp, options.mapped, codes)
        if options.whole_process:
            run_whole_processes(tmp, options.whole_process, codes, options.repeat, options.periods)


if __name__ == "__main__":
    main()
