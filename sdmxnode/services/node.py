"""The node's shared state: settings, the store and the parsed-artefact cache."""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdmxnode.formats.header import MessageHeader
from sdmxnode.services.structures.loading import load_structure_files, structure_files
from sdmxnode.services.structures.models import ModelCache
from sdmxnode.storage.access import AccessStore
from sdmxnode.storage.data import DataStore
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.structures import PutResult, StructureStore

log = logging.getLogger(__name__)


@dataclass
class Node:
    """What every request and command of one node process shares."""

    settings: dict[str, Any]
    store: StructureStore
    data: DataStore
    cache: ModelCache = field(default_factory=ModelCache)
    access: AccessStore = field(init=False)

    def __post_init__(self) -> None:
        self.access = AccessStore(self.store.engine)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Node:
        engine = create_store_engine(settings["DATABASE_URL"])
        return cls(
            settings,
            StructureStore(engine),
            DataStore(engine),
            ModelCache(int(settings["STRUCTURE_CACHE_SIZE"])),
        )

    def header(self, *, test: bool = False) -> MessageHeader:
        """A fresh message header naming this node as sender."""
        return MessageHeader(
            id=f"IREF{uuid.uuid4().hex[:12].upper()}",
            sender=self.settings["SENDER_ID"],
            test=test,
        )

    def structure_dirs(self) -> list[Path]:
        return [Path(p) for p in str(self.settings["STRUCTURE_DIRS"]).split(os.pathsep) if p]

    def initialise(self) -> PutResult:
        """Create the schema, load the node's own structures and, into a node that holds no
        data yet, the demo data (idempotent: a second run changes nothing)."""
        self.store.create_schema()
        result = load_structure_files(self.store, structure_files(self.structure_dirs()))
        demo = Path(str(self.settings["DEMO_DATA"] or ""))
        if demo.is_dir() and self.data.count_loads() == 0:
            from sdmxnode.services.data.loading import load_data

            for path in sorted(p for p in demo.iterdir() if p.suffix == ".xml"):
                load_data(self, path, source=path.name, principal="init")
        return result
