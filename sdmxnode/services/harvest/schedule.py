"""Named harvest sources, the harvest lock and repeated harvesting (`--every`)."""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sdmxnode.errors import Conflict, SourcesError
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.harvesting import StructureSelection
from sdmxnode.storage.harvest import HarvestStore

LOCK_NAME = "harvest"


@dataclass(frozen=True)
class HarvestSource:
    """A source as named in SDMXNODE_HARVEST_SOURCES: its base URL and what to take."""

    name: str
    url: str
    structures: tuple[StructureSelection, ...] = (StructureSelection(),)
    dataflows: tuple[ArtefactRef, ...] = field(default_factory=tuple)
    #: Whose reference-metadata sets to take; None: every metadataflow harvested from it.
    metadataflows: tuple[ArtefactRef, ...] | None = None


def parse_dataflow(text: str, type_: str = "Dataflow") -> ArtefactRef:
    """AGENCY,ID[,VERSION] as a dataflow (or metadataflow) reference (no version: the
    latest)."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (2, 3) or not all(parts):
        raise SourcesError(f"a {type_.lower()} is AGENCY,ID or AGENCY,ID,VERSION, not {text!r}")
    return ArtefactRef(type_, parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def read_sources(setting: str) -> dict[str, HarvestSource]:
    """The sources of the HARVEST_SOURCES setting.

    Either `name=url;name=url` (every structure of each), or the path of a JSON file (or
    JSON text) mapping each name to {"url": ..., "structures": [{"resource", "agency",
    "id", "version"}...], "data": ["AGENCY,ID[,VERSION]", ...], "metadata": [metadataflows
    as AGENCY,ID[,VERSION]; without it, every metadataflow harvested from the source]}.
    """
    text = setting.strip()
    if not text:
        return {}
    if text.startswith("{") or (not re.match(r"^\w[\w.-]*=", text) and Path(text).is_file()):
        raw = text if text.startswith("{") else Path(text).read_text(encoding="utf-8")
        try:
            entries = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SourcesError(f"SDMXNODE_HARVEST_SOURCES is not valid JSON: {exc}") from exc
        if not isinstance(entries, dict):
            raise SourcesError("SDMXNODE_HARVEST_SOURCES must map names to sources")
        return {name: _source(name, entry) for name, entry in entries.items()}
    sources: dict[str, HarvestSource] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, url = part.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise SourcesError(f"SDMXNODE_HARVEST_SOURCES: {part!r} is not name=url")
        sources[name.strip()] = HarvestSource(name.strip(), url.strip())
    return sources


def _source(name: str, entry: object) -> HarvestSource:
    if isinstance(entry, str):
        return HarvestSource(name, entry)
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise SourcesError(f"SDMXNODE_HARVEST_SOURCES: source {name!r} needs a url")
    selections = tuple(
        StructureSelection(
            s.get("resource"),
            s.get("agency", "all"),
            s.get("id", "all"),
            s.get("version", "all"),
        )
        for s in entry.get("structures", [{}])
    )
    flows = tuple(parse_dataflow(d) for d in entry.get("data", []))
    metadata = entry.get("metadata")
    metadataflows = (
        None if metadata is None else tuple(parse_dataflow(m, "Metadataflow") for m in metadata)
    )
    return HarvestSource(name, entry["url"], selections, flows, metadataflows)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """`90s`, `15m`, `6h`, `1d` or an ISO 8601 duration such as `PT15M` or `P1D`."""
    value = text.strip()
    simple = re.fullmatch(r"(\d+)\s*([smhd])", value)
    if simple:
        return timedelta(seconds=int(simple.group(1)) * _UNITS[simple.group(2)])
    iso = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", value.upper())
    if iso and any(iso.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise SourcesError(f"not a duration: {text!r} (use 30s, 15m, 6h, 1d or PT15M)")


@contextmanager
def harvest_lock(store: HarvestStore, ttl: timedelta) -> Iterator[str]:
    """Hold the node's harvest lock; Conflict if another harvest holds it."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not store.acquire_lock(LOCK_NAME, holder, ttl):
        raise Conflict("another harvest is running on this node's database", where="harvest")
    try:
        yield holder
    finally:
        store.release_lock(LOCK_NAME, holder)


def run_every(
    interval: timedelta,
    run_once: Callable[[], bool],
    *,
    max_runs: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run `run_once` every `interval` (measured start to start) until `max_runs` runs;
    a failed run (False) is reported by it and does not stop the loop. The failed count."""
    failures = runs = 0
    while max_runs is None or runs < max_runs:
        started = time.monotonic()
        if not run_once():
            failures += 1
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        sleep(max(0.0, interval.total_seconds() - (time.monotonic() - started)))
    return failures
