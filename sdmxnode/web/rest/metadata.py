"""SDMX-REST reference-metadata queries: 1.5 at /rest/metadata/... and 2.x at
/rest/v2/metadata/... (metadataset, metadataflow and structure resources)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sdmxnode.formats.registry import Format
from sdmxnode.formats.registry.negotiation import negotiate_format
from sdmxnode.rest.metadata import RESOURCES, parse_metadata_query
from sdmxnode.services.metadata.queries import render_metadata, select_metadata
from sdmxnode.web import current_node
from sdmxnode.web.http import conditional

blueprint = Blueprint("rest_metadata", __name__)

#: Query parameters about the representation, handled here (2.x `extend.md`).
REPRESENTATION_PARAMETERS = ("format", "formatVersion")


def answer_metadata_query(api: int, resource: str, segments: tuple[str | None, ...]) -> Response:
    """Parse, negotiate, select, then 304 or the metadata message."""
    query = parse_metadata_query(
        api, resource, segments, request.args, ignored_parameters=REPRESENTATION_PARAMETERS
    )
    fmt: Format = negotiate_format("metadata", api, request.args, request.headers.get("Accept"))
    node = current_node()
    selection = select_metadata(node.store, query)

    def render() -> Response:
        body = render_metadata(node.store, selection, fmt, node.header())
        return Response(body, content_type=fmt.content_type)

    return conditional(selection.etag(fmt), selection.last_modified, render)


#: Each resource and the names of its path segments, in order (all optional).
SEGMENTS: dict[str, tuple[str, ...]] = {
    "metadataset": ("provider", "id_", "version"),
    "metadataflow": ("agency", "id_", "version", "provider"),
    "structure": ("type_", "agency", "id_", "version"),
}


def _route(api: int, prefix: str, resource: str) -> None:
    names = SEGMENTS[resource]

    def view(**segments: str) -> Response:
        return answer_metadata_query(api, resource, tuple(segments.get(n) for n in names))

    view.__doc__ = f"SDMX-REST {'1.5' if api == 1 else '2.x'} {prefix}/{resource}/..."
    rule = f"{prefix}/{resource}"
    endpoint = f"metadata_{resource}_v{api}"
    blueprint.add_url_rule(rule, endpoint, view)
    for name in names:
        rule += f"/<{name}>"
        blueprint.add_url_rule(rule, endpoint, view)


for _api, _prefix in ((1, "/rest/metadata"), (2, "/rest/v2/metadata")):
    for _resource in RESOURCES:
        _route(_api, _prefix, _resource)
