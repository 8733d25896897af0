"""The structure formats: SDMX-ML 2.1, 3.0 and 3.1, SDMX-JSON 1.0, 2.0 and 2.1 structure
messages."""

from __future__ import annotations

from sdmxnode.formats.registry import Format, register
from sdmxnode.formats.sdmxjson.structure.message import (
    write_structure_json_10,
    write_structure_json_20,
    write_structure_json_21,
)
from sdmxnode.formats.sdmxml.structure21.message import write_structure_ml21
from sdmxnode.formats.sdmxml.structure30.message import write_structure_ml30, write_structure_ml31

SDMX_ML_21 = register(
    Format(
        "sdmx-ml-2.1",
        "application/vnd.sdmx.structure+xml",
        "2.1",
        "structure",
        sdmx_ml="2.1",
        writer=write_structure_ml21,
        aliases=("structure", "sdmx-ml", "xml"),
    )
)
SDMX_ML_30 = register(
    Format(
        "sdmx-ml-3.0",
        "application/vnd.sdmx.structure+xml",
        "3.0.0",
        "structure",
        sdmx_ml="3.0",
        writer=write_structure_ml30,
        aliases=("structure", "sdmx-ml", "xml"),
    )
)
#: SDMX-ML 3.1 (SDMX 3.1): asked for by its version; 3.0 stays the 2.x default.
SDMX_ML_31 = register(
    Format(
        "sdmx-ml-3.1",
        "application/vnd.sdmx.structure+xml",
        "3.1.0",
        "structure",
        sdmx_ml="3.1",
        writer=write_structure_ml31,
        aliases=("structure", "sdmx-ml", "xml"),
    )
)
SDMX_JSON_10 = register(
    Format(
        "sdmx-json-1.0",
        "application/vnd.sdmx.structure+json",
        "1.0.0",
        "structure",
        writer=write_structure_json_10,
        aliases=("jsonstructure", "sdmx-json", "json"),
    )
)
SDMX_JSON_20 = register(
    Format(
        "sdmx-json-2.0",
        "application/vnd.sdmx.structure+json",
        "2.0.0",
        "structure",
        writer=write_structure_json_20,
        aliases=("jsonstructure", "sdmx-json", "json"),
    )
)
#: SDMX-JSON 2.1 (SDMX 3.1): asked for by its version; 2.0 stays the 2.x default.
SDMX_JSON_21 = register(
    Format(
        "sdmx-json-2.1",
        "application/vnd.sdmx.structure+json",
        "2.1.0",
        "structure",
        writer=write_structure_json_21,
        aliases=("jsonstructure", "sdmx-json", "json"),
    )
)

STRUCTURE_FORMATS = [
    SDMX_ML_21,
    SDMX_ML_30,
    SDMX_ML_31,
    SDMX_JSON_10,
    SDMX_JSON_20,
    SDMX_JSON_21,
]
