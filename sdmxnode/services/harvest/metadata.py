"""Harvesting reference-metadata sets: every set the source holds, or those of named
metadataflows.

A harvest that takes every structure of a source (the default), and finds metadataflows
among them, asks for every set in one query, `metadata/metadataflow/*/*/*`: one answer, one
ETag, so a second harvest of an unchanged source is one 304 (the answer is 404 only when the
source holds no set at all). Asking per metadataflow would cost a request per metadataflow,
and those without sets answer 404, which carries no validators and is asked again whole each
time. When the harvest takes some structures only, or metadataflows are named, each is asked
for alone, `metadata/metadataflow/{agency}/{id}/{version}` (sets of a metadataflow the node
does not hold would make the one-query answer refused). Every query is conditional. SDMX-ML
3.0 is asked of a 2.x source, SDMX-ML 2.1 generic metadata of a 1.5 one (the only metadata
format of 1.5). The sets are loaded as Replace, all in one transaction (`load_metadata`), so
a set changed at the source takes the place of this node's copy whole, and an unchanged one
leaves it as it is. A message the node refuses is reported (nothing of it stored, its
validators not kept: it is asked for again next time) without undoing the structures and
data of the harvest.

Sets deleted at the source are not deleted here: the metadata queries have no
`updatedAfter` (which for data reports deletions), and this node may hold sets of the same
metadataflow of its own, so a set missing from the answer is not proof that it was removed.
Note that the SDMX-ML 3.0 writer of this node splits a 2.1 set of several reports into one
set per report; a 1.5 source (SDMX-ML 2.1) keeps such sets whole.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

from sdmxnode.errors import LoadRejected, SdmxNodeError
from sdmxnode.formats.input import open_message
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.storage.harvest import HarvestStore, Provenance, now_utc

if TYPE_CHECKING:
    from sdmxnode.services.harvest.harvesting import HarvestResult
    from sdmxnode.services.node import Node

log = logging.getLogger(__name__)

METADATA_ACCEPT = {
    1: "application/vnd.sdmx.genericmetadata+xml;version=2.1",
    2: "application/vnd.sdmx.metadata+xml;version=3.0.0",
}


def metadata_url(base_url: str, metadataflow: ArtefactRef, api: int) -> str:
    """The query for every set reported against `metadataflow` (its latest version if none
    is given)."""
    version = metadataflow.version or ("~" if api == 2 else "latest")
    return (
        f"{base_url.rstrip('/')}/metadata/metadataflow/"
        f"{metadataflow.agency_id}/{metadataflow.id}/{version}"
    )


#: The metadata harvest of a whole source: every set of every metadataflow.
EVERY_METADATAFLOW = ArtefactRef("Metadataflow", "*", "*", "*")


def harvested_metadataflows(records: HarvestStore, base_url: str) -> list[ArtefactRef]:
    """The metadataflows whose structures were harvested from `base_url`: the ones the
    source offers."""
    base = base_url.rstrip("/") + "/"
    found = {
        p.ref
        for p in records.list_provenance(kind="structure", type_="Metadataflow")
        if p.source_url.startswith(base)
    }
    return sorted(found, key=lambda r: (r.agency_id, r.id, r.version))


def harvest_metadata(
    node: Node,
    client: HttpClient,
    records: HarvestStore,
    base_url: str,
    metadataflow: ArtefactRef,
    result: HarvestResult,
) -> None:
    """Pull the sets of one metadataflow (EVERY_METADATAFLOW: of all) from `base_url` and
    load them as Replace."""
    from sdmxnode.services.harvest.harvesting import api_major, remember_request
    from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata

    api = api_major(base_url)
    url = metadata_url(base_url, metadataflow, api)
    state = records.find_request(url)
    fetched = client.get(
        url,
        METADATA_ACCEPT[api],
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
    )
    name = (
        "every metadataflow"
        if metadataflow == EVERY_METADATAFLOW
        else f"{metadataflow.agency_id}:{metadataflow.id}({metadataflow.version or 'latest'})"
    )
    if fetched.status == 304:
        result.not_modified.append(url)
        result.metadata[name] = "not modified"
        return
    if fetched.status != 200:
        result.metadata[name] = "no metadata sets at the source"
        return
    if result.dry_run:
        result.metadata[name] = f"would load {_count_sets(fetched.body, url)} metadata sets"
        return
    retrieved = now_utc()
    try:
        loaded = load_metadata(
            node,
            fetched.body,
            MetadataLoadOptions(source=url, principal="harvest", action="Replace"),
        )
    except LoadRejected as exc:  # the structures and data harvested stay; asked again next time
        log.warning("%s", exc.text)
        result.metadata[name] = f"refused, nothing loaded: {exc.text}"
        result.refused.append(url)
        return
    counts = Counter(loaded.outcomes.values())
    outcome = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "no sets"
    result.metadata[name] = f"metadata sets: {outcome}"
    flows = (
        [metadataflow] if metadataflow != EVERY_METADATAFLOW else sorted(loaded.structures, key=str)
    )
    records.add_provenance(
        [
            Provenance(
                "metadata",
                flow,
                url,
                retrieved,
                fetched.etag,
                fetched.last_modified,
                flow.version,
                outcome,
            )
            for flow in flows
        ]
    )
    remember_request(records, url, fetched, retrieved)


def _count_sets(body: bytes, url: str) -> int:
    """How many sets a message holds (for a dry run): nothing is checked or stored."""
    from sdmxnode.formats.registry import find_metadata_reader

    try:
        message = open_message(body)
        reader = find_metadata_reader(message.kind)
        if reader is None:
            return 0
        with message.open() as stream:
            return sum(1 for _ in reader(stream, source=url))
    except SdmxNodeError as exc:
        log.warning("%s: %s", url, exc)
        return 0
