"""Structure maintenance over SDMX-REST 2.x (`maintenance.md`): POST, PUT and DELETE under
/rest/v2/structure, with a token, audited, answered by a SubmitStructureResponse."""

from __future__ import annotations

import json
from typing import NoReturn

from flask import Blueprint, Response, request

from sdmxnode.errors import NotImplementedSdmx, SemanticError
from sdmxnode.formats.reports.registry_interface import (
    MEDIA_TYPE,
    submission_json,
    write_submit_structure_response,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.resources import find_resource, find_resource_name
from sdmxnode.services.structures.maintenance import (
    MaintenanceResult,
    check_identified,
    delete_structure,
    read_submission,
    submit_structures,
)
from sdmxnode.web import current_node
from sdmxnode.web.access import WriteAttempt, write_attempt
from sdmxnode.web.errors import wants_json

blueprint = Blueprint("rest_structure_write", __name__)

_V2 = "/rest/v2/structure"


def _types_of(resource: str) -> frozenset[str]:
    selection = find_resource(resource.lower(), 2)
    if selection is None:
        raise SemanticError(f"{resource!r} is not an SDMX-REST 2.x structure type", where="type")
    return selection.types


def _one_type(resource: str) -> str:
    types = _types_of(resource)
    if len(types) != 1:
        raise SemanticError(
            f"{resource!r} names several artefact types; PUT and DELETE need exactly one",
            where="type",
        )
    return next(iter(types))


@blueprint.route(_V2, methods=["POST"])
@blueprint.route(f"{_V2}/<type_>", methods=["POST"])
def post_structures(type_: str | None = None) -> Response:
    """Create or replace the maintainables of the body (201, 200, 207, 409, 422)."""
    with write_attempt("structure.post", f"structure/{type_ or '*'}") as attempt:
        attempt.authenticate()  # 401 before the body is read
        allowed = _types_of(type_) if type_ else None
        records = read_submission(request.get_data(), request.content_type)
        _authorise(attempt, {r.ref.agency_id for r in records})
        result = submit_structures(current_node(), records, allowed_types=allowed)
        return _answer(attempt, result)


@blueprint.route(f"{_V2}/<type_>/<agency>/<id_>/<version>", methods=["PUT"])
def put_structure(type_: str, agency: str, id_: str, version: str) -> Response:
    """Replace one artefact entirely (200; 404 if absent; 422 if the body is another)."""
    target = f"structure/{type_}/{agency}/{id_}/{version}"
    with write_attempt("structure.put", target) as attempt:
        attempt.authorise_structure(agency)
        ref = ArtefactRef(_one_type(type_), agency, id_, version)
        check_identified(ref.type, agency, id_, version)
        records = read_submission(request.get_data(), request.content_type)
        _authorise(attempt, {r.ref.agency_id for r in records})
        result = submit_structures(current_node(), records, replace=ref)
        return _answer(attempt, result)


@blueprint.route(f"{_V2}/<type_>/<agency>/<id_>/<version>", methods=["DELETE"])
def delete_artefact(type_: str, agency: str, id_: str, version: str) -> Response:
    """Delete one artefact (200; 404 if absent; 409 if final, referenced or holding data)."""
    target = f"structure/{type_}/{agency}/{id_}/{version}"
    with write_attempt("structure.delete", target) as attempt:
        attempt.authorise_structure(agency)
        ref = ArtefactRef(_one_type(type_), agency, id_, version)
        check_identified(ref.type, agency, id_, version)
        return _answer(attempt, delete_structure(current_node(), ref))


@blueprint.route(f"{_V2}/<type_>/<agency>/<id_>/<version>/<item>", methods=["DELETE"])
def delete_item(type_: str, agency: str, id_: str, version: str, item: str) -> NoReturn:
    """Deleting single items (`maintenance.md`, DELETE of an item) is not implemented."""
    target = f"structure/{type_}/{agency}/{id_}/{version}/{item}"
    with write_attempt("structure.delete", target) as attempt:
        attempt.authorise_structure(agency)
        raise NotImplementedSdmx(
            "deleting a single item is not implemented: PUT the item scheme without it",
            where="itemID",
        )


def _authorise(attempt: WriteAttempt, agencies: set[str]) -> None:
    """Every artefact's agency must be the token's before anything is stored (else 403)."""
    for agency in sorted(agencies):
        attempt.authorise_structure(agency)


def _answer(attempt: WriteAttempt, result: MaintenanceResult) -> Response:
    attempt.status = result.status
    attempt.counts = result.counts
    refused = [r for r in result.results if not r.succeeded]
    if refused:
        attempt.detail = "; ".join(f"{r.status} {r.message}" for r in refused)[:3900]
    node = current_node()
    header = node.header()
    if wants_json(default=False):  # the standard answer is SDMX-ML
        body = json.dumps(submission_json(result.results, header), ensure_ascii=False, indent=1)
        response = Response(body, status=result.status, mimetype="application/json")
    else:
        principal = attempt.principal
        receiver = principal.token_id if principal is not None else "not_supplied"
        body_xml = write_submit_structure_response(result.results, header, receiver)
        response = Response(body_xml, status=result.status, content_type=MEDIA_TYPE)
    created = [r.ref for r in result.results if r.result == "created"]
    if len(created) == 1:
        resource = find_resource_name(created[0].type, 2)
        if resource is not None:
            ref = created[0]
            response.headers["Location"] = (
                f"{_V2}/{resource}/{ref.agency_id}/{ref.id}/{ref.version}"
            )
    response.headers["Cache-Control"] = "no-store"
    return response

    return False
