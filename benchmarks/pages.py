"""Server time of the HTML pages: this tree against a baseline revision, in one run.

Run by hand from the project root (not by pytest):

    PYTHONPATH=. python benchmarks/pages.py [--baseline 66d6c52] [--repeat 15] [--warmup 3]
        [--postgres postgresql+psycopg://USER:PASSWORD@HOST/EMPTY_DB]

One database is set up as `sdmxnode init` does by default (the project's structures, both
demo editions, the demo metadata) by this tree: a temporary SQLite file, or with
`--postgres` the empty PostgreSQL database named. The baseline revision is extracted with
`git archive` into a temporary folder. Each tree gets its own subprocess, importing its own
`sdmxnode` (PYTHONPATH set to that tree), with one application (`create_app`) on that
database and Flask's test client: the server time of a page is the time of
`client.get(path)` with the body read, no network and no browser. After `--warmup` requests
of every page in each tree, the two trees are asked in turn, request by request (baseline,
now, now, baseline...: the first asked flips every round), so both share the machine's
noise; each figure is the median of `--repeat` requests. `--baseline HEAD` compares the tree
with its own last commit: the ratios then show the method's noise.

Pages (issue 21: home, explorer, explorer with all areas, comparability, code list); target:
each page's time now within 1.5x of the baseline's. It prints the table and exits 1 when a
target fails or a page does not answer 200.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import IO, Any

PROJECT = Path(__file__).resolve().parent.parent
PAGES = (
    ("home", "/"),
    ("explorer", "/explore/IMDX/DF_MIG_STOCK_IMS"),
    ("explorer, all areas", "/explore/IMDX/DF_MIG_STOCK_IMS?key=A..STOCK.FB._T._T._T._T"),
    ("comparability", "/compare/IMDX/DF_MIG_STOCK_IMS"),
    ("code list", "/codelist/IMDX/CL_AREA"),
)
BOUND = 1.5


# --- the worker: one tree's application, answering one request per line of stdin


def serve_requests(database_url: str) -> None:
    """Read paths from stdin, one a line; answer each with a JSON line (seconds, status,
    bytes) on stdout. The first line written names the `sdmxnode` imported."""
    import sdmxnode
    from sdmxnode.app import create_app

    app = create_app({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    print(json.dumps({"sdmxnode": str(Path(sdmxnode.__file__).resolve().parent)}), flush=True)
    for line in sys.stdin:
        path = line.strip()
        if not path:
            break
        start = time.perf_counter()
        response = client.get(path)
        size = len(response.get_data())
        seconds = time.perf_counter() - start
        answer = {"seconds": seconds, "status": response.status_code, "bytes": size}
        print(json.dumps(answer), flush=True)


# --- the driver


class Tree:
    """One tree's worker subprocess."""

    def __init__(self, label: str, root: Path, database_url: str, log: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(root)
        env["SDMXNODE_LOG_LEVEL"] = "WARNING"
        self.label = label
        self.log = log
        with log.open("w") as errors:  # the sdmx library's notes on structures, tracebacks
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--worker", database_url],
                cwd=root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        hello = self._read()
        self.package = str(hello["sdmxnode"])
        if not Path(self.package).is_relative_to(root.resolve()):
            raise SystemExit(f"{label}: imported sdmxnode from {self.package}, not from {root}")

    def _read(self) -> dict[str, Any]:
        out: IO[str] = self.process.stdout  # type: ignore[assignment]
        line = out.readline()
        if not line:
            status = self.process.wait()
            tail = self.log.read_text()[-3000:]
            raise SystemExit(f"{self.label}: the worker stopped (exit {status}):\n{tail}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def get(self, path: str) -> dict[str, Any]:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.write(path + "\n")
        stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def extract(revision: str, folder: Path) -> Path:
    """The tree of `revision` (`git archive`), extracted into `folder`."""
    archive = folder / "baseline.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", revision], cwd=PROJECT, stdout=out, check=True)
    root = folder / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    archive.unlink()
    return root


def set_up(database_url: str) -> float:
    """Set the database up as `sdmxnode init` does, with this tree; the seconds it took."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT)
    env["SDMXNODE_DATABASE_URL"] = database_url
    env.pop("SDMXNODE_DEMO_DATA", None)  # the default: both editions
    env["SDMXNODE_LOG_LEVEL"] = "WARNING"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sdmxnode.cli", "init"],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        timeout=1800,
    )
    return time.perf_counter() - start


Times = dict[str, dict[str, list[float]]]


def measure(trees: list[Tree], repeat: int, warmup: int) -> tuple[Times, dict[str, int]]:
    """Seconds of each request, per page and tree, the trees asked in turn; and the size
    of each page's body, per page and tree ("page|tree")."""
    times: Times = {name: {tree.label: [] for tree in trees} for name, _ in PAGES}
    sizes: dict[str, int] = {}
    for round_ in range(warmup + repeat):
        # The order of the trees flips every round: neither is always the first asked.
        order = trees if round_ % 2 == 0 else trees[::-1]
        for name, path in PAGES:
            for tree in order:
                answer = tree.get(path)
                if answer["status"] != 200:
                    tail = tree.log.read_text()[-3000:]
                    raise SystemExit(f"{tree.label}: {path} answered {answer['status']}\n{tail}")
                if round_ >= warmup:
                    times[name][tree.label].append(answer["seconds"])
                sizes[f"{name}|{tree.label}"] = answer["bytes"]
    return times, sizes


def report(times: Times, sizes: dict[str, int], baseline: str) -> tuple[list[str], bool]:
    """The table (one line per page) and whether every page holds its target."""
    lines = [
        f"{'page':<22} {'baseline ms':>12} {'now ms':>10} {'ratio':>7}  {'target <= 1.5x':<15}"
        f"{'kB baseline / now':>18}",
    ]
    holds_all = True
    for name, _ in PAGES:
        before = statistics.median(times[name][baseline])
        now = statistics.median(times[name]["now"])
        ratio = now / before
        holds = ratio <= BOUND
        holds_all &= holds
        verdict = "holds" if holds else "FAILS"
        kilobytes = f"{sizes[f'{name}|{baseline}'] / 1e3:.0f} / {sizes[f'{name}|now'] / 1e3:.0f}"
        lines.append(
            f"{name:<22} {before * 1000:12.1f} {now * 1000:10.1f} {ratio:6.2f}x  {verdict:<15}"
            f"{kilobytes:>18}"
        )
    return lines, holds_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="66d6c52", help="git revision to compare with")
    parser.add_argument("--repeat", type=int, default=15, help="requests per page and tree")
    parser.add_argument("--warmup", type=int, default=3, help="first requests not counted")
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to use instead")
    parser.add_argument("--worker", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        serve_requests(args.worker)
        return 0
    with tempfile.TemporaryDirectory(prefix="sdmxnode-pages-") as name:
        folder = Path(name)
        database_url = args.postgres or f"sqlite:///{folder / 'node.db'}"
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(f"setting up the database ({engine}) as `sdmxnode init` does...", flush=True)
        print(f"  {set_up(database_url):.1f} s", flush=True)
        baseline = f"baseline {args.baseline}"
        trees = [
            Tree(baseline, extract(args.baseline, folder), database_url, folder / "base.log"),
            Tree("now", PROJECT, database_url, folder / "now.log"),
        ]
        try:
            times, sizes = measure(trees, args.repeat, args.warmup)
        finally:
            for tree in trees:
                tree.close()
    lines, holds = report(times, sizes, baseline)
    print(
        f"{engine}; median of {args.repeat} requests per page after {args.warmup} warm-up "
        f"rounds; the trees asked in turn; baseline = {args.baseline}, now = this tree"
    )
    print("\n".join(lines))
    return 0 if holds else 1


if __name__ == "__main__":
    raise SystemExit(main())
