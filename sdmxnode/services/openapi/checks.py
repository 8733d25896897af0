"""The OpenAPI operations of the comparability checks (/checks/aggregates, /checks/mirror)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sdmxnode.services.openapi.components import error_responses

Schema = dict[str, Any]


def _query(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _path(name: str, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_@$\-.]+$"}}  # fmt: skip


_COMMON = [
    _query("format", "json (default) or csv", {"type": "string", "enum": ["json", "csv"]}),
    _query("startPeriod", "First period compared (SDMX period syntax)"),
    _query("endPeriod", "Last period compared (SDMX period syntax)"),
]
_REPORT = {
    "application/json": {"schema": {"type": "object"}},
    "text/csv": {"schema": {"type": "string"}},
}


def iter_check_paths() -> Iterator[tuple[str, str, Schema]]:
    """(path, method, operation) for the two checks, with and without a version."""
    checks = (
        ("aggregates", "Aggregate consistency",
         "Each aggregate figure (a code with members in a hierarchical code list) against the "
         "sum of its members, per series and period, for additive measures; members missing "
         "from the data are listed, not guessed.",
         [_query("tolerance", "Relative tolerance (default: SDMXNODE_AGGREGATE_TOLERANCE)",
                 {"type": "number", "minimum": 0}),
          _query("area", "Only these aggregate codes (repeatable or '+'-separated)"),
          _query("status", "Only these outcomes: ok, mismatch, no_members")]),
        ("mirror", "Mirror statistics",
         "Each bilateral flow as the destination (immigration by previous residence) and the "
         "origin (emigration by next residence) report it: both values, difference, ratio and "
         "each side's definition attributes.",
         [_query("country", "Only the corridors of this country (one code)"),
          _query("status", "Only these outcomes: paired, no_emigration_report, "
                           "no_immigration_report")]),
    )  # fmt: skip
    for name, summary, description, parameters in checks:
        base = f"/checks/{name}/{{agencyID}}/{{resourceID}}"
        path_parameters = [_path("agencyID", "Agency of the dataflow"),
                           _path("resourceID", "Id of the dataflow")]  # fmt: skip
        for path, extra in (
            (base, []),
            (base + "/{version}", [_path("version", "Version of the dataflow")]),
        ):
            yield (
                path,
                "get",
                {
                    "tags": ["Checks"],
                    "operationId": f"check_{name}" + ("_version" if extra else ""),
                    "summary": summary,
                    "description": description,
                    "parameters": [*path_parameters, *extra, *_COMMON, *parameters],
                    "x-example": f"/checks/{name}/IMDX/"
                    + ("DF_MIG_STOCK_IMS" if name == "aggregates" else "DF_MIG_FLOWS"),
                    "responses": dict(
                        sorted(
                            {
                                "200": {"description": "The report", "content": _REPORT},
                                "304": {"description": "Not modified since the client's copy"},
                                **error_responses(400, 403, 404, 406),
                            }.items()
                        )
                    ),
                },
            )
