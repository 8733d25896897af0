"""GET /audit: the audit log of writes, for admin tokens only."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, jsonify, request

from sdmxnode.errors import BadRequest
from sdmxnode.web import current_node
from sdmxnode.web.access import WriteAttempt

blueprint = Blueprint("audit_service", __name__)

MAX_ENTRIES = 10000


@blueprint.route("/audit", methods=["GET"])
def audit() -> Response:
    """The latest write attempts first (`limit`, `since`, `token`, `action` filter them),
    and the counted anonymous refusals (`limit`, `since`)."""
    node = current_node()
    WriteAttempt(node).authorise_admin("reading the audit log")
    try:
        limit = int(request.args.get("limit", "100"))
    except ValueError as exc:
        raise BadRequest("limit must be a whole number", where="limit") from exc
    if not 1 <= limit <= MAX_ENTRIES:
        raise BadRequest(f"limit must be between 1 and {MAX_ENTRIES}", where="limit")
    since_text = request.args.get("since")
    try:
        since = datetime.fromisoformat(since_text.replace("Z", "+00:00")) if since_text else None
    except ValueError as exc:
        raise BadRequest(
            f"since must be an ISO 8601 time, not {since_text!r}", where="since"
        ) from exc
    actions = request.args.getlist("action") or None
    entries = node.access.list_audit(
        limit=limit, since=since, token_id=request.args.get("token"), actions=actions
    )
    # Anonymous refusals are counted per minute and source, not entries of their own.
    refusals = node.access.list_refusals(limit=limit, since=since)
    response = jsonify({"entries": [entry.to_json() for entry in entries], "refusals": refusals})
    response.headers["Cache-Control"] = "no-store"
    return response
