"""Plain records storage reads back: stored artefacts with their row identity and digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sdmxnode.refs import ArtefactRef


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
