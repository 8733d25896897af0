"""Actions of metadata sets: Replace, Merge, Append, Information (as Merge), Delete; history."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from sqlalchemy import select

from sdmxnode.errors import LoadRejected, NotFound
from sdmxnode.formats.metadata import from_json
from sdmxnode.formats.sdmxml.metadata.reader import read_metadata_ml
from sdmxnode.services.metadata.loading import MetadataLoadOptions, apply_action, load_metadata
from sdmxnode.services.node import Node
from sdmxnode.storage.metadata.sets import MetadataStore
from sdmxnode.storage.tables import metadata_set_history, metadata_sets
from tests.services.metadata.conftest import KENYA, KENYA_30, stored_counts

VALID = KENYA.read_text(encoding="utf-8")
VALID_30 = KENYA_30.read_text(encoding="utf-8")
SOURCE_30 = '<md:Attribute id="SOURCE"><md:Value>2019 Population and Housing Census</md:Value>'
THRESHOLD_30 = '<md:Attribute id="THRESHOLD"><md:Value>12</md:Value></md:Attribute>'
SOURCE = '<metadata:ReportedAttribute id="SOURCE" value="2019 Population and Housing Census"/>'
THRESHOLD = '<metadata:ReportedAttribute id="THRESHOLD" value="12"/>'


def _message(action: str, *, source: str | None = None, threshold: bool = True) -> bytes:
    text = VALID.replace('action="Replace"', f'action="{action}"')
    if source is not None:
        text = text.replace(SOURCE, f'<metadata:ReportedAttribute id="SOURCE" value="{source}"/>')
    if not threshold:
        text = text.replace(THRESHOLD, "")
    return text.encode()


def _message_30(action: str, *, source: str | None = None, threshold: bool = True) -> bytes:
    """The SDMX-ML 3.0 message (Merge is SDMX 3.0's) of the same set."""
    text = VALID_30.replace('action="Replace"', f'action="{action}"')
    if source is not None:
        text = text.replace(SOURCE_30, f'<md:Attribute id="SOURCE"><md:Value>{source}</md:Value>')
    if not threshold:
        text = text.replace(THRESHOLD_30, "")
    return text.encode()


def _values(node: Node) -> dict[str, str | None]:
    with node.store.engine.connect() as conn:
        body = conn.execute(select(metadata_sets.c.body)).scalar_one()
    (report,) = from_json(body).reports
    return {a.id: a.value for a in report.attributes}


def _history(node: Node) -> list[str]:
    with node.store.engine.connect() as conn:
        query = select(metadata_set_history.c.action).order_by(metadata_set_history.c.pk)
        return list(conn.execute(query).scalars())


def _load(node: Node, message: bytes) -> dict[str, str]:
    return load_metadata(node, message, MetadataLoadOptions(principal="test")).outcomes


def test_replace_takes_the_place_of_the_set_whole(node: Node) -> None:
    assert _load(node, _message("Replace")) == {"TEST:MDS_KEN(1.0)": "created"}
    assert _load(node, _message("Replace", source="register", threshold=False)) == {
        "TEST:MDS_KEN(1.0)": "replaced"
    }
    values = _values(node)
    assert values["SOURCE"] == "register" and "THRESHOLD" not in values
    assert _load(node, _message("Replace", source="register", threshold=False)) == {
        "TEST:MDS_KEN(1.0)": "unchanged"
    }
    assert _history(node) == ["Replace", "Replace"]


def test_merge_replaces_what_is_sent_and_keeps_the_rest(node: Node) -> None:
    # No SDMX-ML schema (2.1, 3.0) allows action="Merge" (SDMX-JSON 2.0 and SDMX-ML 3.1
    # do): the set read from a 3.0 message is given the action here.
    _load(node, _message_30("Replace"))
    (sent,) = read_metadata_ml(io.BytesIO(_message_30("Replace", source="survey", threshold=False)))
    with MetadataStore.sharing(node.store).transaction() as tx:
        assert apply_action(tx, replace(sent, action="Merge")) == "merged"
    values = _values(node)
    assert values["SOURCE"] == "survey" and values["THRESHOLD"] == "12"


def test_information_is_taken_as_merge(node: Node) -> None:
    _load(node, _message("Replace"))
    _load(node, _message("Information", source="survey", threshold=False))
    values = _values(node)
    assert values["SOURCE"] == "survey" and values["THRESHOLD"] == "12"


def test_append_adds_what_is_absent_and_keeps_what_is_present(node: Node) -> None:
    _load(node, _message("Replace", threshold=False))
    assert _load(node, _message("Append", source="survey")) == {"TEST:MDS_KEN(1.0)": "appended"}
    values = _values(node)
    assert values["SOURCE"] == "2019 Population and Housing Census"
    assert values["THRESHOLD"] == "12"


def test_delete_removes_the_set_and_history_keeps_it(node: Node) -> None:
    _load(node, _message("Replace"))
    assert _load(node, _message("Delete")) == {"TEST:MDS_KEN(1.0)": "deleted"}
    assert stored_counts(node) == (0, 2)
    assert _history(node) == ["Replace", "Delete"]
    with pytest.raises(NotFound):
        _load(node, _message("Delete"))
    assert stored_counts(node) == (0, 2)


def test_an_sdmx_ml_30_set_loads_against_the_metadataflow(node: Node) -> None:
    assert _load(node, _message_30("Replace")) == {"TEST:MDS_KEN(1.0)": "created"}
    assert _values(node)["DEFINITION"] == "FB"
    bad = _message_30("Replace").replace(b"<md:Value>FB</md:Value>", b"<md:Value>XX</md:Value>")
    with pytest.raises(LoadRejected) as refused:
        _load(node, bad)
    assert [f.code for f in refused.value.report.findings] == ["UNKNOWN_CODE"]
    assert refused.value.report.findings[0].component == "DEFINITION"
