"""Downloads people can use (issue 21, point 2): the Excel workbook of a data answer, and a
file name with its extension on every data answer."""

from __future__ import annotations

import gzip
import io

import openpyxl
import pandas as pd
import pytest
from flask.testing import FlaskClient
from werkzeug.http import parse_options_header

from sdmxnode.formats.registry.data import DATA_FORMATS, file_extension
from sdmxnode.formats.spreadsheet import xlsx as spreadsheet

V1 = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.KEN+UGA+IND......"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.KEN+UGA+IND.*.*.*.*.*.*"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheets(body: bytes) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    assert workbook.sheetnames == ["Data", "Notes"]
    rows = list(workbook["Data"].iter_rows(values_only=True))
    data = pd.DataFrame(rows[1:], columns=rows[0])
    notes = [(str(a or ""), str(b or "")) for a, b in workbook["Notes"].iter_rows(values_only=True)]
    return data, notes


@pytest.mark.parametrize("url", [V1, V2])
def test_the_workbook_holds_the_csv_answer_with_names(
    migration_client: FlaskClient, url: str
) -> None:
    answer = migration_client.get(url, headers={"Accept": XLSX})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == XLSX
    data, notes = _sheets(answer.get_data())
    # The same observations as SDMX-CSV 2.0 with names (labels=name), read independently.
    csv = migration_client.get(
        url.replace("*", ""), query_string={"format": "csvdata-2.0", "labels": "name"}
    )
    expected = pd.read_csv(io.BytesIO(csv.get_data()), dtype=str, keep_default_na=False)
    # labels=name adds a name column after every component; the workbook only after those
    # with names (coded ones and the time dimension): the others would stay empty.
    extra = [c for c in expected.columns if c not in data.columns]
    assert (
        "STRUCTURE_NAME" in extra
        and (expected[extra].drop(columns="STRUCTURE_NAME") == "").all().all()
    )
    expected = expected.drop(columns=extra)
    assert list(data.columns) == list(expected.columns)
    assert len(data) == len(expected) > 0
    assert data["OBS_VALUE"].tolist() == expected["OBS_VALUE"].astype(float).tolist()
    text = data.drop(columns="OBS_VALUE").fillna("").astype(str)
    assert text.to_dict("records") == expected.drop(columns="OBS_VALUE").to_dict("records")
    # The notes: what the data are, where from, how to cite, what the codes mean.
    book = dict(notes)
    assert book["Dataflow"] == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert book["Query"].endswith(url)
    assert book["Observations"] == f"{len(expected):,}"
    assert "IMDX:DF_MIG_STOCK_IMS(1.0.0)" in book["How to cite"]
    assert book["Observation status E"] == "Estimated value"
    assert book["Unit of measure PS"] == "Persons"


def test_a_sheet_too_long_for_excel_is_refused_before_anything_is_sent(
    migration_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 10)
    answer = migration_client.get(V1, query_string={"format": "xlsx"})
    assert answer.status_code == 413
    assert b"Excel" in answer.get_data()


@pytest.mark.parametrize("fmt", DATA_FORMATS, ids=lambda f: f.name)
def test_every_data_answer_names_its_file(migration_client: FlaskClient, fmt) -> None:
    answer = migration_client.get(V1, query_string={"format": fmt.name})
    assert answer.status_code == 200, answer.get_data()[:200]
    disposition, options = parse_options_header(answer.headers["Content-Disposition"])
    name = options["filename"]
    assert name == f"IMDX-DF_MIG_STOCK_IMS-1.0.0-A.KEN+UGA+IND.{file_extension(fmt)}"
    sdmx = fmt.media_type.startswith("application/vnd.sdmx.")
    # SDMX messages stay readable in a browser; the binary downloads are saved.
    assert disposition == ("inline" if sdmx else "attachment")
    assert file_extension(fmt) in {"xml", "csv", "json", "parquet", "arrows", "xlsx"}


@pytest.mark.parametrize(
    ("fmt", "gzipped"),
    [("xlsx", False), ("parquet", False), ("arrow", True), ("csv", True)],
)
def test_compressed_formats_are_not_gzipped_again(
    migration_client: FlaskClient, fmt: str, gzipped: bool
) -> None:
    """A workbook (zip) and Parquet (compressed pages) go out as they are to a client that
    accepts gzip; the other formats are gzipped, and either way the bytes are the answer's."""
    plain = migration_client.get(V1, query_string={"format": fmt})
    answer = migration_client.get(
        V1, query_string={"format": fmt}, headers={"Accept-Encoding": "gzip"}
    )
    assert plain.status_code == answer.status_code == 200
    if gzipped:
        assert answer.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(answer.get_data())
    else:
        assert "Content-Encoding" not in answer.headers
        body = answer.get_data()
    if fmt == "xlsx":  # a workbook records when it was written: compare what it holds
        assert _sheets(body)[0].equals(_sheets(plain.get_data())[0])
    else:
        assert body == plain.get_data()
