"""The node's OpenAPI 3.0 description, assembled from its routes' grammar, formats and settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sdmxnode import __version__
from sdmxnode.config import Settings
from sdmxnode.formats.registry.data import DATA_FORMATS, SCHEMA_FORMATS, SUBMITTED_DATA_FORMATS
from sdmxnode.formats.registry.metadata import METADATA_FORMATS
from sdmxnode.formats.registry.registrations import REGISTRATION_FORMATS
from sdmxnode.formats.registry.structure import STRUCTURE_FORMATS
from sdmxnode.services.openapi.checks import iter_check_paths
from sdmxnode.services.openapi.components import (
    Schema,
    build_parameters,
    build_responses,
)
from sdmxnode.services.openapi.metadata import metadata_resources
from sdmxnode.services.openapi.node import (
    iter_metadata_write_paths,
    iter_node_paths,
    iter_write_paths,
)
from sdmxnode.services.openapi.pages import iter_page_paths
from sdmxnode.services.openapi.reads import iter_read_paths, read_resources
from sdmxnode.services.openapi.registrations import (
    iter_registration_write_paths,
    iter_subscription_paths,
    registration_parameters,
    registration_resources,
)
from sdmxnode.services.openapi.schemas import build_schemas

OPENAPI_VERSION = "3.0.3"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TAGS = (
    ("Node", "The node's own services"),
    ("Pages", "HTML pages for people"),
    ("SDMX-REST 1.5", "SDMX 2.1 REST API at /rest/"),
    ("SDMX-REST 2.x", "SDMX 3.0 REST API at /rest/v2/"),
    ("Submission", "Authenticated data submission and the audit log"),
    ("Maintenance", "Authenticated structure maintenance (SDMX-REST 2.x)"),
)


def build_openapi_document(settings: Settings, server_url: str | None = None) -> Schema:
    """The OpenAPI 3.0 description of a node with these settings (NODE_NAME,
    MAX_REQUEST_BYTES, MAX_RESPONSE_OBSERVATIONS); `server_url` is where it is served."""
    schema_formats = [*SCHEMA_FORMATS, *STRUCTURE_FORMATS]  # XSDs, JSON Schema, structures
    parameters = build_parameters(DATA_FORMATS, STRUCTURE_FORMATS, schema_formats, METADATA_FORMATS)
    parameters.update(registration_parameters())
    paths: dict[str, dict[str, Schema]] = {}
    operations = [
        *iter_node_paths(),
        *iter_check_paths(),
        *iter_page_paths(),
        *(
            operation
            for resource in read_resources(DATA_FORMATS, STRUCTURE_FORMATS, schema_formats)
            for operation in iter_read_paths(resource, parameters)
        ),
        *(
            operation
            for resource in metadata_resources(METADATA_FORMATS)
            for operation in iter_read_paths(resource, parameters)
        ),
        *(
            operation
            for resource in registration_resources(REGISTRATION_FORMATS)
            for operation in iter_read_paths(resource, parameters)
        ),
        *iter_write_paths(SUBMITTED_DATA_FORMATS, STRUCTURE_FORMATS),
        *iter_registration_write_paths(),
        *iter_subscription_paths(),
        *iter_metadata_write_paths(),
    ]
    for path, method, operation in operations:
        item = paths.setdefault(path, {})
        if method in item:
            raise ValueError(f"two operations for {method.upper()} {path}")
        item[method] = operation
    limit = settings.max_response_observations
    description = (
        f"The SDMX node '{settings.node_name}' for international-migration "
        "statistics: SDMX-REST 1.5 (SDMX 2.1) at /rest/ and 2.x (SDMX 3.0) at /rest/v2/, "
        "validation, and authenticated submission. Reading is public; writes need a bearer "
        "token. Errors are SDMX error messages. Responses are negotiated from Accept or the "
        "`format` parameter, gzip-compressed on Accept-Encoding, and carry ETag and "
        "Last-Modified (answered by 304) and CORS headers. "
        + (f"A data answer holds at most {limit} observations (413 beyond). " if limit else "")
        + f"Request bodies: at most {settings.max_request_bytes} bytes."
    )
    document: Schema = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{settings.node_name} SDMX node",
            "version": __version__,
            "description": description,
        },
        "tags": [{"name": name, "description": text} for name, text in _TAGS],
        "paths": dict(sorted(paths.items())),
        "components": {
            "parameters": parameters,
            "schemas": build_schemas(),
            "responses": build_responses(settings.max_request_bytes),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `sdmxnode token create`",
                }
            },
        },
    }
    if server_url:
        document["servers"] = [{"url": server_url.rstrip("/")}]
    return document


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Schema]]:
    """(path, method, operation) for every operation of an OpenAPI document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def resolve_parameter(document: Mapping[str, Any], parameter: Mapping[str, Any]) -> Schema:
    """A parameter object, following a `$ref` into `components/parameters`."""
    reference = parameter.get("$ref")
    if reference is None:
        return dict(parameter)
    return dict(document["components"]["parameters"][reference.rsplit("/", 1)[1]])
