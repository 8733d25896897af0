"""Data submitted over HTTP: the dataflow a write names, the load or deletion, its report.

`POST` applies the message's own actions, `PUT` replaces the dataflow's data with the
message's, `DELETE` applies a message as the SDMX Delete action or deletes the
observations a key (and period range) selects. Loads go through `load_data`: the same
validation and one transaction as `sdmxnode load`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sdmxnode.errors import BadRequest, Invalid, NotFound, UnsupportedMediaType
from sdmxnode.formats.input import DEFAULT_MAX_BYTES, OpenedMessage, open_message
from sdmxnode.formats.reports.registry_interface import artefact_urn
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.data import DataQuery
from sdmxnode.rest.flows import FlowSelection
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.data.queries import find_dataflows, plan_data_query
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import find_agreement
from sdmxnode.storage.data.reads import select_observation_keys
from sdmxnode.storage.data.writes import LoadCounts
from sdmxnode.storage.records import StoredArtefact
from sdmxnode.validation.periods import period_bounds
from sdmxnode.validation.report import Report

log = logging.getLogger(__name__)

#: What each HTTP method does with a message: the action forced on it (None: the
#: message's own) and whether the dataflow's other observations are deleted.
METHOD_ACTIONS: dict[str, tuple[str | None, bool]] = {
    "POST": (None, False),
    "PUT": ("Merge", True),
    "DELETE": ("Delete", False),
}
#: Media types read as "sniff the content" (compressed or generic uploads, and what
#: curl sends by default with --data-binary).
_SNIFFED_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/x-zip-compressed",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/vnd.ms-excel",  # how Windows browsers label a .csv file (form uploads)
    }
)
_KIND_NAMES = {"sdmx-ml": "SDMX-ML", "sdmx-json": "SDMX-JSON", "sdmx-csv": "SDMX-CSV"}


@dataclass
class Submission:
    """What one write did to one dataflow."""

    dataflow: str  # 'AGENCY:ID(VERSION)'
    urn: str
    method: str  # POST | PUT | DELETE
    action: str | None  # the SDMX action applied ('Append', 'Replace', ...); None: unknown
    report: Report
    counts: LoadCounts = field(default_factory=LoadCounts)
    load: int | None = None  # the load record written (None: nothing was changed)
    #: Whether the dataflow held no data before this write and holds some now.
    created: bool = False
    #: How the message was converted into the dataflow's structure (StructureMap and source
    #: structure), None when it came in it.
    conversion: str | None = None

    def counts_json(self) -> dict[str, int]:
        """The load's counts as a JSON object (series and observations written, deleted)."""
        return asdict(self.counts)

    def to_json(self) -> dict[str, Any]:
        """The JSON answer to a submission: dataflow, action, whether stored, counts, findings."""
        report = self.report.to_json()
        return {
            "dataflow": self.dataflow,
            "method": self.method,
            "action": self.action,
            "stored": self.report.is_valid,
            "load": self.load,
            "counts": self.counts_json(),
            "conversion": self.conversion,
            "errors": report["errors"],
            "warnings": report["warnings"],
            "findings_not_listed": report["findings_not_listed"],
            "findings_suppressed": report["findings_suppressed"],
            "findings": report["findings"],
        }


def dataflow_name(dataflow: StoredArtefact) -> str:
    """AGENCY:ID(VERSION) of a dataflow, as reports name it."""
    return dataflow.ref.identity


def find_write_dataflow(node: Node, selection: FlowSelection) -> StoredArtefact:
    """The one stored dataflow a write URL names; NotFound, or BadRequest when the URL's
    wildcards match several."""
    flows = find_dataflows(node, selection.agencies, selection.ids, selection.versions)
    if not flows:
        agency = ",".join(selection.agencies or ("*",))
        ids = ",".join(selection.ids or ("*",))
        raise NotFound(f"no dataflow {agency}:{ids} to write data to", where="dataflow")
    if len(flows) > 1:
        names = ", ".join(dataflow_name(f) for f in flows)
        raise BadRequest(
            f"a write names one dataflow, but this URL matches several ({names}): give its "
            "agency, id and version",
            where="dataflow",
        )
    return flows[0]


def declared_kind(media_type: str | None) -> str | None:
    """The data kind a request's Content-Type declares; None to sniff the content.

    UnsupportedMediaType for a media type that is no SDMX data format.
    """
    media = (media_type or "").split(";", 1)[0].strip().lower()
    if media in _SNIFFED_TYPES:
        return None
    for marker, kind in (("xml", "sdmx-ml"), ("json", "sdmx-json"), ("csv", "sdmx-csv")):
        if marker in media:
            return kind
    raise UnsupportedMediaType(
        f"a data message is SDMX-ML (application/xml), SDMX-JSON (application/json) or "
        f"SDMX-CSV (text/csv), possibly gzip or zip compressed; not {media}",
        where="Content-Type",
    )


def open_submitted(data: bytes | Path, declared: str | None, *, max_bytes: int) -> OpenedMessage:
    """The message opened once: its kind, sniffed from its first bytes, must agree with the
    kind its Content-Type declares (UnsupportedMediaType otherwise)."""
    message = open_message(data, max_bytes=max_bytes)
    if declared is not None and declared != message.kind:
        raise UnsupportedMediaType(
            f"the Content-Type says {_KIND_NAMES[declared]}, but the body is "
            f"{_KIND_NAMES[message.kind]}",
            where="Content-Type",
        )
    return message


def submit_message(
    node: Node,
    dataflow: StoredArtefact,
    data: bytes | Path,
    *,
    method: str,
    kind: str | None = None,
    principal: str = "",
    source: str = "HTTP",
    max_bytes: int = DEFAULT_MAX_BYTES,
    provider: str | None = None,
    structure_map: ArtefactRef | None = None,
) -> Submission:
    """Load a message into `dataflow` as `method` (POST, PUT or DELETE) says, reported by
    the data provider `provider` (see `LoadOptions.provider`), converted through the
    StructureMap `structure_map` names (or, when the message is of another structure, the
    one map the node holds from it onto `dataflow`).

    Raises LoadRejected (nothing stored) for a message with errors, among them one that
    names another dataflow than `dataflow`.
    """
    action, replace = METHOD_ACTIONS[method]
    if provider is not None:  # refused before the message is read, even an empty one
        find_agreement(node, dataflow, provider)
    message = open_submitted(data, kind, max_bytes=max_bytes)
    had_data = node.data.has_data(dataflow.pk)  # its layout outlives a deletion of all data
    ref = dataflow.ref
    result = load_data(
        node,
        message,
        LoadOptions(
            source=source,
            principal=principal,
            kind=message.kind,
            dataflow=ref,
            max_bytes=max_bytes,
            action=action,
            replace=replace,
            provider=provider,
            structure_map=structure_map,
        ),
    )
    name = dataflow_name(dataflow)
    counts = result.counts.get(name, LoadCounts())
    applied = "Replace" if replace else action or "+".join(sorted(set(result.actions))) or "Append"
    return Submission(
        dataflow=name,
        urn=artefact_urn(dataflow.ref),
        method=method,
        action=applied,
        report=result.report,
        counts=counts,
        load=result.loads.get(name),
        created=not had_data and counts.observations_written > 0,
        conversion=result.conversions.get(name),
    )


def delete_selected(
    node: Node,
    dataflow: StoredArtefact,
    query: DataQuery,
    *,
    principal: str = "",
    source: str = "HTTP DELETE",
    provider: str | None = None,
) -> Submission:
    """Delete the observations of `dataflow` that the query's key and period range select,
    in one transaction recorded as a Delete load (so `updatedAfter` reports them). A
    `provider` deletes through its provision agreement (Forbidden without one)."""
    name = dataflow_name(dataflow)
    agreement = find_agreement(node, dataflow, provider) if provider is not None else None
    submission = Submission(name, artefact_urn(dataflow.ref), "DELETE", "Delete", Report())
    layout = node.data.find_layout(dataflow.pk)
    if layout is None:
        return submission  # no data: nothing to delete
    plan = plan_data_query(node, dataflow, query)
    if plan.row_filter is not None:
        raise BadRequest(
            "a deletion selects observations by key and period only: filters on attributes "
            "or measures are not accepted",
            where="c",
        )
    keys = select_observation_keys(dataflow.pk, plan.selection, provider=provider)
    with node.data.reading() as reader:
        if not reader.count_up_to(keys, 1):
            return submission  # nothing matches: no load is recorded
    with node.data.transaction(period_bounds, principal=principal, source=source) as tx:
        writer = tx.writer(
            dataflow.pk,
            layout,
            "Delete",
            depends=agreement.sources if agreement else (),
            provider=agreement.provider if agreement else "",
        )
        writer.delete_observations(keys)
        submission.counts = tx.finish()[dataflow.pk]
        submission.load = writer.load_pk
    log.info("%s: %d observations deleted", name, submission.counts.observations_deleted)
    return submission


def require_message(data: bytes | Path | None) -> bytes | Path:
    """The message of a request; BadRequest when the body is empty."""
    if data is None or (isinstance(data, bytes) and not data):
        raise BadRequest(
            "send the data message as the request body (or as the form field 'file')",
            where="body",
        )
    return data


def check_gzip(data: bytes | Path) -> None:
    """Invalid when a body declared `Content-Encoding: gzip` is not gzip."""
    if isinstance(data, Path):
        with data.open("rb") as file:
            head = file.read(2)
    else:
        head = data[:2]
    if head != b"\x1f\x8b":
        raise Invalid("the body is declared gzip (Content-Encoding) but is not", where="body")
