"""The blueprints registered in one place and the one way views reach the node."""

from __future__ import annotations

from flask import Flask

from sdmxnode.web import current_node
from sdmxnode.web.blueprints import BLUEPRINTS


def test_every_blueprint_is_registered_once(app: Flask) -> None:
    assert [app.blueprints[b.name] for b in BLUEPRINTS] == list(BLUEPRINTS)
    assert len(app.blueprints) == len(BLUEPRINTS)


def test_current_node_is_the_node_of_the_application(app: Flask) -> None:
    with app.app_context():
        assert current_node() is app.extensions["sdmxnode"]
