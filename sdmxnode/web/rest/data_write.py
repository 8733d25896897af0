"""Data submission: POST, PUT and DELETE of data at /rest/data/{flowRef} (1.5) and
/rest/v2/data/dataflow/{agencyID}/{resourceID}/{version} (2.x), with a bearer token.

POST applies the message's actions, PUT replaces the dataflow's data with the message's,
DELETE applies a message as the Delete action or, without a body, deletes what a key path
(`.../{key}` with startPeriod/endPeriod on 1.5, c[TIME_PERIOD] on 2.x) selects. The logic
is in `services/data/submission.py`; every request is authorised and audited by
`write_attempt`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Response, jsonify, request

from sdmxnode.errors import BadRequest, LoadRejected, SdmxNodeError, UnsupportedMediaType
from sdmxnode.formats.reports.registry_interface import (
    MEDIA_TYPE,
    write_data_submission_response,
)
from sdmxnode.rest.data import DataQuery, parse_data_query_v1, parse_data_query_v2
from sdmxnode.rest.flows import FlowSelection, parse_flow_ref, parse_flow_v2
from sdmxnode.rest.parameters import check_parameters
from sdmxnode.services.access import Principal
from sdmxnode.services.data.submission import (
    StoredArtefact,
    Submission,
    check_gzip,
    dataflow_name,
    declared_kind,
    delete_selected,
    find_write_dataflow,
    require_message,
    submit_message,
)
from sdmxnode.services.mapping import parse_map_ref
from sdmxnode.services.node import Node
from sdmxnode.web import current_node
from sdmxnode.web.access import write_attempt
from sdmxnode.web.bodies import received_body
from sdmxnode.web.errors import api_major, wants_json

blueprint = Blueprint("rest_data_write", __name__)

#: Bodies up to this size are read into memory; larger ones go to a temporary file.
_METHODS = ["POST", "PUT", "DELETE"]
_V1 = "/rest/data/<flow_ref>"
_V2 = "/rest/v2/data/dataflow/<agency>/<id_>/<version>"


@blueprint.route(_V1, methods=_METHODS)
@blueprint.route(f"{_V1}/<key>", methods=["DELETE"])
def write_v1(flow_ref: str, key: str | None = None) -> Response:
    """POST, PUT and DELETE of data at /rest/data/{flowRef}[/{key}] (1.5)."""

    def deletion() -> DataQuery:
        check_parameters(request.args, ("startPeriod", "endPeriod"), (), query="data deletion")
        return parse_data_query_v1(flow_ref, key, None, request.args)

    return _write(lambda: parse_flow_ref(flow_ref), flow_ref, key, deletion)


@blueprint.route(_V2, methods=_METHODS)
@blueprint.route(f"{_V2}/<key>", methods=["DELETE"])
def write_v2(agency: str, id_: str, version: str, key: str | None = None) -> Response:
    """POST, PUT and DELETE of data at /rest/v2/data/dataflow/{agency}/{id}/{version}[/{key}]."""

    def deletion() -> DataQuery:
        check_parameters(request.args, ("c",), (), query="data deletion")
        return parse_data_query_v2("dataflow", agency, id_, version, key, request.args)

    def flow() -> FlowSelection:
        return parse_flow_v2("dataflow", agency, id_, version, contexts=("dataflow",))

    return _write(flow, f"{agency}:{id_}({version})", key, deletion)


def _write(
    flow: Callable[[], FlowSelection],
    named: str,
    key: str | None,
    deletion: Callable[[], DataQuery],
) -> Response:
    """Resolve the dataflow, then authorise, read and apply the request inside one audited
    write attempt (an unknown dataflow is audited too, once the caller is authenticated)."""
    node = current_node()
    dataflow: StoredArtefact | None = None
    problem: SdmxNodeError | None = None
    try:
        dataflow = find_write_dataflow(node, flow())
    except SdmxNodeError as exc:
        problem = exc
    target = dataflow_name(dataflow) if dataflow is not None else named
    try:
        with write_attempt(f"data.{request.method.lower()}", target) as attempt:
            if dataflow is None:
                attempt.authenticate()
                assert problem is not None
                raise problem
            ref = dataflow.ref
            principal = attempt.authorise_data(ref.agency_id, ref.id, ref.version)
            submission = _apply(node, dataflow, key, deletion, principal)
            attempt.counts = submission.counts_json()
            attempt.status = 201 if submission.created else 200
            return _answer(node, submission, attempt.status, principal)
    except LoadRejected as exc:
        return _rejected(exc, target)


def _apply(
    node: Node,
    dataflow: StoredArtefact,
    key: str | None,
    deletion: Callable[[], DataQuery],
    principal: Principal,
) -> Submission:
    if key is not None:  # DELETE on a key path
        if request.content_length or request.headers.get("Transfer-Encoding"):
            raise BadRequest(
                "a DELETE takes either a key in the path or a message in the body, not both",
                where="body",
            )
        return delete_selected(
            node, dataflow, deletion(), principal=principal.token_id, provider=principal.provider
        )
    check_parameters(request.args, ("map",), (), query="data submission")
    map_text = request.args.get("map", "").strip()
    structure_map = parse_map_ref(map_text) if map_text else None
    max_bytes = node.settings.max_request_bytes
    with received_body() as (body, media_type):
        if body is None and request.method == "DELETE":
            raise BadRequest(
                "a DELETE without a message needs a key: to delete every observation of the "
                "dataflow, ask for it explicitly with the key 'all' (/rest/data/{flowRef}/all) "
                "or '*' (/rest/v2/data/dataflow/{agency}/{id}/{version}/*)",
                where="key",
            )
        data = require_message(body)
        _check_content_encoding(data)
        return submit_message(
            node,
            dataflow,
            data,
            method=request.method,
            kind=declared_kind(media_type),
            principal=principal.token_id,
            source=f"HTTP {request.method} {request.path}",
            max_bytes=max_bytes,
            provider=principal.provider,
            structure_map=structure_map,
        )


def _check_content_encoding(data: bytes | Path) -> None:
    coding = request.headers.get("Content-Encoding", "").strip().lower()
    if coding in ("gzip", "x-gzip"):
        check_gzip(data)
    elif coding not in ("", "identity"):
        raise UnsupportedMediaType(
            f"the content coding {coding!r} is not read: send gzip or an uncompressed body",
            where="Content-Encoding",
        )


def _finding_texts(submission: Submission) -> list[tuple[str, str]]:
    texts = []
    for finding in submission.report.findings:
        where = f" at {finding.location}" if finding.location else ""
        texts.append((finding.code, f"{finding.severity.upper()}{where}: {finding.message}"))
    return texts


def _answer(node: Node, submission: Submission, status: int, principal: Principal) -> Response:
    """The submission report: JSON, or an SDMX-ML 2.1 SubmitStructureResponse."""
    if not wants_json(default=True):  # the report is JSON unless XML is asked for
        counts = submission.counts
        summary = (
            f"{submission.dataflow}: {counts.series_written} series and "
            f"{counts.observations_written} observations written, "
            f"{counts.observations_deleted} observations deleted"
            + (f" (load {submission.load})" if submission.load is not None else "")
        )
        body = write_data_submission_response(
            node.header(),
            principal.token_id,
            submission.urn,
            submission.action or "Append",
            [("COUNTS", summary), *_finding_texts(submission)],
            warning=submission.report.warnings > 0,
        )
        response = Response(body, status=status, content_type=MEDIA_TYPE)
    else:
        response = jsonify(submission.to_json())
        response.status_code = status
    if status == 201:
        ref = submission.dataflow.replace(":", ",").replace("(", ",").rstrip(")")
        response.headers["Location"] = f"/rest/data/{ref}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _rejected(error: LoadRejected, target: str) -> Response:
    """A message with errors: its findings, nothing stored (400 on 1.5, 422 on 2.x)."""
    status = error.http_status(api_major())
    if not wants_json(default=True):  # the report is JSON unless XML is asked for
        version = "3.0" if api_major() >= 2 else "2.1"
        response = Response(
            error.report.to_sdmx_error_xml(version), status=status, mimetype="application/xml"
        )
    else:
        action = {"PUT": "Replace", "DELETE": "Delete"}.get(request.method)
        submission = Submission(target, "", request.method, action, error.report)
        response = jsonify(submission.to_json())
        response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
