"""Parquet and Arrow downloads: the SDMX-CSV 2.0 answer's columns and values, streamed in groups."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from flask.testing import FlaskClient

from sdmxnode.formats.columnar import writers as columnar

V1 = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.KEN+UGA+IND......"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.KEN+UGA+IND......"


def csv_frame(client: FlaskClient, url: str, labels: str = "id") -> pd.DataFrame:
    answer = client.get(url, query_string={"format": "csvdata-2.0", "labels": labels})
    assert answer.status_code == 200
    frame = pd.read_csv(io.BytesIO(answer.get_data()), dtype=str, keep_default_na=False)
    frame["OBS_VALUE"] = frame["OBS_VALUE"].astype(float)
    return frame


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing strings as empty cells, as SDMX-CSV writes them."""
    strings = [c for c in frame.columns if frame[c].dtype.kind == "O"]
    return frame.assign(**{c: frame[c].fillna("") for c in strings})


def parquet_table(body: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(body))


def arrow_table(body: bytes) -> pa.Table:
    return pa.ipc.open_stream(io.BytesIO(body)).read_all()


@pytest.mark.parametrize(
    ("name", "media_type", "read"),
    [
        ("parquet", "application/vnd.apache.parquet", parquet_table),
        ("arrow", "application/vnd.apache.arrow.stream", arrow_table),
    ],
)
@pytest.mark.parametrize("url", [V1, V2])
@pytest.mark.parametrize("labels", ["id", "name"])
def test_columnar_answers_equal_the_sdmx_csv_answer(
    migration_client: FlaskClient, name: str, media_type: str, read, url: str, labels: str
) -> None:  # type: ignore[no-untyped-def]
    bodies = []
    for query, headers in (
        ({"format": name, "labels": labels}, {}),
        ({"labels": labels}, {"Accept": media_type}),
    ):
        answer = migration_client.get(url, query_string=query, headers=headers)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == media_type
        bodies.append(answer.get_data())
    assert bodies[0] == bodies[1]
    table = read(bodies[0])
    assert table.schema.field("OBS_VALUE").type == pa.float64()
    assert table.schema.field("REF_AREA").type == pa.string()
    frame = as_text(table.to_pandas())
    expected = csv_frame(migration_client, url, labels)
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    assert len(frame) == 3 * 3 * 7  # three areas, three sexes, seven years


def test_large_answers_stream_in_row_groups(
    migration_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(columnar, "GROUP_ROWS", 10)
    answer = migration_client.get(V1, query_string={"format": "parquet"})
    assert answer.status_code == 200
    body = answer.get_data()
    assert pq.ParquetFile(io.BytesIO(body)).metadata.num_row_groups == 7  # 63 rows
    pd.testing.assert_frame_equal(
        as_text(parquet_table(body).to_pandas()), csv_frame(migration_client, V1)
    )
    stream = migration_client.get(V1, query_string={"format": "arrow"}).get_data()
    assert len(list(pa.ipc.open_stream(io.BytesIO(stream)))) == 7


def test_labels_both_is_refused_for_columnar_answers(migration_client: FlaskClient) -> None:
    answer = migration_client.get(V1, query_string={"format": "parquet", "labels": "both"})
    assert answer.status_code == 400
    assert "labels" in answer.get_data(as_text=True)
