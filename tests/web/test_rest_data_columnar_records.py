"""Parquet and Arrow answers built from the stored records' columns (`StoredRecords`) equal,
byte for byte, those built from the row stream, and the SDMX-CSV answer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.formats.columnar import writers as columnar
from sdmxnode.services.data import data_sets, queries
from sdmxnode.services.data.loading import LoadOptions, load_data
from tests.conftest import PROJECT_ROOT, initialise_from_template
from tests.web.test_rest_data_columnar import arrow_table, as_text, parquet_table

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv20-21.csv"
FLOW = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0"
READERS = {"parquet": parquet_table, "arrow": arrow_table}


def _varied(path: Path) -> Path:
    """The small fixture with missing values: an absent and a 'NaN' OBS_VALUE, a text
    observation attribute (COMMENT_OBS) on two observations only, and a series attribute
    (SOURCE_TYPE) on one series (SEX=M) only."""
    with SMALL.open(newline="") as source:
        rows = list(csv.DictReader(source))
    rows[1]["OBS_VALUE"] = ""
    rows[2]["OBS_VALUE"] = "NaN"
    for number, row in enumerate(rows):
        row["COMMENT_OBS"] = {3: "a.b, with a dot", 9: "revised"}.get(number, "")
        row["SOURCE_TYPE"] = "MODEL" if row["SEX"] == "M" else ""
    with path.open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def varied_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    load_data(node, _varied(tmp_path / "varied.csv"), LoadOptions(source="varied"))
    yield app
    node.store.engine.dispose()


def csv_frame(client: FlaskClient, url: str, labels: str) -> pd.DataFrame:
    """The SDMX-CSV 2.0 answer, OBS_VALUE as floats (an empty cell: missing)."""
    answer = client.get(url, query_string={"format": "csvdata-2.0", "labels": labels})
    assert answer.status_code == 200
    frame = pd.read_csv(io.BytesIO(answer.get_data()), dtype=str, keep_default_na=False)
    return frame.assign(OBS_VALUE=frame["OBS_VALUE"].replace("", "nan").astype(float))


def _row_stream_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers without stored records: the writers read the row stream."""
    monkeypatch.setattr(queries, "stored_records", lambda node, plan: None)
    monkeypatch.setattr(data_sets, "stored_records", lambda node, plan: None)


@pytest.mark.parametrize("name", ["parquet", "arrow"])
@pytest.mark.parametrize("labels", ["id", "name"])
@pytest.mark.parametrize("key", ["", "/A.1.STOCK.FB._T.M+F._T._T"])
def test_the_columns_of_stored_records_equal_the_row_stream(
    varied_app: Flask, monkeypatch: pytest.MonkeyPatch, name: str, labels: str, key: str
) -> None:
    client = varied_app.test_client()
    monkeypatch.setattr(columnar, "GROUP_ROWS", 4)  # several row groups, a short last one
    query = {"format": name, "labels": labels}

    def no_rows(*args: object) -> None:
        raise AssertionError("the answer was built from the row stream")

    with monkeypatch.context() as patched:
        patched.setattr(columnar._Layout, "batch", no_rows)
        answer = client.get(FLOW + key, query_string=query)
        body = answer.get_data()  # the answer streams: it is written as it is read
    assert answer.status_code == 200, body[:300]
    _row_stream_only(monkeypatch)
    by_rows = client.get(FLOW + key, query_string=query)
    assert by_rows.status_code == 200
    assert body == by_rows.get_data()

    frame = as_text(READERS[name](body).to_pandas())
    pd.testing.assert_frame_equal(frame, csv_frame(client, FLOW + key, labels), check_dtype=False)
    observations = 21 if not key else 14
    assert len(frame) == observations
    assert frame["OBS_VALUE"].isna().sum() == (2 if not key else 0)
    if not key:
        assert frame["COMMENT_OBS"].ne("").sum() == 2
        assert frame["SOURCE_TYPE"].eq("MODEL").sum() == 7


def test_filters_the_store_cannot_apply_are_answered_from_the_row_stream(
    varied_app: Flask,
) -> None:
    client = varied_app.test_client()
    url = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*"
    query = {"format": "parquet", "c[SOURCE_TYPE]": "MODEL"}
    answer = client.get(url, query_string=query)
    assert answer.status_code == 200
    table = parquet_table(answer.get_data())
    assert table.num_rows == 7
    assert set(table.column("SEX").to_pylist()) == {"M"}


def test_pages_are_answered_from_the_row_stream(varied_app: Flask) -> None:
    client = varied_app.test_client()
    answer = client.get(FLOW, query_string={"format": "arrow"}, headers={"Range": "values=3-9"})
    assert answer.status_code == 206
    table = arrow_table(answer.get_data())
    whole = arrow_table(client.get(FLOW, query_string={"format": "arrow"}).get_data())
    assert table.to_pylist() == whole.slice(3, 7).to_pylist()
