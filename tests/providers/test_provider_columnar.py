"""Parquet answers of a dataflow with two providers: one block of rows per provider's data
set, built from each provider's stored records, equal to the row stream's answer."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from flask.testing import FlaskClient

from sdmxnode.formats.columnar import writers as columnar
from sdmxnode.services.data import data_sets, queries

FLOW = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"


def test_each_providers_data_set_is_built_from_its_own_records(
    two_providers: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rows(*args: object) -> None:
        raise AssertionError("the answer was built from the row stream")

    with monkeypatch.context() as patched:
        patched.setattr(columnar._Layout, "batch", no_rows)
        answer = two_providers.get(FLOW, query_string={"format": "parquet"})
        body = answer.get_data()
    assert answer.status_code == 200, body[:300]
    monkeypatch.setattr(queries, "stored_records", lambda node, plan: None)
    monkeypatch.setattr(data_sets, "stored_records", lambda node, plan: None)
    assert body == two_providers.get(FLOW, query_string={"format": "parquet"}).get_data()
    table = pq.read_table(io.BytesIO(body))
    assert table.column("STRUCTURE").to_pylist() == ["dataprovision"] * 14
    agreements = table.column("STRUCTURE_ID").to_pylist()
    assert len(set(agreements)) == 2 and agreements == sorted(agreements, key=agreements.index)
