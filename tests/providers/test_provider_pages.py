"""`Range: values=...` over the data sets of several providers: counted across them in the
order they are written, each observation once, empty data sets left out."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient

FLOW_PATH = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.1......"
CSV20 = {"Accept": "application/vnd.sdmx.data+csv;version=2.0.0"}


def rows(client: FlaskClient, **headers: str) -> tuple[int, list[list[str]]]:
    answer = client.get(FLOW_PATH, headers={**CSV20, **headers})
    return answer.status_code, list(csv.reader(io.StringIO(answer.get_data(as_text=True))))[1:]


def test_pages_run_across_the_providers_data_sets(two_providers: FlaskClient) -> None:
    status, whole = rows(two_providers)
    assert status == 200 and len(whole) == 14  # 7 observations from each provider
    assert len({row[1] for row in whole}) == 2  # two provision agreements
    paged = []
    for first in range(0, 14, 5):
        status, page = rows(two_providers, Range=f"values={first}-{first + 4}")
        assert status == 206
        paged.extend(page)
    assert paged == whole
    # a page within the second data set holds that provider's rows only
    status, page = rows(two_providers, Range="values=8-9")
    assert status == 206 and page == whole[8:10]
    assert {row[1] for row in page} == {whole[13][1]}


def test_a_page_of_one_provider_names_it_in_sdmx_ml(two_providers: FlaskClient) -> None:
    answer = two_providers.get(
        FLOW_PATH,
        headers={
            "Accept": "application/vnd.sdmx.genericdata+xml;version=2.1",
            "Range": "values=7-13",
        },
    )
    assert answer.status_code == 206
    body = answer.get_data()
    assert body.count(b"<mes:DataSet") == 1 and b"NSO" in body
