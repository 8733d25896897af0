"""Flask blueprints: the SDMX REST APIs, node services and pages; thin views only."""

from __future__ import annotations

from flask import current_app

from sdmxnode.services.node import Node


def current_node() -> Node:
    """The node the current application serves (set up by `create_app`)."""
    node: Node = current_app.extensions["sdmxnode"]
    return node
