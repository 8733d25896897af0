"""dsss ("Dead-Simple SDMX Server") fed the benchmark's data, for benchmarks/data_queries.py.

dsss serves what a `dsss.store.StructuredFileStore` holds (its README: point the server at a
store folder and run `uvicorn --factory dsss:build_app`; dsss 1.3 takes the store as an
argument of `build_app`, hence the `app` factory below). The store is filled with
`Store.update_from(path)` from SDMX-ML messages: the node's structure folders and the data
as SDMX-ML 2.1 generic data (sdmx1, which dsss reads with, needs no DSD for that form).

Also runnable: `python dsss_reference.py feed STORE_FOLDER MESSAGE...`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: dsss finds a data set by the id of its DSD (`Store.list(BaseDataSet, id=dsd.id)`), while
#: the node's messages name the dataflow: the header is rewritten to name the DSD.
FLOW_REF = '<com:StructureUsage><Ref agencyID="IMDX" id="DF_MIG_STOCK_IMS" version="1.0.0"/>'
FLOW_REF_END = "</com:StructureUsage>"
DSD_REF = '<com:Structure><Ref agencyID="IMDX" id="DSD_MIG_STOCK" version="1.0.0"/></com:Structure>'
FEED_TIMEOUT = 1800.0  # seconds


class DsssUnavailable(Exception):
    """dsss could not be installed, fed or queried: the message says why."""


def app() -> Any:
    """The dsss ASGI app over the store folder named by DSSS_STORE (a uvicorn factory)."""
    from dsss import build_app
    from dsss.store import StructuredFileStore

    return build_app(store=StructuredFileStore(Path(os.environ["DSSS_STORE"])), debug=False)


def feed(store_folder: Path, messages: list[Path]) -> None:
    """Fill a StructuredFileStore from SDMX-ML files or folders, as dsss's docs say."""
    from dsss.store import StructuredFileStore

    store = StructuredFileStore(store_folder)
    for message in messages:
        store.update_from(message)


def name_dsd(generic: Path, target: Path) -> None:
    """A copy of the node's generic message whose header names the DSD, not the dataflow."""
    with generic.open("r", encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        head = source.read(4096)
        start = head.find(FLOW_REF)
        end = head.find(FLOW_REF_END, start)
        if start < 0 or end < 0:
            raise DsssUnavailable("the node's generic message does not name the dataflow")
        out.write(head[:start] + DSD_REF + head[end + len(FLOW_REF_END) :])
        while block := source.read(1 << 20):
            out.write(block)


def run_dsss(
    generic: Path,
    project_root: Path,
    workdir: Path,
    observations: int,
    timeout: float,
    serving: Callable[..., Any],
    fetch: Callable[[str, str | None], tuple[float, int]],
) -> tuple[float, int]:
    """Feed dsss the data of `generic`, serve it with uvicorn, time one full-flow query."""
    try:
        import dsss  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise DsssUnavailable(f"{exc.name} is not installed (pip install dsss uvicorn)") from exc
    store = workdir / "dsss-store"
    data = workdir / "dsss-data"
    data.mkdir()
    name_dsd(generic, data / "IMDX-DF_MIG_STOCK_IMS-generic.xml")
    here = Path(__file__).resolve()
    folders = [project_root / "dsd", project_root / "codelists", data]
    start = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, str(here), "feed", str(store), *map(str, folders)],
            check=True,
            capture_output=True,
            timeout=FEED_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise DsssUnavailable(
            f"feeding its store {observations:,} observations took over {FEED_TIMEOUT:.0f} s"
        ) from exc
    except subprocess.CalledProcessError as exc:
        raise DsssUnavailable(f"feeding its store failed: {exc.stderr[-2000:]!r}") from exc
    print(f"dsss store fed in {time.perf_counter() - start:.1f} s", flush=True)
    if not any(p.name.startswith("data-") for p in (store / "IMDX").iterdir()):
        raise DsssUnavailable("its store holds no data set after update_from")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "dsss_reference:app",
        "--app-dir",
        str(here.parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "DSSS_STORE": str(store)}
    base = f"http://127.0.0.1:{port}"
    with serving(command, env, base + "/", workdir / "dsss.log"):
        try:
            return fetch(base + "/data/IMDX,DF_MIG_STOCK_IMS,1.0.0", None)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
            raise DsssUnavailable(f"its full-flow query failed: {exc!r}") from exc


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "feed":
        sys.exit("usage: dsss_reference.py feed STORE_FOLDER MESSAGE...")
    feed(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
