"""The README's reverse-proxy example (deploy/nginx/sdmxnode.conf) in front of a live node.

nginx runs the committed file unchanged but for its two ports, inside a minimal main
configuration of its own (a temporary prefix, no daemon, no master process). Skipped when
nginx is not installed (Debian: apt-get install nginx-light).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, PROJECT_ROOT, fresh_database
from tests.live.conftest import LiveNode, _free_port, start_node
from tests.live.slow_client import Outcome, Probe, http_head, probe_until, slow_request

pytestmark = pytest.mark.live

SITE = PROJECT_ROOT / "deploy" / "nginx" / "sdmxnode.conf"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
)
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx-light)"
)
SLOW_CLIENTS = 32
PROBE_SECONDS = 2.0
DATA_QUERY = (
    "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.1.STOCK.FB._T._T._T._T"
    "?startPeriod=1990&endPeriod=1990"
)
SMALL_MESSAGE = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-generic-21.xml"


def _main_config(prefix: Path, listen: int, upstream: int) -> Path:
    """A main nginx.conf in `prefix` that includes the example site, with its ports."""
    site = SITE.read_text(encoding="utf-8")
    site, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", site)
    site, servers = re.subn(r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream};", site)
    assert (listens, servers) == (1, 1), "the example's ports moved: update this test"
    (prefix / "sdmxnode.conf").write_text(site, encoding="utf-8")
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(exist_ok=True)
    main = prefix / "nginx.conf"
    main.write_text(
        f"""daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 512; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/sdmxnode.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def _nginx(prefix: Path, config: Path, *args: str) -> list[str]:
    assert NGINX is not None
    return [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config), *args]


@needs_nginx
def test_the_example_configuration_is_valid(tmp_path: Path) -> None:
    config = _main_config(tmp_path, _free_port(), 8000)
    result = subprocess.run(
        _nginx(tmp_path, config, "-t"), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@dataclass(frozen=True)
class Proxied:
    node: LiveNode
    url: str  # nginx's base URL
    node_log: Path


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    if POSTGRES_URL:
        pytest.skip("the proxy sits in front of HTTP: the same on every engine")
    folder = tmp_path_factory.mktemp("proxy")
    node_log = folder / "node.log"
    generator = start_node(fresh_database(folder), None, node_log)
    live = next(generator)
    port = _free_port()
    config = _main_config(folder, port, int(live.url.rsplit(":", 1)[1]))
    nginx = subprocess.Popen(
        _nginx(folder, config), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "error.log").read_text()[-2000:])
            time.sleep(0.1)
        yield Proxied(live, url, node_log)
    finally:
        nginx.terminate()
        try:
            nginx.wait(timeout=10)
        except subprocess.TimeoutExpired:
            nginx.kill()
        generator.close()


def _posts_seen_by_node(log: Path) -> int:
    return sum('"POST /validate' in line for line in log.read_text(errors="replace").splitlines())


def test_slow_bodies_wait_in_the_proxy_not_in_the_node(proxied: Proxied) -> None:
    body_length = 20_000
    head = http_head(
        "POST", "/validate", {"Content-Length": str(body_length), "Content-Type": "application/xml"}
    )
    stop = threading.Event()
    probes: list[Probe] = []
    prober = threading.Thread(
        target=probe_until, args=(proxied.url, ["/health", DATA_QUERY], stop, probes)
    )
    posts_before = _posts_seen_by_node(proxied.node_log)
    with ThreadPoolExecutor(max_workers=SLOW_CLIENTS) as pool:
        # 20 bytes/s for 4 s: nginx waits for the rest of each body, the node sees nothing
        slow = [
            pool.submit(slow_request, proxied.url, "slow", head, b"<" * body_length, 0.05, 4.0)
            for _ in range(SLOW_CLIENTS)
        ]
        time.sleep(0.5)
        prober.start()
        time.sleep(3.0)
        stop.set()
        prober.join()
        outcomes: list[Outcome] = [future.result() for future in slow]
    # The node kept answering while the slow bodies waited in the proxy (how many answers fit
    # in 3 s depends on the machine's load: a blocked node gives at most one).
    assert len(probes) >= 3
    slowest = max(probes, key=lambda p: p.seconds)
    assert slowest.seconds < PROBE_SECONDS, slowest
    assert {p.status for p in probes} == {200}
    assert {o.status for o in outcomes} == {-1}  # still sending when they gave up
    assert _posts_seen_by_node(proxied.node_log) == posts_before


def test_bodies_reach_the_node_whole_through_the_proxy(proxied: Proxied) -> None:
    message = SMALL_MESSAGE.read_bytes()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(message), 1000):
            yield message[start : start + 1000]

    for body in (message, chunks()):  # with Content-Length, then chunked
        request = urllib.request.Request(
            f"{proxied.url}/validate",
            data=body,
            headers={"Content-Type": "application/xml", "Accept": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            assert json.loads(answer.read())["valid"] is True
    with urllib.request.urlopen(f"{proxied.url}/openapi.json", timeout=30) as answer:
        assert proxied.url.encode() in answer.read()  # links name the proxy's host and port
