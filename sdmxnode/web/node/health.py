"""The node's own service endpoints: health and the provenance of harvested artefacts."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from sdmxnode import __version__
from sdmxnode.services.access import failure_of
from sdmxnode.web import current_node

blueprint = Blueprint("node_service", __name__)


@blueprint.route("/health")
def health() -> ResponseReturnValue:
    """200 with the node's name, version, database engine and artefact count; 503 JSON when
    the database cannot answer (a monitor tells an outage from a defect). `deep=1` also
    commits a write (the health row), so a full disk or a held lock shows too."""
    node = current_node()
    about = {
        "node": node.settings.node_name,
        "version": __version__,
        "database": node.store.dialect_name,
    }
    try:
        artefacts = node.store.count_artefacts()
        if request.args.get("deep") in ("1", "true"):
            node.store.check_write()
            about["write"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure of the store is the answer here
        error = failure_of(exc)
        response = jsonify(status="unavailable", **about, detail=error.text)
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    response = jsonify(status="ok", **about, artefacts=artefacts)
    response.headers["Cache-Control"] = "no-store"
    return response


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
