"""The node's shared state: settings, the store and the parsed-artefact cache."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sdmxnode.config import Settings
from sdmxnode.formats.header import MessageHeader
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.storage.access import AccessStore
from sdmxnode.storage.data import DataStore
from sdmxnode.storage.harvest import HarvestStore
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.storage.structures import StructureStore

if TYPE_CHECKING:
    from sdmx.model import common


@dataclass
class Node:
    """What every request and command of one node process shares."""

    settings: Settings
    store: StructureStore
    data: DataStore
    cache: ModelCache = field(default_factory=ModelCache)
    access: AccessStore = field(init=False)

    def __post_init__(self) -> None:
        self.access = AccessStore.sharing(self.store)

    @classmethod
    def from_settings(cls, settings: Settings) -> Node:
        """A node on the database and with the settings `settings` names."""
        store = StructureStore.open(
            settings.database_url,
            write_wait=settings.write_wait,
            durable=settings.sqlite_durable,
        )
        return cls(
            settings,
            store,
            DataStore.sharing(store),
            ModelCache(settings.structure_cache_size),
        )

    def model(self, artefact: StoredArtefact) -> common.MaintainableArtefact:
        """The parsed sdmx1 object of a stored artefact, from the cache: its stored text is
        read only when it is parsed (a cached artefact costs no query)."""
        return self.cache.get(artefact, partial(self.store.read_one_xml, artefact))

    def header(self, *, test: bool = False) -> MessageHeader:
        """A fresh message header naming this node as sender."""
        return MessageHeader(
            id=f"IREF{uuid.uuid4().hex[:12].upper()}",
            sender=self.settings.sender_id,
            test=test,
        )

    def harvest_records(self) -> HarvestStore:
        """The harvest tables (requests, provenance, the lock) of the node's database."""
        return HarvestStore.sharing(self.store)

    def structure_dirs(self) -> list[Path]:
        """The folders whose structure messages `sdmxnode init` loads."""
        return list(self.settings.structure_dirs)
