"""The reference-metadata formats: SDMX-ML 2.1 and 3.0 generic metadata messages and
SDMX-JSON 2.0 metadata messages, written (below) and read (`register_metadata_reader`).

Media types as the SDMX-REST 2.2.2 OpenAPI spells them (`200-meta`):
`application/vnd.sdmx.genericmetadata+xml;version=2.1`,
`application/vnd.sdmx.metadata+xml;version=3.0.0` (and `version=3.1.0`) and
`application/vnd.sdmx.metadata+json;version=2.0.0`; `genericmetadata+xml;version=3.0.0`
(the name 3.0 messages kept in early drafts) is accepted for 3.0 as well. Each writer takes
`(sets, header, *, usage=None)` and yields the message in chunks.
"""

from __future__ import annotations

from sdmxnode.formats.registry import Format, register, register_metadata_reader
from sdmxnode.formats.sdmxjson.metadata.reader import read_metadata_json
from sdmxnode.formats.sdmxjson.metadata.writer import stream_metadata_json_20
from sdmxnode.formats.sdmxml.metadata.reader import read_metadata_ml
from sdmxnode.formats.sdmxml.metadata.writer21 import stream_metadata_message_21
from sdmxnode.formats.sdmxml.metadata.writer30 import (
    stream_metadata_message,
    stream_metadata_message_31,
)

METADATA_ML_21 = register(
    Format(
        "metadata-ml-2.1",
        "application/vnd.sdmx.genericmetadata+xml",
        "2.1",
        "metadata",
        sdmx_ml="2.1",
        writer=stream_metadata_message_21,
        aliases=("genericmetadata", "metadata", "sdmx-ml", "xml"),
    )
)
METADATA_ML_30 = register(
    Format(
        "metadata-ml-3.0",
        "application/vnd.sdmx.metadata+xml",
        "3.0.0",
        "metadata",
        sdmx_ml="3.0",
        writer=stream_metadata_message,
        aliases=("genericmetadata", "metadata", "sdmx-ml", "xml"),
        other_media_types=("application/vnd.sdmx.genericmetadata+xml",),
    )
)
#: SDMX-ML 3.1 (SDMX 3.1): asked for by its version; 3.0 stays the SDMX-ML default.
METADATA_ML_31 = register(
    Format(
        "metadata-ml-3.1",
        "application/vnd.sdmx.metadata+xml",
        "3.1.0",
        "metadata",
        sdmx_ml="3.1",
        writer=stream_metadata_message_31,
        aliases=("genericmetadata", "metadata", "sdmx-ml", "xml"),
        other_media_types=("application/vnd.sdmx.genericmetadata+xml",),
    )
)

METADATA_JSON_20 = register(
    Format(
        "metadata-json-2.0",
        "application/vnd.sdmx.metadata+json",
        "2.0.0",
        "metadata",
        writer=stream_metadata_json_20,
        aliases=("jsonmetadata", "sdmx-json", "json"),
    )
)

METADATA_FORMATS = [METADATA_ML_21, METADATA_ML_30, METADATA_ML_31, METADATA_JSON_20]

register_metadata_reader("sdmx-ml", read_metadata_ml)
register_metadata_reader("sdmx-json", read_metadata_json)
