"""Delivering notifications: signed POSTs of valid NotifyRegistryEvent messages, retried with
backoff while the callback fails, given up after the last attempt, every attempt logged;
two deliverers never claim the same notification (many rounds, on the suite's engine)."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from sdmxnode.app import create_app
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.services.subscriptions.delivery import SIGNATURE_HEADER, deliver_due
from sdmxnode.storage.notifications import NotificationStore
from sdmxnode.validation.schema import validate_ml21
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template
from tests.http_source import serving
from tests.providers.test_agreement_race import racer_structures
from tests.races import race
from tests.subscriptions.conftest import subscribe_request
from tests.subscriptions.test_outbox import principal, subscribe


def readme_receiver():  # noqa: ANN201 (the README's function)
    """The README's receiver example, run as it is written there."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- receiver-example -->", 1)[1].split("```python", 1)[1]
    code = textwrap.dedent(block.split("```", 1)[0])
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    return namespace["is_from_the_node"]


class Receiver(http.server.BaseHTTPRequestHandler):
    """A subscriber's callback: answers `answers` in turn (then 204), keeps what it got."""

    answers: list[int] = []
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's spelling)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.answers.pop(0) if self.answers else 204
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("R", (Receiver,), {"answers": [], "received": []})
    with serving(handler) as url:
        yield url, handler


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    """A node with the project's structures, a short backoff and three attempts."""
    app: Flask = create_app(
        {
            "DATABASE_URL": fresh_database(tmp_path),
            "TESTING": True,
            "DEMO_DATA": "",
            "DEMO_METADATA": "",
            "NOTIFY_BACKOFF": 0.2,
            "NOTIFY_ATTEMPTS": 3,
        }
    )
    found: Node = app.extensions["sdmxnode"]
    initialise_from_template(found)
    yield found
    found.store.engine.dispose()


def test_a_notification_is_signed_retried_and_delivered(node: Node, receiver) -> None:  # noqa: ANN001
    url, handler = receiver
    status = subscribe(node, principal(node, role="admin"), subscribe_request(f"{url}/hook"))
    load_structures(node.store, racer_structures(), source="TEST-RACER")
    store = NotificationStore.sharing(node.store)
    count = store.count("pending")
    assert count == 2  # TEST's provider scheme replaced, IMDX's agreement added

    handler.answers = [503, 503, 503]  # the callback fails three times, then takes them
    first = deliver_due(node)
    assert (first.delivered, first.retried) == (0, 2)
    assert deliver_due(node).retried == 0  # nothing due before its backoff
    time.sleep(0.25)
    second = deliver_due(node)  # one fails again (waits 0.4 s now), one is delivered
    assert (second.delivered, second.retried) == (1, 1)
    time.sleep(0.45)
    assert deliver_due(node).delivered == 1
    assert store.count("delivered") == 2 and store.count("pending") == 0

    numbers = set()
    for headers, body in handler.received:
        assert headers["content-type"] == "application/vnd.sdmx.registry+xml;version=2.1"
        expected = hmac.new(status.secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers[SIGNATURE_HEADER.lower()] == f"sha256={expected}"
        assert headers["x-sdmx-subscription"] == status.subscription.urn
        assert validate_ml21(body) == []
        root = etree.fromstring(body)
        assert root.findtext(".//{*}SubscriptionURN") == status.subscription.urn
        numbers.add(headers["x-sdmx-notification"])
    assert len(handler.received) == 5 and len(numbers) == 2  # retries keep their number
    is_from_the_node = readme_receiver()
    headers, body = handler.received[0]
    assert is_from_the_node(body, headers[SIGNATURE_HEADER.lower()], status.secret)
    assert not is_from_the_node(body + b" ", headers[SIGNATURE_HEADER.lower()], status.secret)
    assert not is_from_the_node(body, headers[SIGNATURE_HEADER.lower()], "another secret")
    assert [a.status for a in store.attempts()].count(503) == 3


def test_a_notification_is_given_up_after_its_last_attempt(node: Node, receiver) -> None:  # noqa: ANN001
    url, handler = receiver
    subscribe(
        node,
        principal(node, role="admin"),
        subscribe_request(f"{url}/hook", agencies=("TEST",), registrations=False),
    )
    load_structures(node.store, racer_structures(), source="TEST-RACER")
    handler.answers = [500, 500, 500]
    for pause in (0, 0.25, 0.45):
        time.sleep(pause)
        deliver_due(node)
    store = NotificationStore.sharing(node.store)
    (failed,) = store.find()
    assert failed.state == "failed" and failed.attempts == 3
    assert "500" in failed.last_error and len(store.attempts(failed.pk)) == 3


def test_two_deliverers_never_claim_one_notification(node: Node) -> None:
    """Many rounds of two claimers at once over the same due notifications: each is
    claimed by one of them, never both (PostgreSQL: SKIP LOCKED; SQLite: the write lock)."""
    subscribe(node, principal(node, role="admin"), subscribe_request("http://127.0.0.1:9/x"))
    store = NotificationStore.sharing(node.store)
    for _ in range(10):
        load_structures(node.store, racer_structures(), source="TEST-RACER")
        # make the pending ones due and unclaimed again, as new
        with node.store.engine.begin() as conn:
            from sdmxnode.storage.tables import notifications

            conn.execute(notifications.update().values(claimed_until=None, state="pending"))
        total = store.count("pending")
        first, second = race(
            lambda: store.claim_due(limit=1000), lambda: store.claim_due(limit=1000)
        )
        mine = {c.notification.pk for c in first}  # type: ignore[attr-defined]
        theirs = {c.notification.pk for c in second}  # type: ignore[attr-defined]
        assert not mine & theirs
        assert len(mine | theirs) == total
