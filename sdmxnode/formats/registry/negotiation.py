"""What each kind of resource offers on each API line: the one table views negotiate from.

SDMX-REST 1.5 `4_6_conneg.md` and 2.x `doc/content_negotiation.md` give each API line its
default format and say what a generic media type (`application/xml`, `application/json`,
`text/csv`) is answered with; the node's own check reports follow the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sdmxnode.formats.registry import Format, choose_format, parse_accept
from sdmxnode.formats.registry.data import (
    CSV_10,
    CSV_20,
    DATA_30,
    DATA_FORMATS,
    GENERIC_21,
    JSON_10,
    JSON_20,
    SCHEMA_21,
    SCHEMA_30,
    SCHEMA_FORMATS,
    SCHEMA_JSON_20,
)
from sdmxnode.formats.registry.metadata import (
    METADATA_FORMATS,
    METADATA_JSON_20,
    METADATA_ML_21,
    METADATA_ML_30,
)
from sdmxnode.formats.registry.registrations import (
    REGISTRATION_FORMATS,
    REGISTRATIONS_JSON,
    REGISTRY_ML_30,
)
from sdmxnode.formats.registry.structure import (
    SDMX_JSON_10,
    SDMX_JSON_20,
    SDMX_ML_21,
    SDMX_ML_30,
    STRUCTURE_FORMATS,
)
from sdmxnode.formats.reports.checks import CHECK_CSV, CHECK_JSON

#: Generic media types and the family each names; an offer says which format answers a family.
GENERIC_MEDIA_TYPES: Mapping[str, str] = {
    "application/xml": "xml",
    "text/xml": "xml",
    "application/json": "json",
    "text/csv": "csv",
    "application/csv": "csv",
}

#: SDMX-CSV options read from the query or from the Accept media type (`key` is `keys`).
CSV_OPTIONS: Mapping[str, str] = {
    "labels": "labels",
    "timeFormat": "timeFormat",
    "keys": "keys",
    "key": "keys",
}


@dataclass(frozen=True)
class Offer:
    """The formats one kind of resource offers on one API line.

    `default` answers no Accept header and `*/*`; `families` maps a generic family (`xml`,
    `json`, `csv`) to the format that answers it; `prefer` picks among the formats a
    `format=` name stands for (the API line's own versions).
    """

    formats: tuple[Format, ...]
    default: Format
    families: Mapping[str, Format]
    prefer: tuple[Format, ...] = ()

    @property
    def generic(self) -> dict[str, Format]:
        """The generic media types this offer answers, and with which format."""
        return {
            media_type: self.families[family]
            for media_type, family in GENERIC_MEDIA_TYPES.items()
            if family in self.families
        }


#: (kind, API line) -> offer; the node's check reports belong to no API line (None).
OFFERS: Mapping[tuple[str, int | None], Offer] = {
    # 1.5 `4_6_conneg.md`: generic SDMX-ML by default; 2.x: SDMX-JSON 2.0.
    ("data", 1): Offer(
        tuple(DATA_FORMATS),
        GENERIC_21,
        {"xml": GENERIC_21, "json": JSON_10, "csv": CSV_10},
        tuple(f for f in DATA_FORMATS if f.sdmx_ml == "2.1" or f.version == "1.0.0"),
    ),
    ("data", 2): Offer(
        tuple(DATA_FORMATS),
        JSON_20,
        {"xml": DATA_30, "json": JSON_20, "csv": CSV_20},
        tuple(f for f in DATA_FORMATS if f.version in ("3.0.0", "2.0.0")),
    ),
    ("structure", 1): Offer(
        tuple(STRUCTURE_FORMATS),
        SDMX_ML_21,
        {"xml": SDMX_ML_21, "json": SDMX_JSON_10},
        (SDMX_ML_21, SDMX_JSON_10),
    ),
    ("structure", 2): Offer(
        tuple(STRUCTURE_FORMATS),
        SDMX_JSON_20,
        {"xml": SDMX_ML_30, "json": SDMX_JSON_20},
        (SDMX_ML_30, SDMX_JSON_20),
    ),
    # A schema query answers an XSD, a JSON Schema or (1.5 `4_5_schema_queries.md`, 2.x
    # `schema.md`) a structure message; 1.5 defaults to the 2.1 XSD, 2.x to the JSON Schema.
    ("schema", 1): Offer(
        (*SCHEMA_FORMATS, *STRUCTURE_FORMATS),
        SCHEMA_21,
        {"xml": SCHEMA_21, "json": SDMX_JSON_10},
        (SCHEMA_21, SDMX_ML_21, SDMX_JSON_10),
    ),
    ("schema", 2): Offer(
        (*SCHEMA_FORMATS, *STRUCTURE_FORMATS),
        SCHEMA_JSON_20,
        {"xml": SCHEMA_30, "json": SCHEMA_JSON_20},
        (SCHEMA_30, SDMX_ML_30, SDMX_JSON_20),
    ),
    # Reference metadata: SDMX-REST 1.5 `4_8_metadata_queries.md` answers SDMX-ML 2.1
    # generic metadata; 2.x (OpenAPI `200-meta`) SDMX-JSON 2.0 by default, as its data and
    # structures, SDMX-ML 3.0 and the 2.1 message as well.
    ("metadata", 1): Offer((METADATA_ML_21,), METADATA_ML_21, {"xml": METADATA_ML_21}),
    ("metadata", 2): Offer(
        tuple(METADATA_FORMATS),
        METADATA_JSON_20,
        {"xml": METADATA_ML_30, "json": METADATA_JSON_20},
        (METADATA_ML_30, METADATA_JSON_20),
    ),
    # Registrations (2.x `registration.md`): the registry message, SDMX-ML 3.0 by default.
    ("registration", 2): Offer(
        REGISTRATION_FORMATS,
        REGISTRY_ML_30,
        {"xml": REGISTRY_ML_30, "json": REGISTRATIONS_JSON},
        (REGISTRY_ML_30, REGISTRATIONS_JSON),
    ),
    ("report", None): Offer(
        (CHECK_JSON, CHECK_CSV), CHECK_JSON, {"json": CHECK_JSON, "csv": CHECK_CSV}
    ),
}


def negotiate_format(
    kind: str, api: int | None, args: Mapping[str, Any], accept: str | None
) -> Format:
    """The format of `kind` on API line `api` that `format=` (then `Accept`) asks for.

    Raises NotAcceptable (or BadRequest for an unknown `format=` name) as `choose_format`.
    """
    offer = OFFERS[(kind, api)]
    return choose_format(
        args, accept, list(offer.formats), offer.default, offer.generic, offer.prefer
    )


def csv_options(args: Mapping[str, Any], accept: str | None) -> dict[str, str]:
    """SDMX-CSV parameters from the query (which wins) or the first CSV Accept range."""
    options: dict[str, str] = {}
    for rng in parse_accept(accept or ""):
        if rng.media_type.endswith("+csv") or GENERIC_MEDIA_TYPES.get(rng.media_type) == "csv":
            for name, key in CSV_OPTIONS.items():
                if name in rng.params:
                    options[key] = rng.params[name]
            break
    for name, key in CSV_OPTIONS.items():
        if name in args:
            options[key] = args[name]
    return options
