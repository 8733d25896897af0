"""Plain records passed between storage and services: artefact identities and rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, order=True)
class ArtefactRef:
    """The identity of a maintainable artefact: canonical type, agency, id, version."""

    type: str
    agency_id: str
    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.type}={self.agency_id}:{self.id}({self.version})"


@dataclass(frozen=True)
class ArtefactRecord:
    """An artefact to be stored: its identity, the SDMX-ML element and what it references."""

    ref: ArtefactRef
    is_final: bool
    name: str
    sdmx_ml: str
    xml: bytes
    references: frozenset[ArtefactRef] = field(default_factory=frozenset)


@dataclass(frozen=True)
class StoredArtefact:
    """An artefact row as read back: identity, flags, digest and time of last change."""

    pk: int
    ref: ArtefactRef
    is_final: bool
    name: str
    sdmx_ml: str
    digest: str
    updated: datetime
