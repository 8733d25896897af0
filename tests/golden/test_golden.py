"""Answers to a fixed list of requests, compared byte for byte with the recorded ones.

The answers in answers/ were recorded before the layout of issue 13 moved the code; a
change of behaviour anywhere (structures, data in every format, availability, schemas,
checks, pages, the OpenAPI description) shows up here. After an intended change, record
anew with `python -m tests.golden.answers` and review the diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import bilateral_app, fresh_database
from tests.golden.answers import answer_path, fetch
from tests.golden.requests import REQUESTS, GoldenRequest


@pytest.fixture(scope="module")
def golden_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = bilateral_app(fresh_database(tmp_path_factory.mktemp("golden")))
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture(scope="module")
def golden_client(golden_app: Flask) -> FlaskClient:
    return golden_app.test_client()


def _first_difference(expected: bytes, actual: bytes) -> str:
    expected_lines, actual_lines = expected.split(b"\n"), actual.split(b"\n")
    for number, (want, got) in enumerate(zip(expected_lines, actual_lines, strict=False), 1):
        if want != got:
            at = (
                next(i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b)
                if want[: len(got)] != got[: len(want)]
                else min(len(want), len(got))
            )
            return (
                f"line {number}, byte {at}:\n  recorded: {want[max(0, at - 60) : at + 60]!r}\n"
                f"  now:      {got[max(0, at - 60) : at + 60]!r}"
            )
    return f"{len(expected_lines)} recorded lines, {len(actual_lines)} now"


@pytest.mark.parametrize("request_", REQUESTS, ids=[r.name for r in REQUESTS])
def test_answer_is_the_recorded_one(golden_client: FlaskClient, request_: GoldenRequest) -> None:
    recorded: Path = answer_path(request_)
    answer = fetch(golden_client, request_)
    expected = recorded.read_bytes()
    assert answer == expected, (
        f"GET {request_.path} answers differently from {recorded.name}: "
        f"{_first_difference(expected, answer)}\n"
        "(after an intended change: python -m tests.golden.answers, then review the diff)"
    )


def test_every_recorded_answer_has_its_request() -> None:
    names = {request.name for request in REQUESTS}
    assert len(names) == len(REQUESTS), "two golden requests share a name"
    recorded = {path.stem for path in answer_path(REQUESTS[0]).parent.glob("*.txt")}
    assert recorded == names
