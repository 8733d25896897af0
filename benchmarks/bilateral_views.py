"""The two views of the 2017 origin-by-destination data against the one-series bound.

Run by hand from the project root: `python benchmarks/bilateral_views.py [--postgres URL]`
(see benchmarks/README.md, "Bilateral views"). A node is set up as `sdmxnode init` does by
default (both demo editions, 434,648 observations) in a temporary SQLite file, and, with
`--postgres`, in the (empty) PostgreSQL database named; each is served with `sdmxnode serve`
and asked, SDMX-CSV 1.0, median of 5 after one warm-up:

- one series: Kenya-born in Uganda (`A.UGA.STOCK.KEN._T._T._T._T`, 7 observations);
- one origin across all destinations (`A.*.STOCK.KEN._T._T._T._T`, about 1,800);
- one destination across all origins (`A.UGA.STOCK.*._T._T._T._T`, about 1,650).

Target (issue 23, with the growth bound of issue 19): each view within 1.5x the one-series
time of the same store.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
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
REPEATS = 5


def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["SDMXNODE_DATABASE_URL"] = database_url
    env.pop("SDMXNODE_DEMO_DATA", None)  # the default: both editions
    env["SDMXNODE_LOG_LEVEL"] = "WARNING"
    return env


def measure(label: str, database_url: str, workdir: Path) -> list[str]:
    """The three queries' medians on one engine, with each view's ratio to one series."""
    env = environment(database_url)
    subprocess.run(node_command("init"), env=env, check=True, capture_output=True, timeout=1800)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    lines = [f"{label}:"]
    with serving(
        node_command("serve", "--port", str(port)), env, base + "/health", workdir / "serve.log"
    ):
        seconds = []
        for name, key in QUERIES:
            url = base + FLOW + key
            fetch(url, CSV_10)  # warm-up
            median, size = median_of(lambda url=url: fetch(url, CSV_10), REPEATS)
            seconds.append(median)
            lines.append(f"  {name:<45} {median * 1000:8.1f} ms {size / 1e3:8.1f} kB")
        for (name, _), value in zip(QUERIES[1:], seconds[1:], strict=True):
            ratio = value / seconds[0]
            verdict = "holds" if ratio <= BOUND else "FAILS"
            lines.append(f"  {name}: {ratio:.2f}x one series (target <= {BOUND}x: {verdict})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to measure too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sdmxnode-bilateral-") as folder:
        workdir = Path(folder)
        report = measure("SQLite", f"sqlite:///{workdir / 'node.db'}", workdir)
        if args.postgres:
            report += measure("PostgreSQL", args.postgres, workdir)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
