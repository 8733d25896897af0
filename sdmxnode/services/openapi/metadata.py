"""The reference-metadata read operations of the node's OpenAPI description: the
metadataset, metadataflow and structure resources of /rest/metadata (1.5) and
/rest/v2/metadata (2.x)."""

from __future__ import annotations

from collections.abc import Sequence

from sdmxnode.formats.registry import Format
from sdmxnode.services.openapi.components import format_content
from sdmxnode.services.openapi.reads import Resource

_SEGMENTS = {
    "metadataset": ("metadata_providerID", "v2_resourceID", "v2_version"),
    "metadataflow": ("v2_agencyID", "v2_resourceID", "v2_version", "metadata_providerID"),
    "structure": ("metadataType", "v2_agencyID", "v2_resourceID", "v2_version"),
}
_DESCRIPTIONS = {
    "metadataset": "Metadata sets by provider, id and version.",
    "metadataflow": "Metadata sets reported against metadataflows, by provider.",
    "structure": "Metadata sets whose reports target structures (or their items).",
}
_EXAMPLES = {
    "metadataset": "/metadataset/*/*/~",
    "metadataflow": "/metadataflow/IMDX/*/*",
    "structure": "/structure/codelist/IMDX/CL_AREA",
}


def metadata_resources(metadata_formats: Sequence[Format]) -> list[Resource]:
    """The metadata resources of both API lines, with the formats each answers in."""
    found: list[Resource] = []
    for api, prefix in ((1, "/rest/metadata"), (2, "/rest/v2/metadata")):
        formats = [f for f in metadata_formats if api == 2 or f.sdmx_ml == "2.1"]
        default = "SDMX-ML 2.1 generic metadata" if api == 1 else "SDMX-JSON 2.0 metadata"
        for resource, segments in _SEGMENTS.items():
            if api == 1 and resource == "metadataflow":
                segments = (*segments[:3], "metadata_v1_providerRef")
            found.append(
                Resource(
                    f"SDMX-REST {'1.5' if api == 1 else '2.x'}",
                    f"metadata_{resource}_v{api}",
                    f"{prefix}/{resource}",
                    list(segments),
                    0,
                    f"Metadata query: {resource} (SDMX-REST {'1.5' if api == 1 else '2.x'})",
                    f"{_DESCRIPTIONS[resource]} Segments left out default to '*' ('~' for the "
                    "version of the targeted structures); versions "
                    f"take '~', '+' and wildcards. Answers {default} by default"
                    + (". An empty result is 204." if api == 2 else "; none found is 404."),
                    [
                        "metaDetail",
                        *(["asOf"] if api == 2 else []),
                        "format_metadata",
                        "formatVersion",
                    ],
                    format_content(formats),
                    prefix + _EXAMPLES[resource],
                    api,
                )  # fmt: skip
            )
    return found
