"""GET /checks/...: JSON and CSV, errors, caching headers; and `sdmxnode check`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from flask import Flask

from sdmxnode.cli import main
from tests.conftest import initialise_from_template

AGGREGATES = "/checks/aggregates/IMDX/DF_MIG_STOCK_IMS"
MIRROR = "/checks/mirror/IMDX/DF_MIG_FLOWS/1.0.0"


def test_aggregates_answer_json_by_default(checks_app: Flask) -> None:
    response = checks_app.test_client().get(f"{AGGREGATES}?area=150,155&startPeriod=2015")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert body["dataflow"] == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert body["count"] == len(body["results"]) == 2 * 2 * 3  # areas x years x sexes
    for result in body["results"]:
        assert result["aggregate"] in ("150", "155")
        assert result["period"] in ("2015", "2019")
        assert result["difference"] == result["value"] - result["members_sum"]
        assert result["status"] == "ok"


def test_aggregates_answer_csv_on_accept_or_format(checks_app: Flask) -> None:
    client = checks_app.test_client()
    for headers, query in (({"Accept": "text/csv"}, ""), ({}, "&format=csv")):
        response = client.get(f"{AGGREGATES}?area=1{query}", headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == 7 * 3
        assert {row["missing"] for row in rows} == {"ATA"}
        assert all(
            float(row["value"]) - float(row["members_sum"]) == float(row["difference"])
            for row in rows
        )


def test_mirror_answers_json_and_csv(checks_app: Flask) -> None:
    client = checks_app.test_client()
    body = json.loads(client.get(f"{MIRROR}?country=DEU").get_data(as_text=True))
    assert body["count"] == 4 * 2 * 3
    paired = [r for r in body["results"] if r["status"] == "paired"]
    assert all(r["ratio"] == pytest.approx(r["immigration"] / r["emigration"]) for r in paired)
    response = client.get(f"{MIRROR}?country=DEU&format=csv&status=paired")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == len(paired)
    assert {
        row["immigration_MIG_DEF_CRITERION"] for row in rows if row["destination"] == "DEU"
    } == {"P3M"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/checks/aggregates/IMDX/DF_NO_SUCH_FLOW", 404),
        ("/checks/mirror/IMDX/DF_NO_SUCH_FLOW", 404),
        ("/checks/aggregates/IMDX/DF_MIG_PERMITS", 404),  # known, but holds no data
        (f"{AGGREGATES}?tolerance=much", 400),
        (f"{AGGREGATES}?tolerance=2", 400),
        (f"{AGGREGATES}?startPeriod=someday", 400),
        (f"{AGGREGATES}?status=fine", 400),
        (f"{AGGREGATES}?colour=blue", 400),
        (f"{AGGREGATES}?format=pdf", 400),
        (f"{MIRROR}?country=DEU,FRA", 400),
        ("/checks/mirror/IMDX/DF_MIG_STOCK_IMS", 403),  # not a bilateral flow dataflow
    ],
)
def test_errors_are_sdmx_json_error_messages(checks_app: Flask, path: str, status: int) -> None:
    response = checks_app.test_client().get(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data(as_text=True))["errors"][0]["code"] in (100, 140, 150)


def test_etag_and_last_modified_answer_304(checks_app: Flask) -> None:
    client = checks_app.test_client()
    first = client.get(f"{AGGREGATES}?area=2")
    assert first.get_data()  # read to the end: the answer streams
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert first.headers["Last-Modified"]
    again = client.get(f"{AGGREGATES}?area=2", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
    since = client.get(
        f"{AGGREGATES}?area=2", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    other = client.get(
        f"{AGGREGATES}?area=2&format=csv", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 200 and other.get_data()


def test_cli_check_aggregates_and_mirror(
    checks_app: Flask, checks_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", checks_url)
    runner = CliRunner()
    result = runner.invoke(main, ["check", "aggregates", "IMDX,DF_MIG_STOCK_IMS", "--area", "9"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 21 and {row["status"] for row in rows} == {"ok"}
    result = runner.invoke(
        main, ["check", "mirror", "IMDX,DF_MIG_FLOWS,1.0.0", "--country", "ITA", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["count"] == 24
    result = runner.invoke(main, ["check", "mirror", "IMDX,DF_NOPE"])
    assert result.exit_code != 0 and "DF_NOPE" in result.output


def test_post_validate_applies_the_switched_on_rule(tmp_path, database_url: str) -> None:
    from sdmxnode.app import create_app
    from tests.checks.conftest import altered_demo

    application = create_app(
        {"DATABASE_URL": database_url, "DEMO_DATA": "", "AGGREGATE_CHECKS": "*", "TESTING": True}
    )
    initialise_from_template(application.extensions["sdmxnode"])
    try:
        data = altered_demo(tmp_path, "KEN", "1990", -50_000).read_bytes()
        report = application.test_client().post("/validate", data=data).get_json()
        assert report["valid"] is True
        codes = [(f["code"], f["series_key"], f["period"]) for f in report["findings"]]
        assert codes == [("AGGREGATE_MISMATCH", "A.14.STOCK.FB._T._T._T._T", "1990")]
    finally:
        application.extensions["sdmxnode"].store.engine.dispose()
