"""Harvesting structures, data and reference metadata from an SDMX-REST 1.5 or 2.x source.

Every request is conditional (If-None-Match / If-Modified-Since from what the source last
answered), so an unchanged source costs one 304 per request. Structures are compared with
the stored ones first (harvest_changes): conflicts are reported and not applied, the rest
land in one transaction. Data are pulled whole once, then with `updatedAfter`; the Replace
data sets of such an answer carry only changed observations, so they are applied as Append
(add or update), and its Delete data sets are applied as they are. Reference-metadata
sets come last, per metadataflow (`harvest.metadata`).
"""

from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from lxml import etree

from sdmxnode.errors import Invalid, SdmxNodeError
from sdmxnode.formats.sdmxml import parse_xml
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.changes import ChangeReport, compare_records
from sdmxnode.services.harvest.client import Fetched, HttpClient
from sdmxnode.services.harvest.metadata import (
    EVERY_METADATAFLOW,
    harvest_metadata,
    harvested_metadataflows,
)
from sdmxnode.services.structures.loading import read_structure_records
from sdmxnode.services.structures.queries import constraint_role
from sdmxnode.storage.harvest import HarvestStore, Provenance, RequestState, now_utc
from sdmxnode.storage.structures import PutResult

if TYPE_CHECKING:
    from sdmxnode.services.data.loading import LoadResult
    from sdmxnode.services.node import Node

log = logging.getLogger(__name__)

STRUCTURE_ACCEPT = {
    1: "application/vnd.sdmx.structure+xml;version=2.1",
    2: "application/vnd.sdmx.structure+xml;version=2.1, "
    "application/vnd.sdmx.structure+xml;version=3.0.0;q=0.9",
}
DATA_ACCEPT = {
    1: "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    2: "application/vnd.sdmx.data+xml;version=3.0.0, "
    "application/vnd.sdmx.structurespecificdata+xml;version=2.1;q=0.9",
}


@dataclass(frozen=True)
class StructureSelection:
    """Which structures to ask a source for; resource None asks for every type."""

    resource: str | None = None
    agency_id: str = "all"
    id: str = "all"
    version: str = "all"


@dataclass
class HarvestResult:
    """What one harvest asked, found and did (dry runs included)."""

    source: str
    dry_run: bool = False
    not_modified: list[str] = field(default_factory=list)
    changes: ChangeReport = field(default_factory=ChangeReport)
    stored: PutResult = field(default_factory=PutResult)
    data: dict[str, str] = field(default_factory=dict)  # dataflow -> what moved
    metadata: dict[str, str] = field(default_factory=dict)  # metadataflow -> what moved
    refused: list[str] = field(default_factory=list)  # answers not loaded: their errors

    def to_text(self) -> str:
        """The harvest's report as text: the source, the answers not modified, the changes."""
        lines = [f"source {self.source}" + (" (dry run: nothing written)" if self.dry_run else "")]
        lines.extend(f"not modified (304): {url}" for url in self.not_modified)
        if self.changes.changes:
            lines.append(self.changes.to_text())
        if not self.dry_run and (self.stored.created or self.stored.updated):
            lines.append(f"stored: {self.stored.created} created, {self.stored.updated} updated")
        lines.extend(f"data {flow}: {what}" for flow, what in self.data.items())
        lines.extend(f"metadata {flow}: {what}" for flow, what in self.metadata.items())
        return "\n".join(lines)


def api_major(base_url: str) -> int:
    """2 for a 2.x base URL (its path ends in /v2), else 1 (SDMX-REST 1.5)."""
    path = urllib.parse.urlsplit(base_url).path.rstrip("/")
    return 2 if path.endswith("/v2") else 1


def structure_url(base_url: str, selection: StructureSelection) -> str:
    """The structure query for `selection`, with every reference of what it selects."""
    base = base_url.rstrip("/")
    if api_major(base) == 2:
        version = "*" if selection.version == "all" else selection.version
        agency = "*" if selection.agency_id == "all" else selection.agency_id
        id_ = "*" if selection.id == "all" else selection.id
        path = f"{base}/structure/{selection.resource or '*'}/{agency}/{id_}/{version}"
    else:
        path = (
            f"{base}/{selection.resource or 'structure'}/{selection.agency_id}/"
            f"{selection.id}/{selection.version}"
        )
    return path if selection.resource is None else f"{path}?references=all"


def data_url(base_url: str, dataflow: ArtefactRef) -> str:
    """The query for every observation of `dataflow` (its latest version if none given)."""
    base = base_url.rstrip("/")
    if api_major(base) == 2:
        version = dataflow.version or "~"
        return f"{base}/data/dataflow/{dataflow.agency_id}/{dataflow.id}/{version}/*"
    version = dataflow.version or "latest"
    return f"{base}/data/{dataflow.agency_id},{dataflow.id},{version}/all"


class Harvester:
    """Harvests sources into one node, recording validators and provenance."""

    def __init__(self, node: Node, client: HttpClient | None = None) -> None:
        self.node = node
        self.client = client or HttpClient()
        self.records = node.harvest_records()

    def harvest(
        self,
        base_url: str,
        selections: list[StructureSelection],
        dataflows: list[ArtefactRef],
        *,
        dry_run: bool = False,
        metadataflows: list[ArtefactRef] | None = None,
    ) -> HarvestResult:
        """Structures first (data and metadata need them), then the data of each dataflow
        named, then the metadata sets of each metadataflow named; None: those of every
        metadataflow harvested from this source (none for a dry run that found them only),
        asked in one query when `selections` take every structure."""
        result = HarvestResult(base_url, dry_run)
        for selection in selections:
            self.harvest_structures(base_url, selection, result)
        for dataflow in dataflows:
            self.harvest_data(base_url, dataflow, result)
        if metadataflows is None:
            metadataflows = harvested_metadataflows(self.records, base_url)
            if metadataflows and StructureSelection() in selections:
                metadataflows = [EVERY_METADATAFLOW]
        for metadataflow in metadataflows:
            harvest_metadata(self.node, self.client, self.records, base_url, metadataflow, result)
        return result

    def harvest_structures(
        self, base_url: str, selection: StructureSelection, result: HarvestResult
    ) -> None:
        """Pull the structures `selection` names from `base_url` and apply what changed."""
        url = structure_url(base_url, selection)
        api = api_major(base_url)
        state = self.records.find_request(url)
        fetched = self.client.get(
            url,
            STRUCTURE_ACCEPT[api],
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
        if fetched.status == 304:
            result.not_modified.append(url)
            return
        if fetched.status != 200:
            log.info("%s: no structures", url)
            return
        records = read_structure_records(fetched.body, source=url, strict=False)
        # A source's Actual constraints state what its data hold; this node derives its own
        # from the data it holds (services.structures.actual), which a stored copy would
        # replace with the source's, no longer following this node's loads.
        records = [
            r
            for r in records
            if r.ref.type != "ContentConstraint" or constraint_role(r.xml) != "Actual"
        ]
        report = compare_records(self.node.store, records)
        result.changes.changes.extend(report.changes)
        if result.dry_run:
            return
        stored = self.node.store.put_artefacts(report.to_apply, decide=report.decisions)
        result.stored = PutResult(
            result.stored.created + stored.created,
            result.stored.updated + stored.updated,
            result.stored.unchanged + stored.unchanged,
        )
        retrieved = now_utc()
        self.records.add_provenance(
            [
                Provenance(
                    "structure",
                    change.record.ref,
                    url,
                    retrieved,
                    fetched.etag,
                    fetched.last_modified,
                    change.record.ref.version,
                    change.kind,
                )
                for change in report.changes
            ]
        )
        if report.conflicts:
            log.warning("%s: %d conflicts not applied", url, len(report.conflicts))
            return  # no validators kept: the next harvest asks again and reports them again
        remember_request(self.records, url, fetched, retrieved)

    def harvest_data(
        self,
        base_url: str,
        dataflow: ArtefactRef,
        result: HarvestResult,
        *,
        provider: str | None = None,
        state_key: str | None = None,
    ) -> LoadResult | None:
        """Pull a dataflow's data from `base_url` (whole once, then updatedAfter) and load it,
        reported by `provider` (AGENCY:ID; None: as `load_data` decides); validators are
        kept under `state_key` (default: the query). The load's result, None if nothing was
        loaded (not modified, no data, dry run)."""
        from sdmxnode.services.data.loading import LoadOptions, load_data

        query = data_url(base_url, dataflow)
        key = state_key or query
        state = self.records.find_request(key)
        url = query
        if state is not None:
            url = f"{query}?updatedAfter={urllib.parse.quote(_updated_after(state))}"
        etag = state.etag if state is not None and state.url == url else None
        fetched = self.client.get(
            url,
            DATA_ACCEPT[api_major(base_url)],
            etag=etag,
            last_modified=state.last_modified if state else None,
        )
        name = f"{dataflow.agency_id}:{dataflow.id}({dataflow.version or 'latest'})"
        if fetched.status == 304:
            result.not_modified.append(url)
            result.data[name] = "not modified"
            return None
        if fetched.status != 200:
            result.data[name] = "no data at the source"
            return None
        body = _as_append(fetched.body, url)
        if result.dry_run:
            result.data[name] = f"would load {_count_observations(body)} observation rows"
            return None
        retrieved = now_utc()
        loaded = load_data(
            self.node,
            body,
            LoadOptions(
                source=url,
                principal="harvest",
                kind="sdmx-ml",
                dataflow=dataflow,
                provider=provider,
            ),
        )
        outcome = (
            f"{loaded.observations_written} observations written, "
            f"{loaded.observations_deleted} deleted"
        )
        result.data[name] = outcome
        target = self.node.store.find_artefacts({"Dataflow"}, {dataflow.agency_id}, {dataflow.id})
        version = dataflow.version or (target[-1].ref.version if target else "")
        self.records.add_provenance(
            [
                Provenance(
                    "data",
                    replace(dataflow, version=version),
                    url,
                    retrieved,
                    fetched.etag,
                    fetched.last_modified,
                    version,
                    outcome,
                )
            ]
        )
        remember_request(self.records, key, fetched, retrieved)
        return loaded


def remember_request(
    records: HarvestStore, key: str, fetched: Fetched, retrieved: datetime
) -> None:
    """Keep the validators of a 200 answer, and when (by the source's clock) it was given:
    the `updatedAfter` of the next data pull."""
    answered = retrieved
    if fetched.date:
        try:
            answered = parsedate_to_datetime(fetched.date).astimezone(UTC)
        except (TypeError, ValueError):
            log.warning("%s: unreadable Date header %r", fetched.url, fetched.date)
    records.put_request(
        RequestState(key, fetched.url, fetched.etag, fetched.last_modified, answered)
    )


def _updated_after(state: RequestState) -> str:
    """When the source last answered 200, by its clock: changes after it are new to us.

    Whole seconds (HTTP dates): a load the source finished in that second before answering
    comes again, which is harmless (its rows are applied again).
    """
    return state.retrieved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_append(body: bytes, url: str) -> bytes:
    """An `updatedAfter` answer with its Replace data sets turned into Append ones.

    Such an answer holds only the observations changed since, while this node applies
    Replace by first removing every observation of each series named.
    """
    if b"Replace" not in body:
        return body
    try:
        tree = parse_xml(body, what=url)
    except Invalid:
        return body  # not SDMX-ML: load_data reports what is wrong with it
    changed = False
    for element in tree.getroot().iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "DataSet":
            for name, value in element.attrib.items():  # `action` or `ss:action`
                if etree.QName(name).localname == "action" and value == "Replace":
                    element.set(name, "Append")
                    changed = True
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8") if changed else body


def _count_observations(body: bytes) -> int:
    try:
        root = parse_xml(body).getroot()
    except SdmxNodeError:
        return 0
    return sum(
        1 for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "Obs"
    )
