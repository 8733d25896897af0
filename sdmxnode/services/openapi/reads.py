"""The read operations of the node's OpenAPI description: SDMX-REST 1.5 at /rest/, 2.x at
/rest/v2/ (structure, data, availability, schema), one path per route the node serves."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sdmxnode.formats.registry import Format
from sdmxnode.services.openapi.components import Schema, error_responses, format_content, ref

#: The example dataflow and key of the demo data (UN DESA International Migrant Stock 2019).
DEMO_FLOW = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
DEMO_KEY = "A.1.STOCK.FB._T._T._T._T"


@dataclass(frozen=True)
class Resource:
    """A read resource: a path prefix, its segments (trailing ones optional), what it does."""

    tag: str
    operation_id: str
    prefix: str
    segments: Sequence[str]  # names of components/parameters, in path order
    required: int  # how many leading segments every path has
    summary: str
    description: str
    query: Sequence[str]  # names of components/parameters for the query and headers
    content: Schema  # the 200 content
    example: str
    api: int


#: Error statuses of every read: a semantic error (SDMX 150) is 403 on 1.5, 422 on 2.x.
READ_ERRORS = {1: (400, 403, 404, 406, 413, 414, 501), 2: (400, 404, 406, 413, 414, 422, 501)}


def _conditional_headers() -> list[str]:
    return ["If-None-Match", "If-Modified-Since"]


def read_resources(
    data_formats: Sequence[Format],
    structure_formats: Sequence[Format],
    schema_formats: Sequence[Format],
) -> list[Resource]:
    """The read resources of both API lines, with the formats each answers in."""
    agency, flow_id, version = DEMO_FLOW
    structures = format_content(structure_formats)
    data = format_content(data_formats)
    schemas = format_content(schema_formats)
    csv = ["labels", "timeFormat", "keys"]
    languages = ["lang", "Accept-Language"]
    return [
        Resource(
            "SDMX-REST 1.5",
            "structure_v1",
            "/rest",
            ["v1_resource", "v1_agencyID", "v1_resourceID", "v1_version", "v1_itemID"],
            1,
            "Structure query (SDMX-REST 1.5)",
            "Artefacts of one structure resource; segments left out default to all / all / "
            "latest / all. Answers SDMX-ML 2.1 by default.",
            ["v1_structDetail", "v1_references", "format_structure", "formatVersion", *languages],
            structures,
            f"/rest/datastructure/{agency}/DSD_MIG_STOCK/latest?references=children",
            1,
        ),
        Resource(
            "SDMX-REST 2.x",
            "structure_v2",
            "/rest/v2/structure",
            ["v2_structureType", "v2_agencyID", "v2_resourceID", "v2_version", "v2_itemID"],
            0,
            "Structure query (SDMX-REST 2.x)",
            "Artefacts of one type ('*' for all); segments left out default to '*' / '*' / "
            "'~' / '*'. Answers SDMX-JSON 2.0 by default.",
            ["v2_structDetail", "v2_references", "format_structure", "formatVersion", *languages],
            structures,
            f"/rest/v2/structure/codelist/{agency}/CL_AREA/~",
            2,
        ),
        Resource(
            "SDMX-REST 1.5",
            "data_v1",
            "/rest/data",
            ["v1_flow", "v1_key", "v1_provider"],
            1,
            "Data query (SDMX-REST 1.5)",
            "Observations of one dataflow, streamed; generic SDMX-ML 2.1 by default.",
            [
                "startPeriod",
                "endPeriod",
                "updatedAfter",
                "firstNObservations",
                "lastNObservations",
                "dimensionAtObservation",
                "v1_dataDetail",
                "includeHistory",
                "format_data",
                "formatVersion",
                *languages,
                *csv,
                "Range",
            ],  # fmt: skip
            data,
            f"/rest/data/{agency},{flow_id},{version}/{DEMO_KEY}?startPeriod=2010&format=csvdata",
            1,
        ),
        Resource(
            "SDMX-REST 2.x",
            "data_v2",
            "/rest/v2/data",
            ["v2_dataContext", "v2_agencyID", "v2_resourceID", "v2_version", "v2_key"],
            0,
            "Data query (SDMX-REST 2.x)",
            "Observations of one dataflow, streamed; SDMX-JSON 2.0 by default. An empty "
            "result is 204.",
            [
                "v2_c",
                "updatedAfter",
                "firstNObservations",
                "lastNObservations",
                "dimensionAtObservation",
                "v2_attributes",
                "v2_measures",
                "includeHistory",
                "asOf",
                "format_data",
                "formatVersion",
                *languages,
                *csv,
                "Range",
            ],  # fmt: skip
            data,
            f"/rest/v2/data/dataflow/{agency}/{flow_id}/*/A.FRA,A.KEN?c[TIME_PERIOD]=ge:2010",
            2,
        ),
        Resource(
            "SDMX-REST 1.5",
            "availability_v1",
            "/rest/availableconstraint",
            ["v1_flow", "v1_key", "v1_provider", "v1_componentID"],
            1,
            "Data availability (SDMX-REST 1.5)",
            "The values that have data, as an Actual content constraint.",
            [
                "startPeriod",
                "endPeriod",
                "updatedAfter",
                "v1_acReferences",
                "mode",
                "format_structure",
                "formatVersion",
                *languages,
            ],  # fmt: skip
            structures,
            f"/rest/availableconstraint/{agency},{flow_id},{version}/all/all/SEX",
            1,
        ),
        Resource(
            "SDMX-REST 2.x",
            "availability_v2",
            "/rest/v2/availability",
            [
                "v2_dataContext",
                "v2_agencyID",
                "v2_resourceID",
                "v2_version",
                "v2_key",
                "v2_componentID",
            ],  # fmt: skip
            0,
            "Data availability (SDMX-REST 2.x)",
            "The values that have data, as an Actual data constraint.",
            [
                "v2_c",
                "updatedAfter",
                "v2_references",
                "mode",
                "format_structure",
                "formatVersion",
                *languages,
            ],  # fmt: skip
            structures,
            f"/rest/v2/availability/dataflow/{agency}/{flow_id}/~/*/REF_AREA",
            2,
        ),
        Resource(
            "SDMX-REST 1.5",
            "schema_v1",
            "/rest/schema",
            ["v1_schemaContext", "agencyID", "resourceID", "v1_schemaVersion"],
            3,
            "Schema query (SDMX-REST 1.5)",
            "The structure-specific XSD (SDMX-ML 2.1) of a dataflow, DSD or provision "
            "agreement; a dataflow's applies its constraints.",
            ["dimensionAtObservation", "explicitMeasure", "format_schema", "formatVersion"],
            schemas,
            f"/rest/schema/dataflow/{agency}/{flow_id}/{version}",
            1,
        ),
        Resource(
            "SDMX-REST 2.x",
            "schema_v2",
            "/rest/v2/schema",
            ["v2_schemaContext", "agencyID", "resourceID", "v2_schemaVersion"],
            3,
            "Schema query (SDMX-REST 2.x)",
            "The structure-specific XSD (SDMX-ML 3.0, or 3.1) of a dataflow, DSD or provision "
            "agreement.",
            ["dimensionAtObservation", "explicitMeasure", "format_schema", "formatVersion"],
            schemas,
            f"/rest/v2/schema/datastructure/{agency}/DSD_MIG_STOCK/{version}",
            2,
        ),
    ]


def _segment_name(parameter: Schema) -> str:
    return str(parameter["name"])


def iter_read_paths(resource: Resource, parameters: Schema) -> Iterator[tuple[str, str, Schema]]:
    """(path, method, operation) for each truncation of the resource's path."""
    for count in range(resource.required, len(resource.segments) + 1):
        used = resource.segments[:count]
        path = resource.prefix + "".join(
            "/{" + _segment_name(parameters[name]) + "}" for name in used
        )
        suffix = "_".join(_segment_name(parameters[name]) for name in used)
        responses: Schema = {
            "200": {"description": "The answer", "content": resource.content},
            "304": ref("responses", "NotModified"),
            **error_responses(*READ_ERRORS[resource.api]),
        }
        if resource.api == 2:
            responses["204"] = ref("responses", "NoContent")
        if "Range" in resource.query:  # data answers page by observations
            responses["206"] = {"description": "The observations the Range selects "
                                "(Content-Range: values FIRST-LAST/TOTAL)",
                                "content": resource.content}  # fmt: skip
            responses["416"] = ref("responses", "RangeNotSatisfiable")
        operation: Schema = {
            "tags": [resource.tag],
            "operationId": f"{resource.operation_id}_{suffix}" if suffix else resource.operation_id,
            "summary": resource.summary,
            "description": resource.description,
            "parameters": [ref("parameters", name) for name in (*used, *resource.query)]
            + [ref("parameters", name) for name in _conditional_headers()],
            "responses": dict(sorted(responses.items())),
            "x-example": resource.example,
        }
        yield path, "get", operation
