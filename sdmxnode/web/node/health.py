"""The node's own service endpoints: health and the provenance of harvested artefacts."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from sdmxnode import __version__
from sdmxnode.web import current_node

blueprint = Blueprint("node_service", __name__)


@blueprint.route("/health")
def health() -> ResponseReturnValue:
    """200 with the node's name, version, database engine and artefact count."""
    node = current_node()
    return jsonify(
        status="ok",
        node=node.settings.node_name,
        version=__version__,
        database=node.store.dialect_name,
        artefacts=node.store.count_artefacts(),
    )


@blueprint.route("/harvest/provenance")
def harvest_provenance() -> ResponseReturnValue:
    """Where harvested artefacts and data loads came from (filters: kind, type, agency, id)."""
    node = current_node()
    entries = node.harvest_records().list_provenance(
        kind=request.args.get("kind"),
        type_=request.args.get("type"),
        agency_id=request.args.get("agency"),
        id_=request.args.get("id"),
    )
    return jsonify(provenance=[entry.to_json() for entry in entries])
