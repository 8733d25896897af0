"""The reference-metadata readers: SDMX-ML 2.1/3.0 generic metadata, SDMX-JSON 2.0 metadata."""

from __future__ import annotations

from sdmxnode.formats.registry import register_metadata_reader
from sdmxnode.formats.sdmxjson.metadata import read_metadata_json
from sdmxnode.formats.sdmxml.metadata import read_metadata_ml

register_metadata_reader("sdmx-ml", read_metadata_ml)
register_metadata_reader("sdmx-json", read_metadata_json)
