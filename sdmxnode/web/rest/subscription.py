"""Subscriptions over HTTP: POST /rest/v2/subscription takes a RegistryInterface
SubmitSubscriptionsRequest (SDMX-ML 2.1, 3.0, 3.1) or the node's JSON with a bearer token
and answers a SubmitSubscriptionsResponse (or JSON).

SDMX-REST 2.2.2 has no subscription resource; the paths follow its registration resource
(the node's choice, written down in the README)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response

from sdmxnode.formats.registry.registrations import REGISTRY_MEDIA_VERSIONS, REGISTRY_XML
from sdmxnode.formats.sdmxml.registry.subscriptions import write_submit_subscriptions_response
from sdmxnode.formats.subscriptions.model import statuses_json
from sdmxnode.services.subscriptions.submission import read_submission, submit_subscriptions
from sdmxnode.web import current_node
from sdmxnode.web.access import write_attempt
from sdmxnode.web.bodies import received_body

blueprint = Blueprint("rest_subscription", __name__)

_BASE = "/rest/v2/subscription"


@blueprint.post(_BASE)
def submit() -> Response:
    """Store the subscriptions of the message (all or none)."""
    node = current_node()
    with write_attempt("subscription.submit", "subscriptions") as attempt:
        principal = attempt.authenticate(need="subscribing needs a token")
        with received_body() as (body, media_type):
            if isinstance(body, Path):
                body = body.read_bytes()
            submission = read_submission(body or b"", media_type or "")
        statuses = submit_subscriptions(node, submission, principal)
        attempt.counts = {"subscriptions": len(statuses)}
        attempt.status = 201 if any(s.code == "201" for s in statuses) else 200
    if submission.form == "json":
        response = Response(
            json.dumps(statuses_json(statuses), indent=1), content_type="application/json"
        )
    else:
        response = Response(
            write_submit_subscriptions_response(statuses, node.header(), submission.form),
            content_type=f"{REGISTRY_XML};version={REGISTRY_MEDIA_VERSIONS[submission.form]}",
        )
    response.status_code = attempt.status
    response.headers["Cache-Control"] = "no-store"
    return response
