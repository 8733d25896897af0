"""SDMX-JSON 2.0 metadata messages: schema-checked, read into the model, checked, stored."""

from __future__ import annotations

import json

import pytest

from sdmxnode.errors import LoadRejected
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from tests.services.metadata.conftest import METADATA, stored_counts

KENYA_JSON = METADATA / "TEST-MDF_MIG-KEN-json20.json"


def _message(change=None) -> bytes:
    document = json.loads(KENYA_JSON.read_text(encoding="utf-8"))
    if change is not None:
        change(document["data"]["metadataSets"][0])
    return json.dumps(document).encode()


def test_a_json_set_loads(node: Node) -> None:
    result = load_metadata(node, KENYA_JSON, MetadataLoadOptions(source=KENYA_JSON.name))
    assert result.outcomes == {"TEST:MDS_KEN(1.0.0)": "created"}
    assert stored_counts(node) == (1, 1)


def _attribute(metadata_set: dict, id_: str) -> dict:
    return next(a for a in metadata_set["attributes"] if a["id"] == id_)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda s: _attribute(s, "DEFINITION").update(value="XX"), "UNKNOWN_CODE"),
        (lambda s: _attribute(s, "THRESHOLD").update(value="twelve"), "BAD_VALUE"),
        (lambda s: s["attributes"].append({"id": "DURATION", "value": 3}), "UNKNOWN_ATTRIBUTE"),
        (
            lambda s: _attribute(s, "NOTE").update(value={"en": "<div><p>unclosed</div>"}),
            "UNSAFE_XHTML",
        ),
        (
            lambda s: _attribute(s, "NOTE").update(
                value={"en": "<div><img src='x' onerror='steal()'/></div>"}
            ),
            "UNSAFE_XHTML",
        ),
        (lambda s: s.update(targets=[s["targets"][0].replace("KEN", "ZZZ")]), "UNRESOLVED_TARGET"),
    ],
)
def test_invalid_json_metadata_is_refused(node: Node, change, code: str) -> None:
    with pytest.raises(LoadRejected) as refused:
        load_metadata(node, _message(change), MetadataLoadOptions())
    assert [f.code for f in refused.value.report.findings] == [code]
    assert stored_counts(node) == (0, 0)


def test_a_json_message_breaking_its_schema_is_refused(node: Node) -> None:
    with pytest.raises(LoadRejected) as refused:
        load_metadata(node, _message(lambda s: s.pop("targets")), MetadataLoadOptions())
    assert {f.code for f in refused.value.report.findings} == {"SCHEMA"}
    assert stored_counts(node) == (0, 0)
