"""SDMX-REST structure queries: 1.5 at /rest/{resource}/... and 2.x at /rest/v2/structure/..."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sdmxnode.formats.registry import Format
from sdmxnode.formats.registry.negotiation import negotiate_format
from sdmxnode.formats.sdmxjson.structure.message import content_language
from sdmxnode.rest.structure import (
    StructureQuery,
    parse_structure_query_v1,
    parse_structure_query_v2,
)
from sdmxnode.services.structures.actual import ActualConstraints
from sdmxnode.services.structures.partial import partial_items
from sdmxnode.services.structures.queries import render_structures, select_structures
from sdmxnode.web import current_node
from sdmxnode.web.http import (
    conditional,
    request_languages,
    set_content_language,
    vary_on_language,
)

blueprint = Blueprint("rest_structure", __name__)

#: Query parameters about the representation, handled here, not by the query grammar
#: (`lang`: the language of SDMX-JSON's best-match texts, 2.x `extend.md`).
REPRESENTATION_PARAMETERS = ("format", "formatVersion", "lang")


def structure_format(api: int) -> Format:
    """The structure format asked for, by `format=` or by Accept (defaults per API line)."""
    return negotiate_format("structure", api, request.args, request.headers.get("Accept"))


def answer_structure_query(query: StructureQuery, fmt: Format) -> Response:
    """Select, then 304 or render: the shared body of both API lines' structure views."""
    node = current_node()
    languages = request_languages()
    store = ActualConstraints.of(node)  # the stored artefacts and what each dataflow holds
    selection = select_structures(store, query)

    def render() -> Response:
        used = (
            partial_items(store, node.cache, selection)
            if query.detail == "referencepartial"
            else None
        )
        body = render_structures(store, node.cache, selection, fmt, node.header(), used, languages)
        response = Response(body, content_type=fmt.content_type)
        return set_content_language(response, content_language(body)) if fmt.is_json else response

    # SDMX-ML carries every language alike; SDMX-JSON picks one for `name`.
    etag = selection.etag(fmt, languages if fmt.is_json else ())
    response = conditional(etag, selection.last_modified, render)
    return vary_on_language(response) if fmt.is_json else response


# SDMX-REST 1.5: /{resource}/{agencyID}/{resourceID}/{version}/{itemID}, trailing parts optional.
_V1 = "/rest/<resource>"


@blueprint.route(_V1)
@blueprint.route(f"{_V1}/<agency>")
@blueprint.route(f"{_V1}/<agency>/<id_>")
@blueprint.route(f"{_V1}/<agency>/<id_>/<version>")
@blueprint.route(f"{_V1}/<agency>/<id_>/<version>/<item>")
def structure_v1(
    resource: str,
    agency: str | None = None,
    id_: str | None = None,
    version: str | None = None,
    item: str | None = None,
) -> Response:
    """SDMX-REST 1.5 /rest/{resource}/{agency}/{id}/{version}/{item}."""
    query = parse_structure_query_v1(
        resource,
        agency,
        id_,
        version,
        item,
        request.args,
        ignored_parameters=REPRESENTATION_PARAMETERS,
    )
    return answer_structure_query(query, structure_format(1))


# SDMX-REST 2.x: /structure/{artefactType}/{agencyID}/{resourceID}/{version}/{itemID}.
_V2 = "/rest/v2/structure"


@blueprint.route(_V2)
@blueprint.route(f"{_V2}/<type_>")
@blueprint.route(f"{_V2}/<type_>/<agency>")
@blueprint.route(f"{_V2}/<type_>/<agency>/<id_>")
@blueprint.route(f"{_V2}/<type_>/<agency>/<id_>/<version>")
@blueprint.route(f"{_V2}/<type_>/<agency>/<id_>/<version>/<item>")
def structure_v2(
    type_: str | None = None,
    agency: str | None = None,
    id_: str | None = None,
    version: str | None = None,
    item: str | None = None,
) -> Response:
    """SDMX-REST 2.x /rest/v2/structure/{type}/{agency}/{id}/{version}/{item}."""
    query = parse_structure_query_v2(
        type_,
        agency,
        id_,
        version,
        item,
        request.args,
        ignored_parameters=REPRESENTATION_PARAMETERS,
    )
    return answer_structure_query(query, structure_format(2))
