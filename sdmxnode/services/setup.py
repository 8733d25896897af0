"""Setting a node up: the schema, the node's own structures, the demo data and the demo
reference metadata (`sdmxnode init`)."""

from __future__ import annotations

from pathlib import Path

from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.metadata.loading import (
    MetadataLoadOptions,
    count_metadata_sets,
    load_metadata,
)
from sdmxnode.services.node import Node
from sdmxnode.services.structures.info import keep_dataflow_infos
from sdmxnode.services.structures.loading import load_structure_files, structure_files
from sdmxnode.storage.structures import PutResult


def demo_data_files(folders: tuple[Path, ...]) -> list[Path]:
    """The data messages (`.xml`, `.xml.gz`) of the demo folders, folder by folder, sorted
    by name within one (folders that do not exist are skipped)."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.name.endswith((".xml", ".xml.gz")))
    return found


def initialise_node(node: Node) -> PutResult:
    """Create the schema, load the node's own structures (and keep each dataflow's
    StructureInfo, which loads then read instead of parsing the structures) and, into a
    node that holds no data yet, the demo data, and into one that holds no metadata sets,
    the demo metadata (idempotent: a second run changes nothing)."""
    node.store.create_schema()
    result = load_structure_files(node.store, structure_files(node.structure_dirs()))
    keep_dataflow_infos(node.store, node.cache)
    if node.data.count_loads() == 0:
        for path in demo_data_files(node.settings.demo_data):
            load_data(node, path, LoadOptions(source=path.name, principal="init"))
    metadata = node.settings.demo_metadata
    if metadata.is_dir() and count_metadata_sets(node) == 0:
        for path in sorted(p for p in metadata.iterdir() if p.suffix == ".xml"):
            load_metadata(node, path, MetadataLoadOptions(source=path.name, principal="init"))
    return result
