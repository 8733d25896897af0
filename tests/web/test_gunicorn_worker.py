"""The gunicorn worker's refusals before the application: bodies announced over the limit."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sdmxnode.errors import InputTooLarge
from sdmxnode.web.gunicorn_worker import early_refusal, raw_body_limit, refusal_for

LIMIT = 1000


@dataclass
class FakeRequest:
    """What early_refusal reads of a gunicorn request: its version and headers."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    version: tuple[int, int] = (1, 1)


@pytest.mark.parametrize(
    "headers, version, refused",
    [
        ([("EXPECT", "100-continue"), ("CONTENT-LENGTH", "1001")], (1, 1), True),
        ([("EXPECT", "100-Continue"), ("CONTENT-LENGTH", "99999999999")], (1, 1), True),
        ([("EXPECT", "100-continue"), ("CONTENT-LENGTH", "1000")], (1, 1), False),
        ([("CONTENT-LENGTH", "1001")], (1, 1), False),  # no Expect: the application decides
        ([("EXPECT", "100-continue"), ("CONTENT-LENGTH", "1001")], (1, 0), False),  # ignored
        # a gzip body may be a little larger on the wire than once decoded
        (
            [("EXPECT", "100-continue"), ("CONTENT-LENGTH", "1500"), ("CONTENT-ENCODING", "gzip")],
            (1, 1),
            False,
        ),
        (
            [("EXPECT", "100-continue"), ("CONTENT-LENGTH", "2100"), ("CONTENT-ENCODING", "gzip")],
            (1, 1),
            True,
        ),
    ],
)
def test_expect_continue_over_the_limit_is_refused(
    headers: list[tuple[str, str]], version: tuple[int, int], refused: bool
) -> None:
    error = early_refusal(FakeRequest(headers, version), LIMIT)
    assert (error is not None) == refused
    if error is not None:
        assert isinstance(error, InputTooLarge) and error.status == 413
        assert "SDMXNODE_MAX_REQUEST_BYTES" in error.text
        assert refusal_for(error) is error  # rendered as the SDMX error it is


def test_raw_limit_of_encoded_bodies_is_a_little_higher() -> None:
    assert raw_body_limit(LIMIT, "") == raw_body_limit(LIMIT, "identity") == LIMIT
    assert LIMIT < raw_body_limit(LIMIT, "gzip") <= LIMIT * 1.001 + 1024
