"""The golden record's machinery: the node it asks, how an answer is written down, and
the normalisation of the few parts of an answer that change from run to run.

An answer file holds the request, then the status line and a stable subset of the response
headers, a blank line, and the body exactly as the node sent it (bytes, no newline added):

    GET /rest/data/...
    Accept: application/vnd.sdmx.data+csv;version=1.0.0
    --
    200 OK
    Content-Type: application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8
    Vary: Accept, Accept-Encoding

    <body>

Normalised, and nothing else (each regex is as narrow as the volatile part allows):

- the message id the node draws at random for each answer (`IREF` or `ERR` and 12
  upper-case hex digits from uuid4), in an SDMX-ML `<…:ID>` element or a JSON `"id"` member;
- the time in a message's `Prepared` element (SDMX-ML) or `"prepared"` member (SDMX-JSON,
  JSON errors): the clock at the time of the request. The time zone suffix (`Z`, `+00:00`
  or none) is kept, so a change of format still shows;
- the value of the `Last-Modified` header (its presence is recorded): the time the fresh
  store of each run was loaded;
- the value of the `ETag` header of data and availability answers (`/rest/data/`,
  `/rest/v2/data/`, `/rest/availableconstraint/`, `/rest/v2/availability/`), which hashes
  that load time. The ETags of structure and schema answers hash row ids and content
  digests, are the same in every run and on both engines, and are recorded as they are;
- in `/health`, the name of the database engine (`sqlite` or `postgresql`), so that one
  record serves both engines.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from werkzeug.test import TestResponse

from tests.conftest import bilateral_app, fresh_database
from tests.golden.golden_requests import REQUESTS, GoldenRequest

ANSWERS = Path(__file__).resolve().parent / "answers"
RECORD_COMMAND = "PYTHONPATH=. .venv/bin/python -m tests.golden.record"

#: Response headers written into the record, in this order, when present.
RECORDED_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Content-Encoding",
    "Location",
    "Vary",
    "Cache-Control",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Allow",
    "ETag",
    "Last-Modified",
)
VOLATILE = "<volatile>"
#: Answers whose ETag hashes the time data were loaded (by path prefix).
DATA_PATHS = (
    "/rest/data/",
    "/rest/v2/data/",
    "/rest/availableconstraint/",
    "/rest/v2/availability/",
)

_TIME = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?"
BODY_NORMALISATIONS: tuple[tuple[re.Pattern[bytes], bytes], ...] = (
    # <mes:ID>IREF0123456789AB</mes:ID> (SDMX-ML 2.1 and 3.0 headers)
    (re.compile(rb"(<(?:\w+:)?ID>)(?:IREF|ERR)[0-9A-F]{12}(</(?:\w+:)?ID>)"), rb"\1<ID>\2"),
    # "id":"IREF0123456789AB" (SDMX-JSON meta), "id": "ERR..." (JSON errors)
    (re.compile(rb'("id":\s*")(?:IREF|ERR)[0-9A-F]{12}(")'), rb"\1<ID>\2"),
    # <mes:Prepared>2026-01-31T12:00:00.123456+00:00</mes:Prepared>: the time, not its zone
    (re.compile(rb"(<(?:\w+:)?Prepared>)" + _TIME), rb"\1<TIME>"),
    # "prepared":"2026-01-31T12:00:00+00:00"
    (re.compile(rb'("prepared":\s*")' + _TIME), rb"\1<TIME>"),
    # <td class="updated">2026-01-31T12:00:00Z</td>: when a provider's data last changed (pages)
    (re.compile(rb'(<td class="updated">)' + _TIME), rb"\1<TIME>"),
)
#: Normalisations for one request only (by name).
REQUEST_NORMALISATIONS: dict[str, tuple[tuple[re.Pattern[bytes], bytes], ...]] = {
    "health": ((re.compile(rb'("database":\s*")(?:sqlite|postgresql)(")'), rb"\1<engine>\2"),),
}


def golden_app(folder: Path) -> Flask:
    """A node on a fresh database (SQLite in `folder`, or PostgreSQL when the tests are
    configured for it) holding the project's structures, the demo data of fixtures/data and
    the bilateral flows of fixtures/checks, loaded as the other tests load them."""
    return bilateral_app(fresh_database(folder))


def answer_path(index: int, request: GoldenRequest) -> Path:
    return ANSWERS / f"{index:02d}-{request.name}.txt"


def normalise_body(request: GoldenRequest, body: bytes) -> bytes:
    for pattern, replacement in BODY_NORMALISATIONS + REQUEST_NORMALISATIONS.get(request.name, ()):
        body = pattern.sub(replacement, body)
    return body


def normalise_header(request: GoldenRequest, name: str, value: str) -> str:
    if name == "Last-Modified":
        return VOLATILE
    if name == "ETag" and request.path.startswith(DATA_PATHS):
        return VOLATILE
    return value


def render_answer(request: GoldenRequest, response: TestResponse) -> bytes:
    """The normalised record of one answer, as written to and compared with its file."""
    lines = [f"GET {request.path}"]
    lines += [f"{name}: {value}" for name, value in request.all_headers().items()]
    lines += ["--", response.status]
    for name in RECORDED_HEADERS:
        value = response.headers.get(name)
        if value is not None:
            lines.append(f"{name}: {normalise_header(request, name, value)}")
    head = ("\n".join(lines) + "\n\n").encode("utf-8")
    return head + normalise_body(request, response.get_data())


def fetch(app: Flask, request: GoldenRequest) -> bytes:
    response = app.test_client().get(request.path, headers=request.all_headers())
    return render_answer(request, response)


def all_requests() -> list[tuple[int, GoldenRequest]]:
    return list(enumerate(REQUESTS, start=1))
