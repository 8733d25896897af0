"""Validation benchmark: `sdmxnode validate` against pysdmx reading the same message.

Run by hand from the project root (not by pytest):

    PYTHONPATH=. python benchmarks/validation.py [--observations 200000] [--repeat 3]

Whole processes, as a user runs them, in the same run:

- the small fixture (`fixtures/data/small/small-structurespecific-21.xml`, 21 observations):
  `sdmxnode validate FILE` with an empty structure cache (the first run after the structure
  files changed), then with the cache that run left; against
  `python -c "pysdmx.io.read_sdmx(FILE)"`;
- a generated SDMX-ML 2.1 structure-specific message of `--observations` observations for
  IMDX:DF_MIG_STOCK_IMS(1.0.0) (see ingest.py: valid codes, mandatory attributes present):
  `sdmxnode validate FILE` (schema, then every structure rule) against
  `pysdmx.io.read_sdmx(FILE, validate=True)` (parse and XSD validation).

Each figure is the median of `--repeat` runs. It prints the times and the ratios; the
targets (issue 22): small, cached: sdmxnode / pysdmx <= 1.0; large: pysdmx / sdmxnode >= 2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ingest  # noqa: E402  (the message generator shared with the ingest benchmark)

PROJECT = Path(__file__).resolve().parent.parent
SMALL = PROJECT / "fixtures" / "data" / "small" / "small-structurespecific-21.xml"
SDMXNODE = [sys.executable, "-m", "sdmxnode.cli", "validate"]
PYSDMX = (
    "import sys; from pysdmx.io import read_sdmx; "
    "message = read_sdmx(sys.argv[1], validate=sys.argv[2] == 'validate'); "
    "print(sum(len(d.data) for d in message.data))"
)


def _run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def _median(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, str]:
    runs = [_run(command, env) for _ in range(repeat)]
    return statistics.median(seconds for seconds, _ in runs), runs[-1][1]


def _pysdmx(path: Path, validate: bool) -> list[str]:
    return [sys.executable, "-c", PYSDMX, str(path), "validate" if validate else "parse"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sdmxnode-bench-validation-") as folder:
        tmp = Path(folder)
        env = {**os.environ, "SDMXNODE_VALIDATE_CACHE": str(tmp / "cache")}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")]))

        cold, _ = _run([*SDMXNODE, str(SMALL)], env)
        warm, answer = _median([*SDMXNODE, str(SMALL)], env, options.repeat)
        if "valid: 0 error(s)" not in answer:
            raise SystemExit(f"the small fixture did not validate:\n{answer}")
        peer_small, rows = _median(_pysdmx(SMALL, False), env, options.repeat)
        print(f"small fixture, 21 observations (pysdmx read {rows.strip()}):")
        print(f"  sdmxnode validate, empty cache   {cold:7.2f} s  {cold / peer_small:5.2f}x pysdmx")
        print(f"  sdmxnode validate, cached        {warm:7.2f} s  {warm / peer_small:5.2f}x pysdmx")
        print(f"  pysdmx read_sdmx                 {peer_small:7.2f} s")
        print(f"  target: cached / pysdmx <= 1.0: {'met' if warm <= peer_small else 'NOT met'}")

        large = tmp / "large.xml"
        codes = ingest._allowed_codes(ingest._node(tmp / "codes.db"))
        ingest.write_message(large, options.observations, codes)
        mine, answer = _median([*SDMXNODE, str(large)], env, options.repeat)
        expected = f"{options.observations} observation(s) checked"
        if "valid: 0 error(s)" not in answer or expected not in answer:
            raise SystemExit(f"the generated message did not validate as expected:\n{answer}")
        peer, rows = _median(_pysdmx(large, True), env, options.repeat)
        if int(rows.strip()) != options.observations:
            raise SystemExit(f"pysdmx read {rows.strip()} observations")
        speed = peer / mine
        size = large.stat().st_size / 1e6
        print(f"generated message, {options.observations} observations ({size:.0f} MB):")
        print(f"  sdmxnode validate                {mine:7.2f} s")
        print(f"  pysdmx read_sdmx(validate=True)  {peer:7.2f} s  ({speed:.2f}x sdmxnode's time)")
        print(f"  target: pysdmx / sdmxnode >= 2: {'met' if speed >= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
