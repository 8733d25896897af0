"""The node's own service endpoints: health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from sdmxnode import __version__

blueprint = Blueprint("node_service", __name__)


@blueprint.route("/health")
def health() -> ResponseReturnValue:
    """200 with the node's name, version, database engine and artefact count."""
    node = current_app.extensions["sdmxnode"]
    return jsonify(
        status="ok",
        node=node.settings["NODE_NAME"],
        version=__version__,
        database=node.store.engine.dialect.name,
        artefacts=node.store.count_artefacts(),
    )
