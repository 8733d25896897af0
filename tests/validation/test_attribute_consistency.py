"""A series attribute has one value per series (issue 22 item 3), in every format that can
say it twice: SDMX-CSV 1.0 and 2.0 (repeated on every row), SDMX-ML (a series given twice).

A value that differs from the one an earlier row gave the same series is an
INCONSISTENT_ATTRIBUTE error; a row that leaves the attribute empty gives no value (the
series' value applies), so it is valid. SDMX-JSON cannot say it twice: a series is one
object under its key, its attributes given once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import PROJECT_ROOT

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"
CSV = {"csv10": "small-csv10-21.csv", "csv20": "small-csv20-21.csv"}


def _validate(client: FlaskClient, body: bytes, content_type: str) -> list[str]:
    answer = client.post("/validate", data=body, headers={"Content-Type": content_type})
    assert answer.status_code in (200, 422), answer.get_data(as_text=True)[:500]
    return [f["code"] for f in answer.json["findings"] if f["severity"] == "error"]


def _csv_with_unit_mult(name: str, value: str) -> bytes:
    """The small CSV fixture with UNIT_MULT of its second row (first series) set to `value`."""
    lines = (SMALL / name).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("UNIT_MULT")
    cells = lines[2].split(",")
    cells[column] = value
    lines[2] = ",".join(cells)
    first, second = lines[1].split(","), lines[2].split(",")
    key = [i for i, h in enumerate(header) if h in ("REF_AREA", "SEX", "COUNTRY_BIRTH")]
    assert [first[i] for i in key] == [second[i] for i in key]  # one series
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("fmt", sorted(CSV))
@pytest.mark.parametrize(("value", "codes"), [("3", ["INCONSISTENT_ATTRIBUTE"]), ("", [])])
def test_csv_rows_of_one_series_agree(
    migration_client: FlaskClient, fmt: str, value: str, codes: list[str]
) -> None:
    body = _csv_with_unit_mult(CSV[fmt], value)
    assert _validate(migration_client, body, "text/csv") == codes


def test_a_series_given_twice_in_sdmx_ml_agrees_with_itself(migration_client: FlaskClient) -> None:
    text = (SMALL / "small-structurespecific-21.xml").read_text(encoding="utf-8")
    first = re.search(r"<Series [^>]*>.*?</Series>", text, re.S)
    assert first is not None
    again = first.group(0).replace('UNIT_MULT="0"', 'UNIT_MULT="3"')
    again = re.sub(r'TIME_PERIOD="(\d{4})"', lambda m: f'TIME_PERIOD="{int(m[1]) - 100}"', again)
    twice = text[: first.end()] + again + text[first.end() :]
    codes = _validate(migration_client, twice.encode(), "application/xml")
    assert codes == ["INCONSISTENT_ATTRIBUTE"]
    same = again.replace('UNIT_MULT="3"', 'UNIT_MULT="0"')
    codes = _validate(
        migration_client,
        (text[: first.end()] + same + text[first.end() :]).encode(),
        "application/xml",
    )
    assert codes == []


def test_the_finding_names_the_series_and_both_values(migration_client: FlaskClient) -> None:
    answer = migration_client.post(
        "/validate",
        data=_csv_with_unit_mult(CSV["csv10"], "3"),
        headers={"Content-Type": "text/csv"},
    )
    (finding,) = [f for f in answer.json["findings"] if f["code"] == "INCONSISTENT_ATTRIBUTE"]
    assert finding["component"] == "UNIT_MULT"
    assert finding["line"] == 3
    assert finding["series_key"] and "'3'" in finding["message"] and "'0'" in finding["message"]


def test_the_demo_data_has_no_inconsistency(migration_client: FlaskClient) -> None:
    demo = Path(PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml")
    assert _validate(migration_client, demo.read_bytes(), "application/xml") == []
