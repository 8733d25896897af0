"""Metadata submission: POST, PUT and DELETE of metadata sets at
/rest/v2/metadata/metadataflow/{agencyID}/{resourceID}/{version}, with a bearer token whose
rights cover the metadataflow (admin, the agency's maintainer or provider, or a provider
token listing the metadataflow). The logic is in `services/metadata/submission.py`; every
request is authorised and audited by `write_attempt`, as data submissions are.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sdmxnode.errors import LoadRejected, SdmxNodeError
from sdmxnode.rest.parameters import check_parameters
from sdmxnode.services.data.submission import StoredArtefact, require_message
from sdmxnode.services.metadata.submission import (
    find_write_metadataflow,
    submission_json,
    submit_metadata,
)
from sdmxnode.web import current_node
from sdmxnode.web.access import write_attempt
from sdmxnode.web.bodies import received_body
from sdmxnode.web.errors import api_major

blueprint = Blueprint("rest_metadata_write", __name__)

_V2 = "/rest/v2/metadata/metadataflow/<agency>/<id_>/<version>"


@blueprint.route(_V2, methods=["POST", "PUT", "DELETE"])
def write_v2(agency: str, id_: str, version: str) -> Response:
    """Store (POST: by each set's action; PUT: Replace; DELETE: Delete) the metadata sets
    of the message in the body; 201 when a set was created, 200 otherwise, 422 with the
    findings when the message has errors (nothing stored)."""
    node = current_node()
    named = f"{agency}:{id_}({version})"
    metadataflow: StoredArtefact | None = None
    problem: SdmxNodeError | None = None
    try:
        metadataflow = find_write_metadataflow(node, agency, id_, version)
    except SdmxNodeError as exc:
        problem = exc
    try:
        with write_attempt(f"metadata.{request.method.lower()}", named) as attempt:
            if metadataflow is None:
                attempt.authenticate()
                assert problem is not None
                raise problem
            principal = attempt.authorise_metadata(agency, id_, version)
            check_parameters(request.args, (), (), query="metadata submission")
            with received_body() as (body, _media_type):
                result = submit_metadata(
                    node,
                    metadataflow,
                    require_message(body),
                    method=request.method,
                    principal=principal.token_id,
                    source=f"HTTP {request.method} {request.path}",
                    max_bytes=node.settings.max_request_bytes,
                )
            attempt.counts = {"sets": len(result.outcomes)}
            attempt.status = 201 if "created" in result.outcomes.values() else 200
            response = jsonify(submission_json(metadataflow, request.method, result))
            response.status_code = attempt.status
            response.headers["Cache-Control"] = "no-store"
            return response
    except LoadRejected as exc:
        response = jsonify(
            {
                "metadataflow": named,
                "method": request.method,
                "stored": False,
                **{k: v for k, v in exc.report.to_json().items() if k in ("errors", "warnings")},
                "findings": [finding.to_json() for finding in exc.report.findings],
            }
        )
        response.status_code = exc.http_status(api_major())
        response.headers["Cache-Control"] = "no-store"
        return response
