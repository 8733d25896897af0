"""Harvesting as a subscriber: take the source's notifications instead of polling.

`subscribe` asks the source (`POST {source}/v2/subscription`, the node's JSON, with a
token of the source) to notify a callback URL of structural, registration and metadata
events; `NotificationListener` serves that callback on a loopback or public address, keeps
only notifications whose X-SDMX-Signature matches the secret, and hands each event to the
harvest loop, which harvests what it names: a structure created or changed is harvested by
itself (with its references); a registration or metadata event, or a structure deleted
(harvest does not delete), runs the source's whole harvest, which is conditional and cheap
when little changed. A notification is acknowledged (204) once it is queued; the source
redelivers those that are not (at least once), so a harvest runs at least once per event.
"""

from __future__ import annotations

import hmac
import json
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

from sdmxnode.errors import Invalid, SdmxNodeError
from sdmxnode.formats.sdmxml import safe_parser
from sdmxnode.formats.subscriptions.model import ref_of_urn
from sdmxnode.rest.resources import find_resource_name
from sdmxnode.services.harvest.harvesting import StructureSelection
from sdmxnode.services.subscriptions.delivery import SIGNATURE_HEADER, signature


@dataclass(frozen=True)
class Notified:
    """An event a notification named: its action, object URN and registration id."""

    action: str
    urn: str
    registration_id: str

    @property
    def selection(self) -> StructureSelection | None:
        """The structure harvest that brings what it names; None: harvest everything."""
        if self.action == "Delete" or not self.urn:
            return None
        ref = ref_of_urn(self.urn)
        resource = find_resource_name(ref.type, 1) if ref is not None else None
        if ref is None or resource is None:
            return None
        return StructureSelection(resource, ref.agency_id, ref.id, ref.version)


def read_notification(body: bytes) -> Notified:
    """The event of a NotifyRegistryEvent message (any SDMX-ML version)."""
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"the notification is not XML: {exc}") from exc
    event = next(
        (e for e in root.iter() if etree.QName(e).localname == "NotifyRegistryEvent"), None
    )
    if event is None:
        raise Invalid("the message is no NotifyRegistryEvent")

    def text(name: str) -> str:
        found = next((e for e in event.iter() if etree.QName(e).localname == name), None)
        return (found.text or "").strip() if found is not None else ""

    return Notified(text("EventAction"), text("ObjectURN"), text("RegistrationID"))


def subscribe(source: str, token: str, callback: str) -> tuple[str, str]:
    """Subscribe `callback` to every event of the 2.x node at `source` (a base URL such as
    https://host/rest or https://host/rest/v2); (subscription URN, secret)."""
    base = source.rstrip("/")
    base = base if base.endswith("/v2") else f"{base}/v2"
    document = {
        "subscriptions": [
            {
                "callbacks": [callback],
                "events": [{"type": "structure"}, {"type": "registration"}, {"type": "metadata"}],
            }
        ]
    }
    request = urllib.request.Request(
        f"{base}/subscription",
        data=json.dumps(document).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            (entry,) = json.loads(response.read())["subscriptions"]
    except urllib.error.HTTPError as exc:
        raise SdmxNodeError(
            f"the source refused the subscription ({exc.code}): {exc.read()[:300]!r}"
        ) from exc
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        raise SdmxNodeError(f"the source could not be subscribed to: {exc}") from exc
    return entry["urn"], entry["secret"]


class NotificationListener:
    """An HTTP server taking signed notifications into `events` (a queue)."""

    def __init__(self, host: str, port: int, secret: str) -> None:
        self.events: queue.Queue[Notified] = queue.Queue()
        self.refused = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's spelling)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 10 * 1024 * 1024))
                given = self.headers.get(SIGNATURE_HEADER, "")
                try:
                    expected = signature(listener.secret, body)
                    if not hmac.compare_digest(given, expected):
                        raise Invalid("the signature does not match")
                    listener.events.put(read_notification(body))
                except Invalid:
                    listener.refused += 1
                    self.send_response(403)
                    self.end_headers()
                    return
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.secret = secret
        self.server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port it listens on (the one asked for, or the one given for 0)."""
        return int(self.server.server_address[1])

    def start(self) -> NotificationListener:
        """Serve in a background thread (returns self)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def run_as_subscriber(
    listener: NotificationListener,
    harvest: Callable[[Notified | None], bool],
    *,
    max_events: int | None = None,
) -> int:
    """Harvest once whole (`harvest(None)`), then once per notification taken, until
    interrupted (or after `max_events`); how many harvests failed."""
    failures = 0 if harvest(None) else 1
    taken = 0
    while max_events is None or taken < max_events:
        try:
            event = listener.events.get(timeout=1)
        except queue.Empty:
            continue
        taken += 1
        if not harvest(event):
            failures += 1
    return failures
