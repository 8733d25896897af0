"""A column or attribute that no component of the structure defines (issue 22 item 1).

One rule on every format: a column (SDMX-CSV), XML attribute (SDMX-ML) or structure component
(SDMX-JSON) that is neither a component of the structure nor one of the format's own columns
is UNKNOWN_COMPONENT, located (CSV: row 1, the header) and naming the column. SDMX-CSV 2.0
allows custom columns ("Implementers have the possibility to add any other custom columns",
field guide, "Columns"): there the column is accepted, and the valid answer unchanged. Variants
of the small fixtures, checked through POST /validate, `sdmxnode validate` and a data POST.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from sdmxnode.cli import main
from tests.formats.small_data import SMALL


def with_csv_column(name: str, header: str, value: str, *, position: int | None = None) -> bytes:
    """The SDMX-CSV fixture `name` with one more column (`header`, `value` on every row)."""
    text = (SMALL / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, row in enumerate(rows):
        where = len(row) if position is None else position
        row.insert(where, header if number == 0 else value)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def with_xml_attribute(name: str, element: str, attribute: str) -> bytes:
    """The SDMX-ML fixture `name` with `attribute` added to the first `element`."""
    text = (SMALL / name).read_text(encoding="utf-8")
    return text.replace(f"<{element} ", f"<{element} {attribute} ", 1).encode("utf-8")


def with_json_component(name: str, old: str, new: str) -> bytes:
    """The SDMX-JSON fixture `name` whose structure calls attribute `old` `new`."""
    message = json.loads((SMALL / name).read_text(encoding="utf-8"))
    data = message["data"]
    structure = data["structure"] if "structure" in data else data["structures"][0]
    for level in structure["attributes"].values():
        for component in level:
            if component["id"] == old:
                component["id"] = new
    return json.dumps(message).encode("utf-8")


def _findings(client: FlaskClient, data: bytes) -> tuple[int, dict]:
    response = client.post("/validate", data=data)
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    return response.status_code, response.get_json()


def _unknown(report: dict) -> list[tuple[str, str | None, int | None]]:
    return [
        (f["severity"], f["component"], f["line"])
        for f in report["findings"]
        if f["code"] == "UNKNOWN_COMPONENT"
    ]


@pytest.mark.parametrize("position", [None, 3], ids=["last", "among-dimensions"])
def test_unknown_csv10_column_is_an_error_at_the_header(
    migration_client: FlaskClient, position: int | None
) -> None:
    data = with_csv_column("small-csv10-21.csv", "FOO", "x", position=position)
    status, report = _findings(migration_client, data)
    assert status == 422
    assert report["valid"] is False
    assert _unknown(report) == [("error", "FOO", 1)]
    assert [f["code"] for f in report["findings"]] == ["UNKNOWN_COMPONENT"]
    assert "FOO" in report["findings"][0]["message"]


def test_every_unknown_csv10_column_is_named(migration_client: FlaskClient) -> None:
    data = with_csv_column("small-csv10-21.csv", "FOO", "x")
    text = data.decode().splitlines()
    second = [f"{line},{'BAR' if n == 0 else ''}" for n, line in enumerate(text)]
    status, report = _findings(migration_client, "\n".join(second).encode())
    assert status == 422
    assert _unknown(report) == [("error", "FOO", 1), ("error", "BAR", 1)]


def test_empty_unknown_csv10_column_is_still_reported(migration_client: FlaskClient) -> None:
    status, report = _findings(migration_client, with_csv_column("small-csv10-21.csv", "FOO", ""))
    assert status == 422
    assert _unknown(report) == [("error", "FOO", 1)]


@pytest.mark.parametrize("header", ["ACTION", "SERIES_KEY", "VALID_FROM", "VALID_TO"])
def test_sdmxcsv10_own_columns_are_no_unknown_component(
    migration_client: FlaskClient, header: str
) -> None:
    status, report = _findings(migration_client, with_csv_column("small-csv10-21.csv", header, ""))
    assert status == 200, report
    assert report["valid"] is True and report["findings"] == []


def test_custom_csv20_column_is_accepted(migration_client: FlaskClient) -> None:
    # small-csv20-21.csv already ends with the custom column UPDATED
    data = with_csv_column("small-csv20-21.csv", "FOO", "x", position=5)
    status, report = _findings(migration_client, data)
    assert status == 200
    assert report["valid"] is True and report["observations"] == 21
    assert report["findings"] == []


def test_csv20_labels_and_keys_columns_are_no_unknown_component(
    migration_client: FlaskClient,
) -> None:
    data = (SMALL / "small-csv20-labels-both-21.csv").read_bytes()
    status, report = _findings(migration_client, data)
    assert status == 200
    assert report["findings"] == []


@pytest.mark.parametrize(
    ("name", "element"),
    [
        ("small-structurespecific-21.xml", "Series"),
        ("small-structurespecific-30.xml", "Series"),
        ("small-structurespecific-21.xml", "Obs"),
        ("small-structurespecific-30.xml", "Obs"),
    ],
)
def test_unknown_sdmxml_attribute(migration_client: FlaskClient, name: str, element: str) -> None:
    status, report = _findings(migration_client, with_xml_attribute(name, element, 'FOO="x"'))
    assert status == 422
    ((severity, component, line),) = _unknown(report)
    assert (severity, component) == ("error", "FOO")
    assert line is not None


def test_unknown_generic_value(migration_client: FlaskClient) -> None:
    text = (SMALL / "small-generic-21.xml").read_text(encoding="utf-8")
    data = text.replace('id="OBS_STATUS"', 'id="FOO"', 1).encode()
    status, report = _findings(migration_client, data)
    assert status == 422
    assert [(s, c) for s, c, _ in _unknown(report)] == [("error", "FOO")]


@pytest.mark.parametrize("name", ["small-json10-21.json", "small-json20-21.json"])
def test_unknown_sdmxjson_component(migration_client: FlaskClient, name: str) -> None:
    status, report = _findings(migration_client, with_json_component(name, "OBS_STATUS", "FOO"))
    assert status == 422
    assert [(s, c) for s, c, _ in _unknown(report)] == [("error", "FOO")]


def test_unknown_csv10_column_fails_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", f"sqlite:///{tmp_path / 'never-created.db'}")
    path = tmp_path / "foo.csv"
    path.write_bytes(with_csv_column("small-csv10-21.csv", "FOO", "x"))
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)["foo.csv"]
    assert _unknown(report) == [("error", "FOO", 1)]
