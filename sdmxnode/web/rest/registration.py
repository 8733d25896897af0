"""SDMX-REST 2.x registrations: the queries of the v2.2.2 OpenAPI under /rest/v2/registration
and submission by POST /rest/v2/registration (a RegistryInterface SubmitRegistrationsRequest
or the node's JSON) with a provider token whose provider owns each agreement. A registered
source is pulled at once; the answer says how that pull went."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, request

from sdmxnode.formats.registrations.model import statuses_json
from sdmxnode.formats.registry.negotiation import negotiate_format
from sdmxnode.formats.registry.registrations import REGISTRY_MEDIA_VERSIONS, REGISTRY_XML
from sdmxnode.formats.sdmxml.registry.registrations import write_submit_registrations_response
from sdmxnode.rest.registration import (
    RegistrationQuery,
    parse_by_context,
    parse_by_id,
    parse_by_provider,
)
from sdmxnode.services.registrations.pulling import pull_registered
from sdmxnode.services.registrations.queries import find_registrations, registrations_etag
from sdmxnode.services.registrations.submission import read_submission, submit_registrations
from sdmxnode.web import current_node
from sdmxnode.web.access import write_attempt
from sdmxnode.web.bodies import received_body
from sdmxnode.web.http import conditional

blueprint = Blueprint("rest_registration", __name__)

_BASE = "/rest/v2/registration"


def _answer(query: RegistrationQuery) -> Response:
    fmt = negotiate_format("registration", 2, request.args, request.headers.get("Accept"))
    node = current_node()
    found = find_registrations(node, query)
    etag, last_modified = registrations_etag(found, fmt.name)

    def render() -> Response:
        assert fmt.writer is not None
        body = fmt.writer(found, node.header())
        content_type = "application/json" if fmt.is_json or fmt.name.endswith("json") else None
        return Response(body, content_type=content_type or fmt.content_type)

    return conditional(etag, last_modified.replace(tzinfo=None), render)


@blueprint.get(f"{_BASE}/id/<registration_id>")
def by_id(registration_id: str) -> Response:
    """The registrations with these ids (`*`: all)."""
    return _answer(parse_by_id(registration_id, request.args))


@blueprint.get(f"{_BASE}/provider/<agency_id>/<provider_id>")
def by_provider(agency_id: str, provider_id: str) -> Response:
    """The registrations of these data providers."""
    return _answer(parse_by_provider(agency_id, provider_id, request.args))


@blueprint.get(f"{_BASE}/<context>/<agency_id>/<resource_id>")
@blueprint.get(f"{_BASE}/<context>/<agency_id>/<resource_id>/<version>")
def by_context(context: str, agency_id: str, resource_id: str, version: str = "*") -> Response:
    """The registrations of agreements of these data structures, dataflows or agreements."""
    return _answer(parse_by_context(context, agency_id, resource_id, version, request.args))


@blueprint.post(_BASE)
def submit() -> Response:
    """Store the registrations of the message (all or none), pull each source written,
    and answer a SubmitRegistrationsResponse (or JSON for a JSON submission)."""
    node = current_node()
    with write_attempt("registration.submit", "registrations") as attempt:
        principal = attempt.authenticate(need="registering a data source needs a provider token")
        with received_body() as (body, media_type):
            if isinstance(body, Path):
                body = body.read_bytes()
            submission = read_submission(body or b"", media_type or "")
        statuses = submit_registrations(node, submission, principal)
        statuses = [pull_registered(node, s) for s in statuses]
        attempt.counts = {"registrations": len(statuses)}
        attempt.status = 201 if any(s.code == "201" for s in statuses) else 200
    if submission.form == "json":
        meta: dict[str, object] = {
            "id": node.header().id,
            "sender": {"id": node.settings.sender_id},
        }
        response = Response(
            json.dumps(statuses_json(statuses, meta), indent=1), content_type="application/json"
        )
    else:
        response = Response(
            write_submit_registrations_response(statuses, node.header(), submission.form),
            content_type=f"{REGISTRY_XML};version={REGISTRY_MEDIA_VERSIONS[submission.form]}",
        )
    response.status_code = attempt.status
    response.headers["Cache-Control"] = "no-store"
    return response
