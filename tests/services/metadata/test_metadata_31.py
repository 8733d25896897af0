"""An SDMX-ML 3.1 generic metadata message loads as its 3.0 twin does (SDMX 3.1 input)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sdmxnode.errors import LoadRejected
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import metadata_sets
from tests.services.metadata.conftest import KENYA_30


def _bodies(node: Node) -> list[str]:
    with node.store.engine.connect() as conn:
        return list(conn.execute(select(metadata_sets.c.body)).scalars())


def test_a_31_message_is_checked_and_stored_like_its_30_twin(node: Node) -> None:
    text = KENYA_30.read_text(encoding="utf-8")
    as_31 = text.replace("/schemas/v3_0/", "/schemas/v3_1/").encode("utf-8")
    assert as_31 != text.encode("utf-8")

    result = load_metadata(node, as_31, MetadataLoadOptions(source="kenya-31.xml"))
    assert result.report.errors == 0
    stored_31 = _bodies(node)
    assert len(stored_31) == 1

    load_metadata(node, KENYA_30, MetadataLoadOptions(source=KENYA_30.name, action="Replace"))
    assert _bodies(node) == stored_31


def test_a_broken_31_message_is_refused_by_the_31_schema(node: Node) -> None:
    text = KENYA_30.read_text(encoding="utf-8").replace("/schemas/v3_0/", "/schemas/v3_1/")
    broken = text.replace("<md:Target>", "<md:Tagret>", 1).replace(
        "</md:Target>", "</md:Tagret>", 1
    )
    assert broken != text

    with pytest.raises(LoadRejected) as refused:
        load_metadata(node, broken.encode("utf-8"), MetadataLoadOptions(source="broken.xml"))
    assert any(f.code == "SCHEMA" for f in refused.value.report.findings)
    assert _bodies(node) == []
