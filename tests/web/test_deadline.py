"""The per-request deadline: checked in long loops (503 SDMX error), cutting a started stream."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from flask import Flask

from sdmxnode import deadline as deadline_module
from sdmxnode.cli.serve import gunicorn_request_line_limit
from sdmxnode.deadline import check_deadline, current_deadline, deadline
from sdmxnode.errors import ServiceTimeout
from sdmxnode.web.limits import deadline_chunks
from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"


def test_check_deadline_raises_only_past_the_deadline() -> None:
    check_deadline()  # no deadline in force
    with deadline(time.monotonic() + 60, 60):
        check_deadline()
        assert current_deadline() is not None
    with deadline(time.monotonic() - 1, 5), pytest.raises(ServiceTimeout, match="5 s"):
        check_deadline()
    assert current_deadline() is None  # the block's deadline does not outlive it


def test_a_stream_past_its_deadline_is_cut() -> None:
    chunks = iter([b"a", b"b", b"c"])
    assert list(deadline_chunks(chunks, time.monotonic() + 60)) == [b"a", b"b", b"c"]
    stream = deadline_chunks(iter([b"a", b"b"]), time.monotonic() - 1)
    with pytest.raises(ServiceTimeout):
        next(stream)


def test_work_past_the_deadline_is_a_503_sdmx_error(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A validation of the demo data (5,538 rows: the rules check the deadline every 4096)
    when the clock has passed the request's deadline."""
    real = time.monotonic  # the request's deadline is set by the real clock; the checks
    later = SimpleNamespace(monotonic=lambda: real() + 10_000)  # see one far past it
    monkeypatch.setattr(deadline_module, "time", later)
    answer = migration_app.test_client().post(
        "/validate", data=DEMO.read_bytes(), headers={"Accept": "application/json"}
    )
    assert answer.status_code == 503
    error = answer.get_json()["errors"][0]
    assert error["code"] == 503 and "SDMXNODE_REQUEST_TIMEOUT" in error["detail"]


@pytest.mark.parametrize(
    "setting, limit", [(8000, 8064), (4000, 4064), (8126, 8190), (8127, 0), (0, 0), (9000, 0)]
)
def test_gunicorn_request_line_limit(setting: int, limit: int) -> None:
    assert gunicorn_request_line_limit(setting) == limit
