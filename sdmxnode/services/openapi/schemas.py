"""The JSON schemas of the node's OpenAPI description: the JSON bodies the node answers."""

from __future__ import annotations

from sdmxnode.services.openapi.components import Schema
from sdmxnode.validation.findings import CODES, SEVERITIES


def build_schemas() -> Schema:
    """The `components/schemas`: the JSON bodies the node answers."""
    finding = {
        "type": "object",
        "required": ["code", "severity", "message"],
        "properties": {
            "code": {"type": "string", "enum": sorted(CODES)},
            "severity": {"type": "string", "enum": list(SEVERITIES)},
            "message": {"type": "string"},
            "line": {"type": "integer", "nullable": True},
            "series_key": {"type": "string", "nullable": True},
            "period": {"type": "string", "nullable": True},
            "component": {"type": "string", "nullable": True},
            "report": {"type": "string", "nullable": True},
        },
    }
    count = {"type": "integer", "minimum": 0}
    report_fields = ("errors", "warnings", "findings_not_listed", "findings_suppressed",
                     "max_findings", "datasets", "series", "observations")  # fmt: skip
    return {
        "SdmxJsonError": {
            "type": "object",
            "description": "An SDMX-JSON error message",
            "required": ["errors"],
            "properties": {
                "meta": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "prepared": {"type": "string"}},
                },
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["code", "title"],
                        "properties": {
                            "code": {"type": "integer"},
                            "title": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                    },
                },
            },
        },
        "Finding": finding,
        "ValidationReport": {
            "type": "object",
            "required": ["valid", *report_fields, "findings"],
            "properties": {
                "valid": {"type": "boolean"},
                **{name: count for name in report_fields},
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            },
        },
        "SubmissionReport": {
            "type": "object",
            "description": "What a data submission stored and the validation report of the message",
            "required": ["dataflow", "method", "action", "stored", "counts", "findings"],
            "properties": {
                "dataflow": {"type": "string"},
                "method": {"type": "string", "enum": ["POST", "PUT", "DELETE"]},
                "action": {"type": "string"},
                "stored": {"type": "boolean"},
                "load": {"type": "integer", "nullable": True},
                "counts": {"type": "object", "additionalProperties": count},
                "conversion": {
                    "type": "string",
                    "nullable": True,
                    "description": "The StructureMap and source structure the message was "
                    "converted from (README 'Structure maps'); null when it came in the "
                    "dataflow's structure",
                },
                "errors": count,
                "warnings": count,
                "findings_not_listed": count,
                "findings_suppressed": count,
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            },
        },
        "StructureSubmissionReport": {
            "type": "object",
            "description": "The outcome for each artefact of a structure message",
            "required": ["meta", "results"],
            "properties": {
                "meta": {"type": "object"},
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["action", "type", "agencyID", "id", "version", "status"],
                        "properties": {
                            "action": {"type": "string"},
                            "type": {"type": "string"},
                            "agencyID": {"type": "string"},
                            "id": {"type": "string"},
                            "version": {"type": "string"},
                            "urn": {"type": "string"},
                            "status": {"type": "string", "enum": ["Success", "Failure"]},
                            "result": {"type": "string"},
                            "code": {"type": "integer"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "node", "version", "database", "artefacts"],
            "properties": {
                "status": {"type": "string", "enum": ["ok"]},
                "node": {"type": "string"},
                "version": {"type": "string"},
                "database": {"type": "string"},
                "artefacts": count,
            },
        },
        "AuditEntry": {
            "type": "object",
            "required": ["id", "at", "action", "target", "outcome", "status", "counts"],
            "properties": {
                "id": {"type": "integer"},
                "at": {"type": "string", "format": "date-time"},
                "token": {"type": "string", "nullable": True},
                "role": {"type": "string", "nullable": True},
                "client": {"type": "string"},
                "action": {"type": "string"},
                "target": {"type": "string"},
                "outcome": {"type": "string", "enum": ["ok", "refused", "rejected", "failed"]},
                "status": {"type": "integer"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "detail": {"type": "string", "nullable": True},
            },
        },
    }
