"""Conversion through a structure map over HTTP and on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.app import create_app
from sdmxnode.cli import main
from sdmxnode.services.access import create_token
from sdmxnode.services.structures.loading import load_structure_files
from tests.conftest import fresh_database, initialise_from_template
from tests.mapping.test_conversion_load import CODED, FOLDER, MAPS, expected_rows

NAT = "/rest/data/IMDX,DF_MIG_STOCK_NAT,1.0.0"
CSV20 = "application/vnd.sdmx.data+csv;version=2.0.0"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = create_app(
        {"DATABASE_URL": fresh_database(tmp_path), "TESTING": True, "DEMO_DATA": ""}
    )
    node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    load_structure_files(node.store, [MAPS])
    yield application
    node.store.engine.dispose()


def admin(app: Flask) -> dict[str, str]:
    secret = create_token(app.extensions["sdmxnode"], role="admin")
    return {"Authorization": f"Bearer {secret}", "Content-Type": CSV20}


def stored(client: FlaskClient) -> list[tuple[str, str, str]]:
    response = client.get(f"{NAT}/all?format=csvdata-1.0")
    assert response.status_code == 200
    rows = [line.split(",") for line in response.get_data(as_text=True).splitlines()[1:]]
    return sorted((".".join(r[1:9]), r[9], r[10]) for r in rows)


@pytest.mark.parametrize("query", ["?map=IMDX:SM_STOCK_CODED(1.0.0)", ""])
def test_a_submission_is_converted_by_the_named_or_the_only_map(app: Flask, query: str) -> None:
    client = app.test_client()
    response = client.post(NAT + query, data=CODED.read_bytes(), headers=admin(app))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert stored(client) == expected_rows(CODED)
    assert response.get_json()["conversion"] == (
        "StructureMap=IMDX:SM_STOCK_CODED(1.0.0) from IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    )


def test_a_refused_conversion_names_the_line_and_stores_nothing(app: Flask) -> None:
    client = app.test_client()
    body = (FOLDER / "invalid" / "unmapped-code.csv").read_bytes()
    response = client.post(NAT, data=body, headers={**admin(app), "Accept": "application/json"})
    assert response.status_code == 400  # SDMX-REST 1.5; 2.x answers 422
    finding = response.get_json()["findings"][0]
    assert (finding["code"], finding["line"], finding["component"]) == ("UNMAPPED_VALUE", 5, "SEX")
    assert client.get(f"{NAT}/all").status_code == 404


def test_a_malformed_map_parameter_is_400(app: Flask) -> None:
    response = app.test_client().post(
        NAT + "?map=SM_STOCK_CODED", data=CODED.read_bytes(), headers=admin(app)
    )
    assert response.status_code == 400
    assert "AGENCY:ID(VERSION)" in response.get_data(as_text=True)


def test_validate_converts_through_the_map(app: Flask) -> None:
    client = app.test_client()
    url = "/validate?map=IMDX:SM_STOCK_CODED(1.0.0)"
    good = client.post(url, data=CODED.read_bytes(), content_type=CSV20)
    assert good.status_code == 200, good.get_data(as_text=True)
    assert good.get_json()["observations"] == 21
    bad = client.post(url, data=(FOLDER / "invalid" / "collision.csv").read_bytes(),
                      content_type=CSV20)  # fmt: skip
    assert bad.status_code == 422
    assert [f["code"] for f in bad.get_json()["findings"]] == ["MAP_COLLISION"]
    # without the map the same message is checked against its own dataflow: codes refused
    plain = client.post("/validate", data=CODED.read_bytes(), content_type=CSV20)
    assert plain.status_code == 422


def test_the_command_line_loads_and_validates_through_the_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", fresh_database(tmp_path))
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    valid = runner.invoke(
        main, ["validate", "--structure", str(MAPS), "--map", "IMDX:SM_STOCK_CODED", str(CODED)]
    )
    assert valid.exit_code == 0, valid.output
    invalid = runner.invoke(
        main,
        ["validate", "--structure", str(MAPS), "--map", "IMDX:SM_STOCK_CODED(1.0.0)",
         str(FOLDER / "invalid" / "refused-by-target.csv")],
    )  # fmt: skip
    assert invalid.exit_code == 1 and "NOT_ALLOWED" in invalid.output
    assert runner.invoke(main, ["load", str(MAPS)]).exit_code == 0
    loaded = runner.invoke(main, ["load", "--map", "IMDX:SM_STOCK_CODED(1.0.0)", str(CODED)])
    assert loaded.exit_code == 0, loaded.output
    assert "IMDX:DF_MIG_STOCK_NAT(1.0.0): 3 series, 21 observations written" in loaded.output
    assert "(converted through StructureMap=IMDX:SM_STOCK_CODED(1.0.0) from" in loaded.output
    bad = runner.invoke(main, ["load", "--map", "nonsense", str(CODED)])
    assert bad.exit_code == 2 and "--map" in bad.output


def test_the_validation_page_converts_through_the_chosen_map(app: Flask) -> None:
    import io

    client = app.test_client()
    page = client.get("/validate")
    assert page.status_code == 200 and "IMDX:SM_STOCK_CODED(1.0.0)" in page.get_data(as_text=True)
    answer = client.post(
        "/validate",
        data={"file": (io.BytesIO(CODED.read_bytes()), "stock-coded.csv"),
              "map": "IMDX:SM_STOCK_CODED(1.0.0)"},
        headers={"Accept": "text/html"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)[-2000:]
    unmapped = client.post(
        "/validate",
        data={"file": (io.BytesIO((FOLDER / "invalid" / "unmapped-code.csv").read_bytes()),
                       "unmapped.csv"),
              "map": "IMDX:SM_STOCK_CODED(1.0.0)"},
        headers={"Accept": "text/html"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert unmapped.status_code == 422
    assert "UNMAPPED_VALUE" in unmapped.get_data(as_text=True)
