"""The two views of the 2017 origin-by-destination data against the one-series bound.

Run by hand from the project root: `python benchmarks/bilateral_views.py [--postgres URL]`
(see benchmarks/README.md, "Bilateral views"). A node is set up as `sdmxnode init` does by
default (both demo editions, 434,648 observations) in a temporary SQLite file, and, with
`--postgres`, in the (empty) PostgreSQL database named; each is served with `sdmxnode serve`
(and, with `--baseline TREE`, also by the code of another source tree, on the same
databases) and asked, SDMX-CSV 1.0, after one warm-up, median of 5 per round, in
`--rounds` rounds in which the servers take turns query by query:

- one series: Kenya-born in Uganda (`A.UGA.STOCK.KEN._T._T._T._T`, 7 observations);
- one origin across all destinations (`A.*.STOCK.KEN._T._T._T._T`, about 1,800);
- one destination across all origins (`A.UGA.STOCK.*._T._T._T._T`, about 1,650).

Targets: each view within 1.5x the one-series time of the same store (issue 23, with the
growth bound of issue 19); each query on PostgreSQL within 1.2x of SQLite (issue 19).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_queries import (  # noqa: E402
    PROJECT_ROOT,
    fetch,
    free_port,
    median_of,
    node_command,
    serving,
)

FLOW = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS2017/1.0.0/"
CSV_10 = "application/vnd.sdmx.data+csv;version=1.0.0"
QUERIES = (
    ("one series (Kenya-born in Uganda)", "A.UGA.STOCK.KEN._T._T._T._T"),
    ("one origin, all destinations (Kenya-born)", "A.*.STOCK.KEN._T._T._T._T"),
    ("one destination, all origins (Uganda)", "A.UGA.STOCK.*._T._T._T._T"),
)
BOUND = 1.5
#: PostgreSQL's time of each query at most this multiple of SQLite's (issue 19).
ENGINE_BOUND = 1.2
REPEATS = 5


def environment(database_url: str, tree: Path = PROJECT_ROOT) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
    env["SDMXNODE_DATABASE_URL"] = database_url
    env.pop("SDMXNODE_DEMO_DATA", None)  # the default: both editions
    env["SDMXNODE_LOG_LEVEL"] = "WARNING"
    return env


def initialise(database_url: str) -> None:
    """`sdmxnode init` with the default demo data, by this tree."""
    subprocess.run(
        node_command("init"),
        env=environment(database_url),
        check=True,
        capture_output=True,
        timeout=1800,
    )


def served_code(base: str) -> None:
    """Fail unless the server at `base` answers one series (a check of the set-up)."""
    fetch(base + FLOW + QUERIES[0][1], CSV_10)


def measure(servers: dict[str, str], rounds: int) -> dict[tuple[str, str], list[float]]:
    """Per (server label, query name): the median of REPEATS requests in each round. The
    servers are asked in turn, query by query, so that they share the machine's noise."""
    found: dict[tuple[str, str], list[float]] = {}
    for base in servers.values():
        for _, key in QUERIES:
            fetch(base + FLOW + key, CSV_10)  # warm-up
    for _ in range(rounds):
        for name, key in QUERIES:
            for label, base in servers.items():
                url = base + FLOW + key
                median, _size = median_of(lambda url=url: fetch(url, CSV_10), REPEATS)
                found.setdefault((label, name), []).append(median)
    return found


def round_ratios(
    found: dict[tuple[str, str], list[float]], label: str, other: str, name: str
) -> list[float]:
    """Per round, `label`'s time of the query over `other`'s: the two were asked one right
    after the other, so each ratio shares its round's noise (the machine's speed drifts by
    more than the differences measured)."""
    pairs = zip(found[(label, name)], found[(other, name)], strict=True)
    return [mine / theirs for mine, theirs in pairs]


def report(found: dict[tuple[str, str], list[float]], labels: Sequence[str]) -> list[str]:
    """Each server's medians over the rounds (with their range), each view's ratio to one
    series, PostgreSQL's ratio to SQLite (target <= 1.2x, issue 19) and, with a baseline,
    each tree's ratio to the baseline's."""
    median = {k: statistics.median(v) for k, v in found.items()}
    lines = []
    for label in labels:
        lines.append(f"{label}:")
        for name, _ in QUERIES:
            values = found[(label, name)]
            lines.append(
                f"  {name:<45} {median[(label, name)] * 1000:8.1f} ms"
                f"  (rounds {min(values) * 1000:.1f} to {max(values) * 1000:.1f})"
            )
        series = median[(label, QUERIES[0][0])]
        for name, _ in QUERIES[1:]:
            ratio = median[(label, name)] / series
            verdict = "holds" if ratio <= BOUND else "FAILS"
            lines.append(f"  {name}: {ratio:.2f}x one series (target <= {BOUND}x: {verdict})")
    for tree in ("", "baseline "):
        sqlite, postgres = f"{tree}SQLite", f"{tree}PostgreSQL"
        if sqlite not in labels or postgres not in labels:
            continue
        lines.append(f"{tree}PostgreSQL / SQLite (then the median of the rounds' own ratios):")
        for name, _ in QUERIES:
            ratio = median[(postgres, name)] / median[(sqlite, name)]
            verdict = "holds" if ratio <= ENGINE_BOUND else "FAILS"
            rounds = round_ratios(found, postgres, sqlite, name)
            spread = f"{min(rounds):.2f}x to {max(rounds):.2f}x"
            lines.append(
                f"  {name:<45} {ratio:5.2f}x (target <= {ENGINE_BOUND}x: {verdict});"
                f" rounds {statistics.median(rounds):.2f}x ({spread})"
            )
    for label in labels:
        if label.startswith("baseline ") or f"baseline {label}" not in labels:
            continue
        lines.append(f"{label}, this tree / baseline:")
        for name, _ in QUERIES:
            ratio = median[(label, name)] / median[(f"baseline {label}", name)]
            lines.append(f"  {name:<45} {ratio:5.2f}x")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to measure too")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the queries, servers in turn"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another source tree (e.g. from `git archive`) served on the same databases",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sdmxnode-bilateral-") as folder:
        workdir = Path(folder)
        databases = {"SQLite": f"sqlite:///{workdir / 'node.db'}"}
        if args.postgres:
            databases["PostgreSQL"] = args.postgres
        for url in databases.values():
            initialise(url)
        trees = {"": PROJECT_ROOT}
        if args.baseline:
            trees["baseline "] = args.baseline.resolve()
        servers: dict[str, str] = {}
        with ExitStack() as stack:
            for prefix, tree in trees.items():
                for engine, url in databases.items():
                    label = f"{prefix}{engine}"
                    port = free_port()
                    base = f"http://127.0.0.1:{port}"
                    log_path = workdir / f"serve-{port}.log"
                    command = node_command("serve", "--port", str(port))
                    stack.enter_context(
                        serving(command, environment(url, tree), base + "/health", log_path)
                    )
                    served_code(base)
                    servers[label] = base
            found = measure(servers, args.rounds)
    print("\n".join(report(found, list(servers))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
