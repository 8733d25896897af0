"""SDMX-REST availability: 1.5 /rest/availableconstraint/..., 2.x /rest/v2/availability/..."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request

from sdmxnode.formats.sdmxjson.structure.message import content_language
from sdmxnode.rest.availability import (
    AvailabilityQuery,
    parse_availability_query_v1,
    parse_availability_query_v2,
)
from sdmxnode.services.data.availability import availability_objects, find_availability
from sdmxnode.services.structures.models import build_message
from sdmxnode.web import current_node
from sdmxnode.web.http import (
    conditional,
    request_languages,
    set_content_language,
    vary_on_language,
)
from sdmxnode.web.rest.structure import REPRESENTATION_PARAMETERS, structure_format

blueprint = Blueprint("rest_availability", __name__)


def answer_availability(query: AvailabilityQuery) -> Response:
    """Negotiate, find the availability, then 304 or the constraint."""
    fmt = structure_format(query.api)
    asked = request_languages()  # a malformed `lang` is refused whatever the format
    # SDMX-ML carries every language alike; SDMX-JSON picks one for `name`.
    languages = asked if fmt.is_json else ()
    node = current_node()
    availability = find_availability(node, query)
    etag = hashlib.sha256(
        b"|".join(
            (
                str(availability.dataflow.pk).encode(),
                availability.last_modified.isoformat().encode(),
                availability.version.encode(),
                fmt.name.encode(),
                request.query_string,
                ",".join(languages).encode(),
            )
        )
    ).hexdigest()[:32]

    def render() -> Response:
        objects = availability_objects(node, availability, sorted(query.references))
        assert fmt.writer is not None
        message = build_message(objects, node.header(), fmt.sdmx_ml or "2.1")
        body = fmt.writer(message, languages) if fmt.is_json else fmt.writer(message)
        response = Response(body, content_type=fmt.content_type)
        return set_content_language(response, content_language(body)) if fmt.is_json else response

    response = conditional(etag, availability.last_modified, render)
    return vary_on_language(response) if fmt.is_json else response


_V1 = "/rest/availableconstraint/<flow_ref>"


@blueprint.route(_V1)
@blueprint.route(f"{_V1}/<key>")
@blueprint.route(f"{_V1}/<key>/<provider_ref>")
@blueprint.route(f"{_V1}/<key>/<provider_ref>/<component_id>")
def availability_v1(
    flow_ref: str,
    key: str | None = None,
    provider_ref: str | None = None,
    component_id: str | None = None,
) -> Response:
    """SDMX-REST 1.5 /rest/availableconstraint/{flowRef}/{key}/{providerRef}/{componentID}."""
    query = parse_availability_query_v1(
        flow_ref,
        key,
        provider_ref,
        component_id,
        request.args,
        ignored_parameters=REPRESENTATION_PARAMETERS,
    )
    return answer_availability(query)


_V2 = "/rest/v2/availability"


@blueprint.route(_V2)
@blueprint.route(f"{_V2}/<context>")
@blueprint.route(f"{_V2}/<context>/<agency>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>/<version>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>/<version>/<key>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>/<version>/<key>/<component_id>")
def availability_v2(
    context: str | None = None,
    agency: str | None = None,
    id_: str | None = None,
    version: str | None = None,
    key: str | None = None,
    component_id: str | None = None,
) -> Response:
    """SDMX-REST 2.x /rest/v2/availability/{context}/{agency}/{id}/{version}/{key}/{componentID}."""
    query = parse_availability_query_v2(
        context,
        agency,
        id_,
        version,
        key,
        component_id,
        request.args,
        ignored_parameters=REPRESENTATION_PARAMETERS,
    )
    return answer_availability(query)
