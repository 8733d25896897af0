"""A real node process (gunicorn, as `sdmxnode serve` runs it) on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest


@dataclass(frozen=True)
class LiveNode:
    url: str  # base URL, e.g. http://127.0.0.1:8123
    database_url: str
    pid: int = 0  # the gunicorn master's process id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_node(
    database_url: str,
    structure_dirs: list[Path] | None,
    log: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[LiveNode]:
    """Run `sdmxnode serve` until the caller is done; wait for /health first.

    With `structure_dirs` None the node starts as the README's quick start does: the
    project's own structures, demo data and demo metadata; otherwise it loads those folders
    and no data or metadata.
    """
    port = _free_port()
    env = dict(os.environ, SDMXNODE_DATABASE_URL=database_url, **(extra_env or {}))
    if structure_dirs is not None:
        env["SDMXNODE_STRUCTURE_DIRS"] = os.pathsep.join(str(d) for d in structure_dirs)
        env["SDMXNODE_DEMO_DATA"] = ""
        env["SDMXNODE_DEMO_METADATA"] = ""  # the demo sets need the project's MSD
    _prepare(env)
    command = [sys.executable, "-m", "sdmxnode.cli", "serve", "--port", str(port), "--workers", "1"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the node did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield LiveNode(url, database_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _prepare(env: dict[str, str]) -> None:
    """Fill the node's fresh database as `sdmxnode serve` will initialise it, from the test
    process's template (tests/conftest.initialise_from_template): the server's own start-up
    then finds everything in place (its idempotent pass still runs), in a second instead of
    the several a first load of the structures, demo data and metadata takes. A database
    that holds anything already is left as it is."""
    from sdmxnode.app import create_app
    from tests.conftest import initialise_from_template

    with mock.patch.dict(os.environ, env, clear=True):
        application = create_app({"TESTING": True})
    node = application.extensions["sdmxnode"]
    try:
        if node.store.count_artefacts() == 0:
            initialise_from_template(node)
    finally:
        node.store.engine.dispose()


@pytest.fixture
def live_node_with(database_url: str, tmp_path: Path):
    """A factory: start a live node serving the structure folders given."""
    started: list[Iterator[LiveNode]] = []

    def start(*structure_dirs: Path) -> LiveNode:
        folders = list(structure_dirs) if structure_dirs else None
        generator = start_node(database_url, folders, tmp_path / "node.log")
        started.append(generator)
        return next(generator)

    yield start
    for generator in started:
        generator.close()
