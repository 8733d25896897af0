"""The golden record: ~60 GET answers of a node holding the migration structures, the demo
data and the bilateral flows, compared byte for byte with the answers recorded in
`answers/` (after the narrow normalisations documented in `harness.py`).

It was recorded before the layout refactor that moved modules into subpackages, to prove
that the move changed no behaviour. A failure names the request and the first difference.
After an intended change of an answer, re-record from the project folder and review the
diff of `tests/golden/answers/` before committing it:

    PYTHONPATH=. .venv/bin/python -m tests.golden.record
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.golden.golden_requests import GoldenRequest
from tests.golden.harness import RECORD_COMMAND, all_requests, answer_path, fetch, golden_app

CASES = all_requests()


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = golden_app(tmp_path_factory.mktemp("golden"))
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


_VISIBLE = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def first_difference(expected: bytes, actual: bytes, width: int = 100) -> str:
    """Where two records part (byte, line, column), each shown around that point with a
    caret under the first differing byte (line ends shown as \\r and \\n)."""
    offset = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    line = expected.count(b"\n", 0, offset) + 1
    column = offset - (expected.rfind(b"\n", 0, offset) + 1) + 1
    start = max(0, offset - width)

    def shown(data: bytes, end: int) -> str:
        return data[start:end].decode("utf-8", "replace").translate(_VISIBLE)

    caret = " " * len(shown(expected, offset)) + "^"
    return (
        f"first difference at byte {offset} (line {line}, column {column}); "
        f"recorded {len(expected)} bytes, got {len(actual)}\n"
        f"  recorded: {shown(expected, offset + width)}\n"
        f"  got:      {shown(actual, offset + width)}\n"
        f"            {caret}"
    )


@pytest.mark.parametrize(("index", "request_"), CASES, ids=[f"{i:02d}-{r.name}" for i, r in CASES])
def test_answer_matches_record(golden: Flask, index: int, request_: GoldenRequest) -> None:
    path = answer_path(index, request_)
    assert path.is_file(), f"no recorded answer {path}; record them with: {RECORD_COMMAND}"
    expected = path.read_bytes()
    actual = fetch(golden, request_)
    if actual != expected:
        pytest.fail(
            f"GET {request_.path} no longer answers as recorded in {path.name}:\n"
            f"{first_difference(expected, actual)}\n"
            f"If the change is intended, re-record with `{RECORD_COMMAND}` "
            "and review `git diff tests/golden/answers`.",
            pytrace=False,
        )


def test_every_record_has_its_request() -> None:
    recorded = {p.name for p in answer_path(1, CASES[0][1]).parent.glob("*.txt")}
    expected = {answer_path(i, r).name for i, r in CASES}
    assert recorded == expected, f"re-record with: {RECORD_COMMAND}"
