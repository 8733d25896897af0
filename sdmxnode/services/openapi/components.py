"""The reusable parts of the node's OpenAPI description: parameters, JSON schemas, responses.

Parameter names and patterns follow the official SDMX-REST OpenAPI files (1.5.0 for
`/rest/`, 2.1.0 for `/rest/v2/`); the enums come from the node's own grammar (`rest/`) and
format registry, so the description cannot drift from what the node accepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sdmxnode.formats.columnar import COLUMNAR_MEDIA_TYPES
from sdmxnode.formats.registry import Format
from sdmxnode.rest import resources
from sdmxnode.rest.availability import MODES
from sdmxnode.rest.availability import REFERENCE_TYPES as AVAILABILITY_REFERENCES
from sdmxnode.rest.data import DETAILS_V1 as DATA_DETAILS_V1
from sdmxnode.rest.identifiers import ID_TYPE, NESTED_ID_TYPE, NESTED_NCNAME_ID_TYPE
from sdmxnode.rest.parameters import COMPONENT_ID
from sdmxnode.rest.schema import CONTEXTS_V1 as SCHEMA_CONTEXTS_V1
from sdmxnode.rest.schema import CONTEXTS_V2 as SCHEMA_CONTEXTS_V2
from sdmxnode.rest.structure import (
    DETAILS_V1,
    DETAILS_V2,
    REFERENCE_KEYWORDS_V1,
    REFERENCE_KEYWORDS_V2,
)

Schema = dict[str, Any]

_NCNAME = NESTED_NCNAME_ID_TYPE.pattern
_ID = ID_TYPE.pattern
_NESTED_ID = NESTED_ID_TYPE.pattern
# 1.5 OpenAPI `startPeriod` / `endPeriod`.
_PERIOD = (
    r"^\d{4}-?((\d{2}(-\d{2})?)|A1|S[1|2]|Q[1-4]|T[1-3]|M(0[1-9]|1[0-2])"
    r"|W(0[1-9]|[1-4][0-9]|5[0-3])|D(0[0-9][1-9]|[1-2][0-9][0-9]|3[0-5][0-9]|36[0-6]))?$"
)
# 2.x list of values joined by ',' where each may be the wildcard '*'.
_V2_VERSION = r"[0-9A-Za-z.+~*-]+"


def _v1_list(item: str, *keywords: str) -> str:
    """A 1.5 path segment: a keyword, or values joined by '+'."""
    alternatives = "|".join((*keywords, f"{item}(\\+{item})*"))
    return f"^({alternatives})$"


def _v2_list(item: str) -> str:
    """A 2.x path segment: values (or '*') joined by ','."""
    return f"^(\\*|{item})(,(\\*|{item}))*$"


def _path(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _query(name: str, description: str, schema: Schema, **extra: Any) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}  # fmt: skip


def _string(pattern: str | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "string", **extra}
    if pattern is not None:
        schema["pattern"] = pattern
    return schema


def _enum(values: Iterable[str], default: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "enum": list(values)}
    if default is not None:
        schema["default"] = default
    return schema


def build_parameters(
    data_formats: list[Format],
    structure_formats: list[Format],
    schema_formats: list[Format],
    metadata_formats: list[Format],
) -> Schema:
    """The `components/parameters` of the description, keyed `v1_*`, `v2_*` or shared."""
    references_v1 = [*REFERENCE_KEYWORDS_V1, *sorted(resources.REFERENCE_RESOURCES_V1)]
    references_v2 = [*REFERENCE_KEYWORDS_V2, *sorted(resources.REFERENCE_RESOURCES_V2)]
    versions = sorted({f.version for f in [*data_formats, *structure_formats, *schema_formats]})
    return {
        # 1.5 (SDMX 2.1) path segments
        "v1_resource": _path(
            "resource", "The structure resource (1.5 section 4.3)", _enum(resources.RESOURCES_V1)
        ),
        "v1_agencyID": _path(
            "agencyID", "Agency ids joined by '+', or 'all'", _string(_v1_list(_NCNAME, "all"))
        ),
        "v1_resourceID": _path(
            "resourceID", "Artefact ids joined by '+', or 'all'", _string(_v1_list(_ID, "all"))
        ),
        "v1_version": _path(
            "version",
            "Versions joined by '+', 'all' or 'latest'",
            _string(_v1_list(r"\d+(\.\d+)*", "all", "latest")),
        ),
        "v1_itemID": _path(
            "itemID", "Item ids joined by '+', or 'all'", _string(_v1_list(_NESTED_ID, "all"))
        ),
        "v1_flow": _path(
            "flow",
            "The dataflow: 'ID', 'AGENCY,ID' or 'AGENCY,ID,VERSION'",
            _string(rf"^({_NCNAME},)?{_ID}(,(latest|all|\d+(\.\d+)*))?$"),
        ),
        "v1_key": _path(
            "key",
            "Series key: dimension values joined by '.', alternatives by '+', empty = any; "
            "or 'all'",
            _string(r"^([\.A-Za-z\d_@$-]+(\+[A-Za-z\d_@$-]+)*)*$"),
        ),
        "v1_provider": _path(
            "provider",
            "Data providers ('AGENCY,ID' joined by '+'), or 'all'",
            _string(_v1_list(f"({_NCNAME},)?{_ID}", "all")),
        ),
        "v1_componentID": _path(
            "componentID", "A dimension id, or 'all'", _string(f"^{COMPONENT_ID.pattern}$")
        ),
        "v1_schemaContext": _path(
            "context", "What the schema is for", _enum(list(SCHEMA_CONTEXTS_V1))
        ),
        "agencyID": _path("agencyID", "The agency id", _string(f"^{_NCNAME}$")),
        "resourceID": _path("resourceID", "The artefact id", _string(f"^{_ID}$")),
        "v1_schemaVersion": _path(
            "version", "The version, or 'latest'", _string(r"^(latest|\d+(\.\d+)*)$")
        ),
        # 2.x (SDMX 3.0) path segments
        "v2_structureType": _path(
            "structureType", "The artefact type, or '*'", _enum(resources.RESOURCES_V2)
        ),
        "v2_agencyID": _path(
            "agencyID", "Agency ids joined by ',', or '*'", _string(_v2_list(_NCNAME))
        ),
        "v2_resourceID": _path(
            "resourceID", "Artefact ids joined by ',', or '*'", _string(_v2_list(_ID))
        ),
        "v2_version": _path(
            "version",
            "Versions joined by ',': exact, '*', '~' (latest), '+' (latest stable) or "
            "semantic-version wildcards such as '1.+.0'",
            _string(_v2_list(_V2_VERSION)),
        ),
        "v2_itemID": _path(
            "itemID", "Item ids joined by ',', or '*'", _string(_v2_list(r"[^\s,/*]+"))
        ),
        "v2_dataContext": _path(
            "context",
            "What the data is selected by",
            _enum(["datastructure", "dataflow", "provisionagreement", "*"]),
        ),
        "v2_key": _path(
            "key",
            "Series keys joined by ',': dimension values joined by '.', '*' for any",
            _string(r"^[^\s/]+$"),
        ),
        "v2_componentID": _path(
            "componentID",
            "Dimension ids joined by ',', or '*'",
            _string(_v2_list(COMPONENT_ID.pattern)),
        ),
        "v2_schemaContext": _path(
            "context", "What the schema is for", _enum(list(SCHEMA_CONTEXTS_V2))
        ),
        "v2_schemaVersion": _path(
            "version", "The version, '~' or '+'", _string(f"^{_V2_VERSION}$")
        ),
        # reference metadata (both API lines use the 2.x syntax, 1.5 `4_8_metadata_queries.md`)
        "metadata_providerID": _path(
            "providerID",
            "Metadata provider ids ('AGENCY.ID' or 'ID') joined by ',', or '*'",
            _string(_v2_list(_NCNAME)),
        ),
        "metadata_v1_providerRef": _path(
            "providerID",
            "The 1.5 providerRef: metadata providers ('AGENCY,ID' or 'ID', several joined "
            "by '+'), or '*'",
            _string(rf"^(\*|({_NCNAME},)?{_NCNAME}(\+({_NCNAME},)?{_NCNAME})*)$"),
        ),
        "metadataType": _path(
            "structureType",
            "The type of the targeted structures, or '*'",
            _enum(resources.RESOURCES_V2),
        ),
        "metaDetail": _query(
            "detail",
            "Amount of detail (allstubs: attribute ids without values)",
            _enum(["full", "allstubs"], "full"),
        ),
        "pendingPath": _path(
            "path", "The rest of the path (the resource is not served)", _string(minLength=1)
        ),
        # query parameters
        "v1_structDetail": _query("detail", "Amount of detail", _enum(DETAILS_V1, "full")),
        "v2_structDetail": _query("detail", "Amount of detail", _enum(DETAILS_V2, "full")),
        "v1_references": _query(
            "references", "Related artefacts to add", _enum(references_v1, "none")
        ),
        "v2_references": _query(
            "references",
            "Related artefacts to add (several joined by ',')",
            _string(rf"^({'|'.join(references_v2)})(,({'|'.join(references_v2)}))*$"),
        ),
        "startPeriod": _query("startPeriod", "First period to include", _string(_PERIOD)),
        "endPeriod": _query("endPeriod", "Last period to include", _string(_PERIOD)),
        "updatedAfter": _query(
            "updatedAfter",
            "Only what changed (or was deleted) since this instant",
            _string(format="date-time"),
        ),
        "asOf": _query(
            "asOf",
            "The data or metadata sets as they stood at this instant (data: not with updatedAfter)",
            _string(format="date-time"),
        ),
        "firstNObservations": _query(
            "firstNObservations",
            "The first N observations of each series",
            {"type": "integer", "minimum": 1},
        ),  # fmt: skip
        "lastNObservations": _query(
            "lastNObservations",
            "The last N observations of each series",
            {"type": "integer", "minimum": 1},
        ),  # fmt: skip
        "dimensionAtObservation": _query(
            "dimensionAtObservation",
            "'TIME_PERIOD' (default), another dimension id or 'AllDimensions'",
            _string(f"^{COMPONENT_ID.pattern}$"),
        ),
        "v1_dataDetail": _query("detail", "Amount of detail", _enum(DATA_DETAILS_V1, "full")),
        "includeHistory": _query(
            "includeHistory", "Also the earlier versions of the data", {"type": "boolean"}
        ),
        "v2_attributes": _query(
            "attributes",
            "Attributes to include: dsd (default), msd, dataset, series, obs, all, none, "
            "or attribute ids, joined by ','",
            _string(r"^[A-Za-z][A-Za-z\d_-]*(,[A-Za-z][A-Za-z\d_-]*)*$"),
        ),
        "v2_measures": _query(
            "measures",
            "Measures to include: all (default), none, or measure ids, joined by ','",
            _string(r"^[A-Za-z][A-Za-z\d_-]*(,[A-Za-z][A-Za-z\d_-]*)*$"),
        ),
        "v2_c": _query(
            "c",
            "Component filters c[COMPONENT]=op:value (eq, ne, lt, le, gt, ge, co, nc, sw, ew)",
            {"type": "object", "additionalProperties": {"type": "string"}},
            style="deepObject",
            explode=True,
        ),
        "mode": _query("mode", "Availability mode", _enum(list(MODES), "exact")),
        "v1_acReferences": _query(
            "references",
            "Related artefacts to add",
            _enum(["none", "all", *AVAILABILITY_REFERENCES], "none"),
        ),
        "explicitMeasure": _query(
            "explicitMeasure", "Whether the measure dimension is explicit", {"type": "boolean"}
        ),
        **{
            f"format_{kind}": _query(
                "format",
                "The representation, instead of Accept (takes priority over it)",
                _enum(sorted({n for f in fmts for n in (f.name, *f.aliases)})),
            )
            for kind, fmts in (
                ("data", data_formats),
                ("structure", structure_formats),
                ("schema", schema_formats),
                ("metadata", metadata_formats),
            )  # fmt: skip
        },
        "formatVersion": _query("formatVersion", "The version of `format`", _enum(versions)),
        "labels": _query("labels", "SDMX-CSV labels", _enum(["id", "both", "name"])),
        "timeFormat": _query(
            "timeFormat", "SDMX-CSV time format", _enum(["original", "normalized"])
        ),
        "keys": _query(
            "keys", "SDMX-CSV 2.0 key columns", _enum(["none", "series", "obs", "both"])
        ),
        "lang": _query(
            "lang",
            "Language of SDMX-JSON `name`/`description` and SDMX-CSV labels (ISO 639 code, "
            "optional country, or 'all'); takes priority over Accept-Language; English when "
            "the structures lack it",
            _string(r"^([A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*|all)$"),
        ),
        "Accept-Language": {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": "Languages for SDMX-JSON `name`/`description` and SDMX-CSV labels, "
            "with weights; the answer's Content-Language names the one chosen",
            "schema": {"type": "string"},
        },
        "Range": {
            "name": "Range",
            "in": "header",
            "required": False,
            "description": "Observations to answer, counted from 0 in the answer's order: "
            "values=FIRST-LAST, values=FIRST- or values=-COUNT (the last ones); 206 with "
            "Content-Range. Other units or several ranges are ignored",
            "schema": {"type": "string"},
        },
        "If-None-Match": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETag of a copy the client holds; 304 when it is still current",
            "schema": {"type": "string"},
        },
        "If-Modified-Since": {
            "name": "If-Modified-Since",
            "in": "header",
            "required": False,
            "description": "304 when nothing changed since this HTTP date",
            "schema": {"type": "string"},
        },
    }


_ERRORS = {
    "400": "Syntax error (SDMX code 140): a path segment or parameter the API does not allow",
    "401": "No valid bearer token (SDMX code 110); the answer carries WWW-Authenticate",
    "403": "The token's rights do not cover this (SDMX code 110), or on 1.5 a query that "
    "breaks the semantics of the API or of the structure (SDMX code 150)",
    "404": "No such resource or artefact, or (1.5) no results (SDMX code 100)",
    "405": "Method not allowed on this path",
    "406": "None of the requested representations is offered; the error lists those that are",
    "408": "The request body did not arrive within SDMXNODE_REQUEST_TIMEOUT (SDMX code 1000)",
    "409": "Conflict with what is stored: a final artefact changed, or one still referenced",
    "413": "The request body, or the answer, is larger than this node allows (SDMX code 510)",
    "414": "The URL is longer than this node accepts",
    "415": "A request body in a media type this endpoint does not read",
    "422": "A message that cannot be accepted (schema or structure errors), or on 2.x a query "
    "that breaks the semantics of the API or of the structure (SDMX code 150)",
    "501": "A standard resource or option this node does not implement (SDMX code 501)",
    "503": "The work took longer than SDMXNODE_REQUEST_TIMEOUT allows (SDMX code 503)",
}


def sdmx_error_content() -> Schema:
    """The bodies of an SDMX error: SDMX-ML `Error` (2.1 on /rest/, 3.0 on /rest/v2/) or
    SDMX-JSON when JSON was asked for."""
    return {
        "application/xml": {"schema": {"type": "string"}},
        "application/json": {"schema": {"$ref": "#/components/schemas/SdmxJsonError"}},
    }


def build_responses(max_request_bytes: int) -> Schema:
    """The `components/responses`: 304, 204 and every SDMX error status."""
    responses: Schema = {
        "NotModified": {"description": "Not modified: the client's copy is current"},
        "NoContent": {"description": "No results (2.x answers an empty result with 204)"},
        "RangeNotSatisfiable": {
            "description": "The Range selects none of the answer's observations (an SDMX "
            "error message; Content-Range: values */TOTAL)"
        },
    }
    for status, description in _ERRORS.items():
        if status == "413":
            description += f"; requests: at most {max_request_bytes} bytes after decompression"
        responses[f"Error{status}"] = {"description": description, "content": sdmx_error_content()}
    responses["Error401"]["headers"] = {
        "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
    }
    return responses


def ref(kind: str, name: str) -> Schema:
    """A `$ref` to `components/<kind>/<name>`."""
    return {"$ref": f"#/components/{kind}/{name}"}


def error_responses(*statuses: int) -> Schema:
    """The responses object entries for these error statuses."""
    return {str(status): ref("responses", f"Error{status}") for status in statuses}


def format_content(formats: Iterable[Format]) -> Schema:
    """A `content` map with one entry per format (JSON formats as objects, Parquet and
    Arrow as binary, others as text)."""
    return {
        f.content_type: {
            "schema": {"type": "object"}
            if f.is_json
            else {"type": "string", "format": "binary"}
            if f.media_type in COLUMNAR_MEDIA_TYPES
            else {"type": "string"}
        }
        for f in formats
    }
