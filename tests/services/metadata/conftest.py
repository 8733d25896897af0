"""A node holding the test metadata structure of fixtures/metadata, and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sdmxnode.config import load_settings
from sdmxnode.formats.input import open_message
from sdmxnode.services.node import Node
from sdmxnode.services.structures.messages import load_structure_message
from sdmxnode.storage.tables import metadata_set_history, metadata_sets

METADATA = Path(__file__).resolve().parents[3] / "fixtures" / "metadata"
TEST_MSD = METADATA / "TEST-MSD_MIG.xml"
KENYA = METADATA / "TEST-MDF_MIG-KEN.xml"
KENYA_30 = METADATA / "TEST-MDF_MIG-KEN-30.xml"


def load_structures(node: Node, *paths: Path) -> None:
    for path in paths:
        loaded = load_structure_message(node, open_message(path), source=path.name)
        assert loaded.stored, path


@pytest.fixture
def node(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    """A node on a fresh database holding the test MSD, its code lists and metadataflow."""
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_STRUCTURE_DIRS", "")
    made = Node.from_settings(load_settings())
    made.store.create_schema()
    load_structures(made, TEST_MSD)
    yield made
    made.store.engine.dispose()


def stored_counts(node: Node) -> tuple[int, int]:
    """(metadata sets held, history rows)."""
    with node.store.engine.connect() as conn:
        sets = conn.execute(select(func.count()).select_from(metadata_sets)).scalar_one()
        history = conn.execute(select(func.count()).select_from(metadata_set_history)).scalar_one()
    return sets, history
