"""Schema validation helpers: line-numbered errors, cached schemas, safe parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdmxnode.errors import Invalid
from sdmxnode.validation import schema
from sdmxnode.validation.schema import validate_ml21, validate_ml30, validate_schema

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

HEADER_21 = (
    b'<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
    b"<mes:Header><mes:ID>X</mes:ID><mes:Test>false</mes:Test>"
    b"<mes:Prepared>2024-01-01T00:00:00</mes:Prepared>"
)


def test_valid_minimal_ml21_message_has_no_errors() -> None:
    xml = HEADER_21 + b'<mes:Sender id="A"/></mes:Header></mes:Structure>'
    assert validate_ml21(xml) == []


def test_schema_errors_carry_line_numbers() -> None:
    xml = HEADER_21 + b"\n<mes:Bogus/></mes:Header></mes:Structure>"
    errors = validate_ml21(xml)
    assert errors
    assert errors[0].startswith("line 2:")
    assert "Bogus" in errors[0]


def test_malformed_xml_is_reported_not_raised() -> None:
    errors = validate_ml30(b"<a>\n<b></a>")
    assert len(errors) == 1
    assert errors[0].startswith("line 2:")


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'
    ).encode()
    errors = validate_ml21(xml)
    assert errors
    assert not any("TOP-SECRET-VALUE" in e for e in errors)


def test_the_schema_is_built_once() -> None:
    validate_ml21(b"<a/>")
    before = schema._schema.cache_info().misses
    validate_ml21(b"<b/>")
    assert schema._schema.cache_info().misses == before


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent")
def test_corpus_ml30_codelist_is_valid_and_not_ml21() -> None:
    xml = (CORPUS / "ESTAT-CL_FREQ-v30.xml").read_bytes()
    assert validate_ml30(xml) == []
    assert validate_ml21(xml) != []


# -- validate_schema: findings for SDMX-ML and SDMX-JSON ----------------------------------

PROJECT = Path(__file__).resolve().parents[2]
DEMO = PROJECT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"


def test_structure_specific_envelope_is_valid_and_its_body_left_to_the_rules() -> None:
    data = DEMO.read_bytes()
    assert validate_schema(data, "sdmx-ml") == []
    # a DSD-specific body is not in the official XSDs: unknown content there is not SCHEMA
    body = data.replace(b'<Obs TIME_PERIOD="1995"', b'<Bogus/><Obs TIME_PERIOD="1995"', 1)
    assert validate_schema(body, "sdmx-ml") == []


def test_structure_specific_envelope_errors_are_reported_with_their_line() -> None:
    data = DEMO.read_bytes().replace(b"<mes:Test>false</mes:Test>", b"<mes:Test>maybe</mes:Test>")
    findings = validate_schema(data, "sdmx-ml")
    assert [(f.code, f.line) for f in findings] == [("SCHEMA", 5)]
    assert "Test" in findings[0].message and "maybe" in findings[0].message


def test_hostile_and_broken_xml_is_unreadable() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
    )
    deep = b"<a>" * 300 + b"</a>" * 300
    for data in (laughs, deep, b"<a>\n<b></a>", b""):
        findings = validate_schema(data, "sdmx-ml")
        assert [f.code for f in findings] == ["UNREADABLE"], data[:40]


def test_not_an_sdmx_message() -> None:
    findings = validate_schema(b"<html><body/></html>", "sdmx-ml")
    assert [f.code for f in findings] == ["SCHEMA"]
    assert "html" in findings[0].message


def test_sdmx_json_findings_name_the_json_pointer() -> None:
    message = {
        "meta": {
            "schema": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/"
            "data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json",
            "id": "X",
            "prepared": "2024-01-01T00:00:00Z",
            "sender": {"id": "IMDX"},
        },
        "data": {"dataSets": "not a list"},
    }
    findings = validate_schema(json.dumps(message).encode(), "sdmx-json")
    assert [f.code for f in findings] == ["SCHEMA"]
    assert "/data/dataSets" in findings[0].message and "2.0" in findings[0].message


def test_sdmx_json_that_is_not_json() -> None:
    findings = validate_schema(b'{"data":\n  [1, 2', "sdmx-json")
    assert [(f.code, f.line) for f in findings] == [("UNREADABLE", 2)]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(Invalid):
        validate_schema(b"a,b\n", "sdmx-csv")


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent")
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ECB-EXR-M.USD.EUR.SP00.A.xml", "sdmx-ml"),
        ("ECB-EXR-sg-xs-ss.xml", "sdmx-ml"),
        ("ESTAT-demography-xs.xml", "sdmx-ml"),
        ("IMF_RES-WEO-data.xml", "sdmx-ml"),
        ("ECB-EXR-v30-data.xml", "sdmx-ml"),
        ("ECB-EXR-sg-ts.xml", "sdmx-ml"),
        ("ECB-EXR-ts.json", "sdmx-json"),
        ("NIS-agri-sdmxjson2.json", "sdmx-json"),
        ("ECB-EXR-structure-sdmxjson2.json", "sdmx-json"),
    ],
)
def test_real_valid_messages_have_no_schema_findings(name: str, kind: str) -> None:
    assert validate_schema((CORPUS / name).read_bytes(), kind) == []


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent")
def test_generic_data_bodies_are_validated() -> None:
    data = (CORPUS / "ECB-EXR-M.USD.EUR.SP00.A.xml").read_bytes()
    broken = data.replace(b"generic:ObsValue", b"generic:ObsAmount", 2)
    assert broken != data
    findings = validate_schema(broken, "sdmx-ml")
    assert findings and {f.code for f in findings} == {"SCHEMA"}
    assert "ObsAmount" in findings[0].message
