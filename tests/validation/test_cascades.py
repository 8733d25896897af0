"""Findings that help (issue 22 item 4): no cascade after a structural finding, and an
unknown structure reference names the look-alikes the node holds."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import PROJECT_ROOT

CSV10 = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv10-21.csv"


def _without_column(name: str) -> bytes:
    rows = [line.split(",") for line in CSV10.read_text(encoding="utf-8").splitlines()]
    drop = rows[0].index(name)
    return ("\n".join(",".join(r[:drop] + r[drop + 1 :]) for r in rows) + "\n").encode()


def test_a_dropped_dimension_column_is_one_finding_not_a_cascade(
    migration_client: FlaskClient,
) -> None:
    answer = migration_client.post(
        "/validate", data=_without_column("SEX"), headers={"Content-Type": "text/csv"}
    )
    report = answer.json
    assert [f["code"] for f in report["findings"]] == ["MISSING_DIMENSION"]
    assert report["findings_suppressed"] > 0  # the duplicates it causes, counted
    assert report["valid"] is False


def test_an_unknown_dataflow_names_the_closest_ones(migration_client: FlaskClient) -> None:
    text = CSV10.read_text(encoding="utf-8").replace("DF_MIG_STOCK_IMS", "DF_MIG_STOCK_IM")
    answer = migration_client.post(
        "/validate", data=text.encode(), headers={"Content-Type": "text/csv"}
    )
    (finding,) = answer.json["findings"]
    assert finding["code"] == "UNKNOWN_STRUCTURE"
    assert "closest it holds: IMDX:DF_MIG_STOCK_IMS(1.0.0)" in finding["message"]


def test_an_unknown_component_names_its_series(migration_client: FlaskClient) -> None:
    ss21 = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-structurespecific-21.xml"
    text = ss21.read_text(encoding="utf-8").replace("<Series ", '<Series DESTINATION="FRA" ', 1)
    answer = migration_client.post("/validate", data=text.encode())
    (finding,) = answer.json["findings"]
    assert finding["code"] == "UNKNOWN_COMPONENT" and finding["component"] == "DESTINATION"
    assert finding["series_key"] == "A.1.STOCK.FB._T._T._T._T"
    assert finding["line"] is not None


def test_an_unknown_dataflow_is_located(migration_client: FlaskClient) -> None:
    """At the first CSV row naming it, at the SDMX-ML header's Structure element."""
    ss21 = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-structurespecific-21.xml"
    cases = [(CSV10, "text/csv", 2), (ss21, "application/xml", None)]
    for path, media_type, expected in cases:
        text = path.read_text(encoding="utf-8").replace("DF_MIG_STOCK_IMS", "DF_NOPE")
        answer = migration_client.post(
            "/validate", data=text.encode(), headers={"Content-Type": media_type}
        )
        (finding,) = answer.json["findings"]
        assert finding["code"] == "UNKNOWN_STRUCTURE"
        if expected is None:  # the line of <mes:Structure structureID=...> in the header
            lines = text.splitlines()
            expected = next(i for i, line in enumerate(lines, 1) if "<mes:Structure " in line)
        assert finding["line"] == expected, finding


def test_json_for_an_unknown_dataflow_says_what_it_was_checked_against(
    migration_client: FlaskClient,
) -> None:
    """SDMX-JSON embeds its structure: checked against that, with a warning saying so."""
    json20 = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-json20-21.json"
    text = json20.read_text(encoding="utf-8").replace("DF_MIG_STOCK_IMS", "DF_NOPE")
    report = migration_client.post("/validate", data=text.encode()).json
    (finding,) = report["findings"]
    assert (finding["code"], finding["severity"]) == ("EMBEDDED_STRUCTURE", "warning")
    assert "IMDX:DF_NOPE(1.0.0)" in finding["message"]
    assert "embeds only" in finding["message"]
    assert report["valid"] is True and report["observations"] == 21
