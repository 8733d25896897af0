"""SDMX-CSV as spreadsheets write it: every field quoted, the header too (issue 22 item 2).

Variants of the small SDMX-CSV 1.0 and 2.0 fixtures, fully quoted or with only the header
quoted, with LF or CRLF line ends, with and without a UTF-8 BOM: each reads as the plain
file, validates as valid (CLI and POST /validate) and loads its 21 observations.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from sdmxnode.cli import main
from sdmxnode.formats.sdmxcsv.reader import read_sdmxcsv_data
from tests.formats.small_data import SMALL, read_demo_observations
from tests.formats.test_data_csv import observations

PLAIN = ("small-csv10-21.csv", "small-csv20-21.csv")


def quoted(name: str, *, header_only: bool, newline: str, bom: bool) -> bytes:
    """The fixture `name` rewritten with quoted fields, `newline` line ends and a BOM."""
    text = (SMALL / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    quote_all = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=newline)
    plain = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator=newline)
    quote_all.writerow(rows[0])
    for row in rows[1:]:
        (plain if header_only else quote_all).writerow(row)
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode("utf-8")


VARIANTS = [
    pytest.param(name, header_only, newline, bom, id=f"{name}-{scope}-{end}-{mark}")
    for name in PLAIN
    for header_only, scope in ((False, "all"), (True, "header"))
    for newline, end in (("\n", "lf"), ("\r\n", "crlf"))
    for bom, mark in ((False, "nobom"), (True, "bom"))
]


def test_the_variants_are_quoted() -> None:
    data = quoted("small-csv20-21.csv", header_only=False, newline="\r\n", bom=True)
    assert data.startswith('\ufeff"STRUCTURE[;]","STRUCTURE_ID",'.encode())
    assert b'\r\n"dataflow","IMDX:DF_MIG_STOCK_IMS(1.0.0)",' in data


@pytest.mark.parametrize(("name", "header_only", "newline", "bom"), VARIANTS)
def test_quoted_csv_reads_as_the_plain_file(
    name: str, header_only: bool, newline: str, bom: bool, migration_resolver
) -> None:
    data = quoted(name, header_only=header_only, newline=newline, bom=bom)
    datasets = read_sdmxcsv_data(io.BytesIO(data), migration_resolver, source=name)
    assert observations(datasets) == read_demo_observations()


@pytest.mark.parametrize("name", PLAIN)
def test_quoted_csv_is_valid_over_http(name: str, migration_client: FlaskClient) -> None:
    data = quoted(name, header_only=False, newline="\r\n", bom=True)
    response = migration_client.post("/validate", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["valid"] is True
    assert response.json["observations"] == 21


@pytest.mark.parametrize("name", PLAIN)
def test_quoted_csv_is_valid_on_the_command_line(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", f"sqlite:///{tmp_path / 'never-created.db'}")
    path = tmp_path / f"quoted-{name}"
    path.write_bytes(quoted(name, header_only=False, newline="\n", bom=False))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid: 0 error(s)" in result.output


def rewritten(name: str, *, delimiter: str, first: str | None, quote_all: bool) -> bytes:
    """The fixture `name` with another field delimiter (and first header, e.g. `STRUCTURE`
    instead of `STRUCTURE[;]`), every field quoted or as few as needed, CRLF, with a BOM."""
    text = (SMALL / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if first is not None:
        rows[0][0] = first
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


DELIMITED = [
    pytest.param(name, first, delimiter, quote_all, id=f"{first or name}-{label}-{scope}")
    for name, first in (
        ("small-csv10-21.csv", None),
        ("small-csv20-21.csv", None),  # STRUCTURE[;]
        ("small-csv20-21.csv", "STRUCTURE"),
        ("small-csv20-21.csv", "STRUCTURE[|]"),
    )
    for delimiter, label in ((",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe"))
    for quote_all, scope in ((True, "quoted"), (False, "plain"))
]


@pytest.mark.parametrize(("name", "first", "delimiter", "quote_all"), DELIMITED)
def test_quoted_header_keeps_its_delimiter(
    name: str, first: str | None, delimiter: str, quote_all: bool, migration_resolver
) -> None:
    data = rewritten(name, delimiter=delimiter, first=first, quote_all=quote_all)
    datasets = read_sdmxcsv_data(io.BytesIO(data), migration_resolver, source=name)
    assert observations(datasets) == read_demo_observations()


def test_quoted_semicolon_csv_loads_the_plain_files_observations(
    migration_client: FlaskClient,
) -> None:
    data = rewritten("small-csv20-21.csv", delimiter=";", first=None, quote_all=True)
    assert data.startswith('\ufeff"STRUCTURE[;]";"STRUCTURE_ID";'.encode())
    response = migration_client.post("/validate", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["valid"] is True and response.json["observations"] == 21
