"""Fixtures for the loader's tests: nodes holding the project's structures, with or without data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from sdmxnode.app import create_app
from sdmxnode.services.node import Node
from tests.conftest import initialise_from_template


@pytest.fixture
def structures_node(database_url: str) -> Iterator[Node]:
    """A fresh node holding the project's structures (dsd/, codelists/) and no data."""
    application: Flask = create_app(
        {"DATABASE_URL": database_url, "DEMO_DATA": "", "TESTING": True}
    )
    node: Node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    yield node
    node.store.engine.dispose()


@pytest.fixture
def empty_node(app: Flask) -> Node:
    """A fresh node with an empty schema: no structures, no data."""
    node: Node = app.extensions["sdmxnode"]
    node.store.create_schema()
    return node
