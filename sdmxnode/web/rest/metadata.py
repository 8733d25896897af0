"""SDMX-REST reference-metadata queries: 1.5 at /rest/metadata/... and 2.x at
/rest/v2/metadata/... (metadataset, metadataflow and structure resources)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sdmxnode.errors import BadRequest
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
        body = b"".join(render_metadata(node.store, selection, fmt, node.header()))
        return Response(body, content_type=fmt.content_type)

    return conditional(selection.etag(fmt), selection.last_modified, render)


def _no_resource() -> Response:
    raise BadRequest(
        "name a metadata resource: " + ", ".join(f"metadata/{r}" for r in RESOURCES),
        where="resource",
    )


@blueprint.route("/rest/metadata")
@blueprint.route("/rest/v2/metadata")
def metadata_root() -> Response:
    """A metadata query without a resource: 400 naming the resources."""
    return _no_resource()


def _route(api: int, prefix: str) -> None:
    def view(
        resource: str,
        a: str | None = None,
        b: str | None = None,
        c: str | None = None,
        d: str | None = None,
    ) -> Response:
        return answer_metadata_query(api, resource, (a, b, c, d))

    view.__doc__ = f"SDMX-REST {'1.5' if api == 1 else '2.x'} {prefix}/{{resource}}/..."
    endpoint = f"metadata_v{api}"
    base = f"{prefix}/<resource>"
    for rule in (base, f"{base}/<a>", f"{base}/<a>/<b>", f"{base}/<a>/<b>/<c>"):
        blueprint.add_url_rule(rule, endpoint, view)
    blueprint.add_url_rule(f"{base}/<a>/<b>/<c>/<d>", endpoint, view)


_route(1, "/rest/metadata")
_route(2, "/rest/v2/metadata")
