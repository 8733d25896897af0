"""What SQLite's durable commits cost: synchronous=FULL (the default) against NORMAL.

Run by hand from the project root (not by pytest):

    PYTHONPATH=. python benchmarks/sqlite_durability.py [--commits 300] [--loads 5]

Each setting gets a fresh SQLite file store holding the project's structures, then:

- `--commits` small committed writes (audit entries, one transaction each: what every
  write request adds), timed together;
- `--loads` data loads of the demo message (5,538 observations; the first creates, the
  others overwrite), timed together.

It prints both times per setting and the ratio FULL / NORMAL. The cost of FULL is one more
fsync per commit (of the WAL), so it shows on many small commits and little on big loads.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEMO = PROJECT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"


def _measure(durable: bool, commits: int, loads: int) -> tuple[float, float]:
    from sdmxnode.app import create_app
    from sdmxnode.refs import ArtefactRef
    from sdmxnode.services.data.loading import LoadOptions, load_data
    from sdmxnode.services.setup import initialise_node
    from sdmxnode.storage.access import AuditEntry

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'node.db'}"
        app = create_app({"DATABASE_URL": url, "DEMO_DATA": "", "SQLITE_DURABLE": durable})
        node = app.extensions["sdmxnode"]
        initialise_node(node)
        entry = AuditEntry(datetime.now(UTC), "t1", "admin", "bench", "x", "ok", 200)
        start = time.perf_counter()
        for _ in range(commits):
            node.access.record(entry)
        small = time.perf_counter() - start
        flow = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
        start = time.perf_counter()
        for _ in range(loads):
            load_data(node, DEMO, LoadOptions(dataflow=flow))
        big = time.perf_counter() - start
        node.store.dispose()
    return small, big


def main() -> None:
    """Measure both settings and print the times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    full = _measure(True, args.commits, args.loads)
    normal = _measure(False, args.commits, args.loads)
    print(f"{args.commits} small commits: FULL {full[0]:.2f} s, NORMAL {normal[0]:.2f} s, "
          f"ratio {full[0] / normal[0]:.2f}")  # fmt: skip
    print(f"{args.loads} demo loads: FULL {full[1]:.2f} s, NORMAL {normal[1]:.2f} s, "
          f"ratio {full[1] / normal[1]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
