"""POST /validate: the validation service, open to anyone; nothing is stored."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sdmxnode.errors import BadRequest, SdmxNodeError
from sdmxnode.formats.registry import parse_accept
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.data.submission import declared_kind
from sdmxnode.services.mapping import parse_map_ref
from sdmxnode.services.message_validation import validate_message
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.web import current_node
from sdmxnode.web.bodies import received_body
from sdmxnode.web.pages.common import render_page
from sdmxnode.web.pages.validate import render_report, wants_html

blueprint = Blueprint("validation_service", __name__)


@blueprint.route("/validate", methods=["POST"])
def validate() -> Response:
    """Check the message in the body (or the `file` field of a form) against the node's
    structures. The report is JSON by default, plain text or an SDMX-ML Error message on
    request, the validation page to a browser (whose Accept puts HTML first). The status is
    the verdict, as the exit status of `sdmxnode validate`: 200 valid (it would load), 422
    invalid; a body that is no message at all (not well-formed, a DOCTYPE, a bad encoding)
    is 400 with the same report, its UNREADABLE finding saying what and where; a media type no
    SDMX message has (image/png) is 415, as on data submissions; the page has the same
    status. Bodies beyond a few MiB are spooled to a file and validated as a stream."""
    node = current_node()
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    source = upload.filename if upload is not None and upload.filename else "message"
    with received_body() as (data, media_type):
        try:
            _map_parameter()  # a malformed map reference is a 400 before any reading
            if upload is not None or request.mimetype != "multipart/form-data":
                declared_kind(media_type)  # 415 for a media type no SDMX message has
            if data is None:
                raise BadRequest("send the message as the request body or as the form field 'file'")
        except SdmxNodeError as error:
            if wants_html():
                return render_page(
                    "validate.html",
                    status=error.http_status(),
                    report=None,
                    source=None,
                    problem=error.text,
                )
            raise
        report = validate_message(
            StructureInfoBuilder(node.store, node.cache),
            data,
            source=source,
            max_bytes=node.settings.max_request_bytes,
            settings=node.settings,
            metadata=lambda: node,
            structure_map=_map_parameter(),
        )
    unreadable = any(f.code == "UNREADABLE" for f in report.findings)
    # The report in every case, an unreadable body included (its UNREADABLE finding says
    # what and where): 400 then, as no message could be read at all.
    status = 400 if unreadable else 200 if report.is_valid else 422
    if wants_html():  # a page showing the verdict, with the status of the other answers
        return render_report(report, source, status=status)
    for rng in parse_accept(request.headers.get("Accept", "")):
        if rng.media_type == "text/plain":
            return Response(report.to_text(), status=status, mimetype="text/plain")
        if rng.media_type in ("application/xml", "text/xml") or "+xml" in rng.media_type:
            xml = report.to_sdmx_error_xml("2.1")
            return Response(xml, status=status, mimetype="application/xml")
        if "json" in rng.media_type or rng.media_type == "*/*":
            break
    response = jsonify(report.to_json())
    response.status_code = status
    return response


def _map_parameter() -> ArtefactRef | None:
    """The StructureMap the `map` parameter (query or form field) names, or None."""
    text = request.values.get("map", "").strip()
    return parse_map_ref(text) if text else None
