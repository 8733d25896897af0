"""The official SDMX-JSON 2.1 schemas, checked with jsonschema-rs instead of jsonschema.

The 2.1 schemas (and only they: 1.0 and 2.0 have none) close their objects with
`unevaluatedProperties: false`, which Python's jsonschema checks by walking every subschema
again for each object: 15 to 80 s for one corpus message (ILO CL_ECO, ECB EXR), the slowest
tests of the suite, in the schema test and again inside pysdmx's read-back, which validates
with the same library before reading. jsonschema-rs implements the same drafts (2019-09, as
the 2.1 schemas declare, and 2020-12, as pysdmx validates), formats included, in a fraction
of a second; tests/test_json_schema.py shows it rejects each kind of defect that Python's
validator rejects, and agrees with it on what is valid.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs


@cache
def _validator(path: str, draft: int | None) -> jsonschema_rs.Validator:
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    if draft == 2020:
        return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return jsonschema_rs.validator_for(schema, validate_formats=True)  # the declared draft


def schema_errors(path: str | Path, document: Any, *, draft: int | None = None) -> list[str]:
    """What the JSON schema at `path` finds wrong in `document` (empty when valid), under
    the draft the schema declares, or Draft 2020-12 when `draft` is 2020 (pysdmx's)."""
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}"
        for e in _validator(str(path), draft).iter_errors(document)
    ]
