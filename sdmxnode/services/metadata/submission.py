"""Submitting metadata sets over HTTP to a metadataflow: what the web layer asks for.

The SDMX-REST 2.x maintenance document covers structures only and the OpenAPI has no write
operation for metadata, so the node does as for data (`services.data.submission`): the
message goes to its metadataflow's URL, `/rest/v2/metadata/metadataflow/{agency}/{id}/
{version}` (the query path of SDMX-REST 2.x without its provider segment). POST applies
each set's action, PUT takes every set as Replace, DELETE (with a message) as Delete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdmxnode.errors import NotFound
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.metadata.loading import (
    MetadataLoadOptions,
    MetadataLoadResult,
    load_metadata,
)
from sdmxnode.services.node import Node
from sdmxnode.storage.records import StoredArtefact

#: The action a method gives every set (POST: each set's own).
METHOD_ACTIONS = {"PUT": "Replace", "DELETE": "Delete"}


def find_write_metadataflow(node: Node, agency_id: str, id_: str, version: str) -> StoredArtefact:
    """The stored metadataflow a write URL names; NotFound when the node holds none."""
    found = node.store.find_artefact(ArtefactRef("Metadataflow", agency_id, id_, version))
    if found is None:
        raise NotFound(
            f"no metadataflow {agency_id}:{id_}({version}) to write metadata to",
            where="metadataflow",
        )
    return found


def submit_metadata(
    node: Node,
    metadataflow: StoredArtefact,
    data: bytes | Path,
    *,
    method: str,
    principal: str,
    source: str,
    max_bytes: int,
) -> MetadataLoadResult:
    """Validate and store a metadata message sent to `metadataflow` (LoadRejected when
    any finding is an error, NotFound when a Delete names a set the node does not hold)."""
    return load_metadata(
        node,
        data,
        MetadataLoadOptions(
            source=source,
            principal=principal,
            metadataflow=metadataflow.ref,
            action=METHOD_ACTIONS.get(method),
            max_bytes=max_bytes,
        ),
    )


def submission_json(
    metadataflow: StoredArtefact, method: str, result: MetadataLoadResult
) -> dict[str, Any]:
    """The JSON answer: the metadataflow, the method, each set's outcome and the findings."""
    report = result.report
    return {
        "metadataflow": metadataflow.ref.identity,
        "method": method,
        "stored": True,
        "sets": result.outcomes,
        "errors": report.errors,
        "warnings": report.warnings,
        "findings": [finding.to_json() for finding in report.findings],
    }
