"""Plain records storage reads back: stored artefacts with their row identity and digest,
and the current form of an artefact a write transaction decides on."""

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


@dataclass(frozen=True)
class CurrentArtefact:
    """An artefact as a write transaction finds it stored: element, finality, SDMX-ML."""

    xml: bytes
    is_final: bool
    sdmx_ml: str
