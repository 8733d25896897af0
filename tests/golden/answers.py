"""Fetch the golden requests and write or compare their answers.

An answer file holds the status line, the Content-Type and the body, with only the parts
that change from run to run replaced by a fixed token: the `Prepared` time and message
`ID` of SDMX headers (SDMX-ML, SDMX-JSON), and the time stamps SDMX-JSON and the pages
print. Everything else is compared byte for byte.

Re-record after an intended change of behaviour (and review the diff):

    python -m tests.golden.answers
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from flask.testing import FlaskClient

from tests.golden.requests import REQUESTS, GoldenRequest

ANSWERS = Path(__file__).resolve().parent / "answers"

_VOLATILE: tuple[tuple[re.Pattern[bytes], bytes], ...] = (
    # SDMX-ML header: <mes:ID>IREF...</mes:ID>, <mes:Prepared>2026-...</mes:Prepared>
    (re.compile(rb"(<(?:mes|message):ID>)[^<]*(</)"), rb"\1~ID~\2"),
    (re.compile(rb"(<(?:mes|message):Prepared>)[^<]*(</)"), rb"\1~PREPARED~\2"),
    # SDMX-JSON meta: "id": "IREF...", "prepared": "2026-..."
    (re.compile(rb'("prepared"\s*:\s*")[^"]*(")'), rb"\1~PREPARED~\2"),
    (
        re.compile(rb'("meta"\s*:\s*\{\s*(?:"[^"]*"\s*:\s*[^,]*,\s*)*?"id"\s*:\s*")[^"]*(")'),
        rb"\1~ID~\2",
    ),
    # time stamps of the check reports and pages (ISO 8601 with a time of day)
    (re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"), b"~TIME~"),
)


def normalise(body: bytes) -> bytes:
    """The body with its run-dependent parts replaced by fixed tokens."""
    for pattern, replacement in _VOLATILE:
        body = pattern.sub(replacement, body)
    return body


def fetch(client: FlaskClient, request: GoldenRequest) -> bytes:
    """The answer as an answer file holds it: status, Content-Type, a blank line, the body."""
    headers = {"Accept": request.accept} if request.accept else {}
    response = client.get(request.path, headers=headers)
    head = f"{response.status}\n{response.headers.get('Content-Type', '')}\n\n".encode()
    return head + normalise(response.get_data())


def answer_path(request: GoldenRequest) -> Path:
    """Where the recorded answer of `request` is kept."""
    return ANSWERS / f"{request.name}.txt"


def record(client: FlaskClient) -> list[Path]:
    """Write every answer file anew; the paths written."""
    ANSWERS.mkdir(exist_ok=True)
    written = []
    for request in REQUESTS:
        path = answer_path(request)
        path.write_bytes(fetch(client, request))
        written.append(path)
    return written


def main() -> int:
    """Record the answers on a fresh SQLite node holding the structures and demo data."""
    from tests.conftest import bilateral_app

    with tempfile.TemporaryDirectory() as folder:
        app = bilateral_app(f"sqlite:///{Path(folder) / 'node.db'}")
        written = record(app.test_client())
    print(f"recorded {len(written)} answers in {ANSWERS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
