"""GET /openapi.json (the node's OpenAPI description) and GET /api (the same, for people)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from sdmxnode.services.openapi.document import build_openapi_document
from sdmxnode.web import current_node
from sdmxnode.web.pages.api import render_api_page

blueprint = Blueprint("openapi", __name__)


def current_document() -> dict:
    """The description of this node, with the URL it is reached at as its server."""
    node = current_node()
    return build_openapi_document(node.settings, server_url=request.url_root)


@blueprint.route("/openapi.json")
def openapi_json() -> Response:
    """200 with the OpenAPI 3.0 description as JSON."""
    response = jsonify(current_document())
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.route("/api")
def api_page() -> Response:
    """200 with the API page (HTML)."""
    stylesheet = url_for("static", filename="api.css")
    icon = url_for("static", filename="favicon.svg")
    return Response(render_api_page(current_document(), stylesheet, icon), mimetype="text/html")
