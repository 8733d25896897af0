"""POST /validate: the validation service, open to anyone; nothing is stored."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from sdmxnode.errors import BadRequest
from sdmxnode.formats.registry import parse_accept
from sdmxnode.services.message_validation import validate_message
from sdmxnode.services.node import Node
from sdmxnode.services.structure_info import StructureInfoBuilder

blueprint = Blueprint("validation_service", __name__)


@blueprint.route("/validate", methods=["POST"])
def validate() -> Response:
    """Check the message in the body (or the `file` field of a form) against the node's
    structures. 200 with the report (JSON by default; plain text or an SDMX-ML Error message
    on request); `valid` says whether the message would load."""
    node: Node = current_app.extensions["sdmxnode"]
    upload = request.files.get("file")
    data = upload.read() if upload is not None else request.get_data()
    if not data:
        raise BadRequest("send the message as the request body or as the form field 'file'")
    source = upload.filename if upload is not None and upload.filename else "message"
    report = validate_message(
        StructureInfoBuilder(node.store, node.cache),
        data,
        source=source,
        max_bytes=int(node.settings["MAX_REQUEST_BYTES"]),
        settings=node.settings,
    )
    for rng in parse_accept(request.headers.get("Accept", "")):
        if rng.media_type == "text/plain":
            return Response(report.to_text(), mimetype="text/plain")
        if rng.media_type in ("application/xml", "text/xml") or "+xml" in rng.media_type:
            return Response(report.to_sdmx_error_xml("2.1"), mimetype="application/xml")
        if "json" in rng.media_type or rng.media_type == "*/*":
            break
    return jsonify(report.to_json())
