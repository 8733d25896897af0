"""Schema validation helpers: line-numbered errors, cached schemas, safe parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdmxnode.validation import schema
from sdmxnode.validation.schema import validate_ml21, validate_ml30

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
