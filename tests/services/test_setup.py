"""The node's setup: initialise_node and the load options it passes."""

from __future__ import annotations

import dataclasses

import pytest

from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.services.setup import initialise_node


def test_load_options_defaults_and_frozen() -> None:
    options = LoadOptions()
    assert (options.source, options.principal, options.kind, options.replace) == (
        "message",
        "",
        None,
        False,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.source = "other"  # type: ignore[misc]


def test_replace_needs_a_dataflow(structures_node: Node) -> None:
    with pytest.raises(ValueError, match="needs the dataflow"):
        load_data(structures_node, b"", LoadOptions(replace=True))


def test_initialise_node_is_idempotent(structures_node: Node) -> None:
    initialise_node(structures_node)
    again = initialise_node(structures_node)
    assert again.created == 0
