"""A live node and a test receiver on loopback (issue 17.4): a structure change and a new
registration each reach the subscriber as a well-formed, signed NotifyRegistryEvent; with
the receiver down the notification is retried and arrives once it is back, also across a
restart of the node."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.config import load_settings
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.validation.schema import validate_ml21
from tests.conftest import fresh_database
from tests.live.conftest import LiveNode, _free_port, start_node
from tests.live.test_harvest_nodes import YES_NO
from tests.providers.conftest import nso_structures
from tests.providers.test_agreement_race import racer_structures
from tests.registrations.conftest import PA_NSO, submit_request

pytestmark = pytest.mark.live

FAST = {
    "SDMXNODE_NOTIFY_INTERVAL": "0.2",
    "SDMXNODE_NOTIFY_BACKOFF": "0.3",
    "SDMXNODE_NOTIFY_ATTEMPTS": "50",
    "SDMXNODE_HARVEST_RETRIES": "0",
}


class Receiver:
    """A subscriber's callback on a fixed loopback port, which can go down and come back."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: http.server.ThreadingHTTPServer | None = None

    def up(self) -> None:
        received = self.received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events"

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} arrived"
            time.sleep(0.1)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.up()
    yield found
    if found.server is not None:
        found.down()


def _post(node: LiveNode, path: str, token: str, body: bytes, media: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        node.url + path,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": media},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _checked(headers: dict[str, str], body: bytes, secret: str) -> etree._Element:
    """The notification's root, after checking its signature and schema."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-sdmx-signature"], expected)
    assert validate_ml21(body) == []
    return etree.fromstring(body)


def test_notifications_reach_a_subscriber_even_through_downtime_and_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    database = fresh_database(tmp_path)
    dirs = list(load_settings().structure_dirs)
    started = start_node(database, dirs, tmp_path / "a.log", FAST)
    a = next(started)
    try:
        node = Node.from_settings(load_settings({"DATABASE_URL": database}))
        load_structures(node.store, nso_structures(), source="TEST-NSO")
        admin = create_token(node, role="admin")
        nso = create_token(node, role="provider", provider="TEST:NSO")
        subscription = {
            "subscriptions": [
                {
                    "organisation": "TEST:NSO",
                    "callbacks": [receiver.url],
                    "events": [
                        {"type": "structure", "agencies": ["IMDX"]},
                        {"type": "registration"},
                    ],
                }
            ]
        }
        status, answer = _post(
            a, "/rest/v2/subscription", admin, json.dumps(subscription).encode(), "application/json"
        )
        assert status == 201, answer[:500]
        (entry,) = json.loads(answer)["subscriptions"]
        secret, urn = entry["secret"], entry["urn"]

        # A structure change: IMDX's new provision agreement (TEST's scheme is not selected).
        load_structures(node.store, racer_structures(), source="TEST-RACER")
        receiver.wait_for(1)
        headers, body = receiver.received[0]
        root = _checked(headers, body, secret)
        assert root.findtext(".//{*}ObjectURN") == (
            "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement=IMDX:PA_RACER(1.0.0)"
        )
        assert root.findtext(".//{*}SubscriptionURN") == urn
        assert root.findtext(".//{*}EventAction") == "Append"

        # A new registration, over HTTP.
        request = submit_request([("Append", "REG_LIVE", PA_NSO, "http://127.0.0.1:9/rest/v2")])
        status, answer = _post(a, "/rest/v2/registration", nso, request, "application/xml")
        assert status == 201, answer[:500]
        receiver.wait_for(2)
        root = _checked(*receiver.received[1], secret)
        assert root.findtext(".//{*}RegistrationID") == "REG_LIVE"
        assert root.find(".//{*}RegistrationEvent/{*}Registration") is not None

        # The receiver goes down; a change is notified in vain, retried, and waits.
        receiver.down()
        changed = racer_structures().replace(b"A racing office", b"A racing office, renamed")
        load_structures(node.store, changed, source="TEST-RACER")  # TEST's scheme: not selected
        agreement = racer_structures().replace(
            b'isFinal="false"', b'isFinal="false" validTo="2099-01-01T00:00:00"'
        )
        load_structures(node.store, agreement, source="TEST-RACER")
        deadline = time.monotonic() + 20
        while not _attempted(node):
            assert time.monotonic() < deadline, "the deliverer never tried"
            time.sleep(0.1)
        # ... and the node restarts meanwhile.
        started.close()
        started = start_node(database, dirs, tmp_path / "a2.log", FAST)
        a = next(started)
        receiver.up()
        receiver.wait_for(3)
        headers, body = receiver.received[2]
        root = _checked(headers, body, secret)
        assert root.findtext(".//{*}EventAction") == "Replace"
        assert "PA_RACER" in (root.findtext(".//{*}ObjectURN") or "")
    finally:
        started.close()


def _attempted(node: Node) -> bool:
    """Whether a delivery to the receiver has failed at least once (it is down)."""
    from sdmxnode.services.subscriptions.delivery import delivery_log

    return any(a.error for a in delivery_log(node))


def test_harvest_as_a_subscriber_takes_what_the_notification_names(tmp_path: Path) -> None:
    """`sdmxnode harvest SOURCE --listen`: B subscribes to A, harvests A whole once, then a
    new code list version on A reaches B through A's notification, without polling."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    database_a, database_b = fresh_database(tmp_path / "a"), fresh_database(tmp_path / "b")
    dirs = list(load_settings().structure_dirs)
    started = start_node(database_a, dirs, tmp_path / "a.log", FAST)
    a = next(started)
    try:
        node_a = Node.from_settings(load_settings({"DATABASE_URL": database_a}))
        token = create_token(node_a, role="admin")
        env = dict(os.environ, SDMXNODE_DATABASE_URL=database_b, SDMXNODE_DEMO_DATA="")
        command = [
            sys.executable, "-m", "sdmxnode.cli", "harvest", f"{a.url}/rest/v2",
            "--listen", "127.0.0.1:0", "--source-token", token, "--max-events", "1",
            "--no-metadata",
        ]  # fmt: skip
        with (tmp_path / "b.log").open("wb") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while b"listening on" not in (tmp_path / "b.log").read_bytes() or not _harvested(
                database_b
            ):
                assert process.poll() is None, (tmp_path / "b.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "B never subscribed and harvested"
                time.sleep(0.2)
            new_version = YES_NO.read_bytes().replace(b'version="1.0.0"', b'version="1.1.0"')
            load_structures(node_a.store, new_version.replace(b"(1.0.0)", b"(1.1.0)"))
            assert process.wait(timeout=60) == 0, (tmp_path / "b.log").read_text()[-2000:]
        finally:
            if process.poll() is None:
                process.kill()
        log = (tmp_path / "b.log").read_text()
        assert (
            "notified: Append urn:sdmx:org.sdmx.infomodel.codelist.Codelist=IMDX:CL_YES_NO(1.1.0)"
            in log
        )
        node_b = Node.from_settings(load_settings({"DATABASE_URL": database_b}))
        held = node_b.store.find_artefacts({"Codelist"}, {"IMDX"}, {"CL_YES_NO"})
        assert sorted(r.ref.version for r in held) == ["1.0.0", "1.1.0"]
    finally:
        started.close()


def _harvested(database: str) -> bool:
    """Whether B's first (whole) harvest has stored A's structures."""
    try:
        node = Node.from_settings(load_settings({"DATABASE_URL": database}))
        return bool(node.store.find_artefacts({"Codelist"}, {"IMDX"}, {"CL_YES_NO"}))
    except Exception:  # noqa: BLE001 - B's store may not exist yet
        return False
