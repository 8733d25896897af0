"""Deep `Range` pages start from a mark (issue 19, point 5: paging a large dataflow): the
database steps over fewer than MARK_ROWS rows before a page, however deep, and every page
still holds exactly its rows of the whole answer, also after a load moved them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.services.data import data_sets, queries
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.storage.data.reads import DataSelection
from tests.web.conftest import STOCK_CSV_HEADER, stock_csv_row

V1 = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/all"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*"
CSV = {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
MARK = 50  # rows between marks in these tests (the demo data's 5,538 observations)


def _rows(client: FlaskClient, url: str, page: str | None = None) -> list[str]:
    headers = CSV if page is None else {**CSV, "Range": f"values={page}"}
    answer = client.get(url, headers=headers)
    assert answer.status_code == (200 if page is None else 206)
    return answer.get_data(as_text=True).splitlines()[1:]


@pytest.fixture
def selections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[DataSelection]]:
    """The selections the observations are read with while the test runs; marks MARK apart."""
    monkeypatch.setattr(data_sets, "MARK_ROWS", MARK)
    seen: list[DataSelection] = []
    real = queries.select_observations

    def spied(dataflow_pk: int, selection: DataSelection, **form: bool) -> Any:
        seen.append(selection)
        return real(dataflow_pk, selection, **form)

    monkeypatch.setattr(queries, "select_observations", spied)
    yield seen


@pytest.mark.parametrize("url", [V1, V2])
def test_deep_pages_hold_their_rows_and_start_near_them(
    migration_client: FlaskClient, selections: list[DataSelection], url: str
) -> None:
    whole = _rows(migration_client, url)
    assert len(whole) == 5538
    for first, last in [(0, 9), (49, 60), (50, 50), (1234, 1300), (2999, 3998), (5530, 5600)]:
        selections.clear()
        assert _rows(migration_client, url, f"{first}-{last}") == whole[first : last + 1]
        read = selections[-1]
        assert read.limit == min(last, len(whole) - 1) - first + 1
        if first >= MARK:  # from a mark: fewer rows stepped over than between two marks,
            # give or take the series that crosses the next mark (at most 31 observations)
            assert read.from_key is not None and read.offset < MARK + 31, read
        else:
            assert read.from_key is None and read.offset == first


def test_a_page_from_the_start_reads_no_marks(
    migration_client: FlaskClient, selections: list[DataSelection], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unexpected(*_: Any) -> None:
        raise AssertionError("marks read for a page before the first mark")

    monkeypatch.setattr(data_sets, "series_sizes", unexpected)
    assert len(_rows(migration_client, V1, f"0-{MARK - 1}")) == MARK


def test_pages_follow_a_load_that_moves_the_rows(
    own_app: Flask, selections: list[DataSelection], tmp_path: Path
) -> None:
    """Marks are kept per version of the data: a load that adds rows early in the answer
    moves every later row, and the next deep page shows it."""
    client = own_app.test_client()
    before = _rows(client, V1)
    assert _rows(client, V1, "3000-3009") == before[3000:3010]
    added = tmp_path / "added.csv"
    first_area = before[0].split(",")[2]  # the first series' REF_AREA
    added.write_text(
        STOCK_CSV_HEADER
        + "".join(stock_csv_row("I", first_area, str(year)) for year in range(1900, 1903))
    )
    load_data(own_app.extensions["sdmxnode"], added, LoadOptions(source="added"))
    after = _rows(client, V1)
    assert len(after) == len(before) + 3 and after[3003:3013] == before[3000:3010]
    assert _rows(client, V1, "3000-3009") == after[3000:3010]
