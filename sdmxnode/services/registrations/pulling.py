"""Pulling registered data sources into the node, attributed to the registration's provider.

A queryable data source is an SDMX-REST endpoint (its base URL, e.g. `https://host/rest/v2`
or `https://host/rest`): the agreement's dataflow is pulled through the harvest machinery
(conditional requests, whole once then `updatedAfter`, one all-or-nothing load, provenance).
A simple data source is the URL of one data message, fetched conditionally and loaded whole.
Each pull's time, outcome, counts and error are kept with the registration.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sdmxnode.errors import NotFound, SdmxNodeError
from sdmxnode.formats.registrations.model import Pull, Registration, RegistrationStatus
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.harvesting import (
    DATA_ACCEPT,
    Harvester,
    HarvestResult,
    remember_request,
)
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.submission import find_agreement_artefact, registrations_of
from sdmxnode.storage.harvest import Provenance
from sdmxnode.storage.harvest import now_utc as aware_now
from sdmxnode.storage.times import now_utc

if TYPE_CHECKING:
    from sdmxnode.services.data.loading import LoadResult

log = logging.getLogger(__name__)

#: Accept of a simple data source: any data message the node reads.
SIMPLE_ACCEPT = f"{DATA_ACCEPT[2]}, application/vnd.sdmx.data+csv;q=0.8, */*;q=0.1"


def agreement_dataflow(node: Node, registration: Registration) -> ArtefactRef:
    """The dataflow of the registration's provision agreement."""
    artefact = find_agreement_artefact(node, registration.agreement_urn)
    model = node.model(artefact)
    usage = getattr(model, "structure_usage", None)
    if usage is None:
        raise NotFound(f"{artefact.ref.identity} names no dataflow", where="ProvisionAgreement")
    maintainer = getattr(getattr(usage, "maintainer", None), "id", "") or ""
    return ArtefactRef("Dataflow", str(maintainer), str(usage.id), str(usage.version or ""))


def is_valid_now(registration: Registration, now: datetime | None = None) -> bool:
    """Whether `now` (naive UTC) is within the registration's validFrom/validTo."""
    now = now or now_utc()
    if registration.valid_from is not None and now < registration.valid_from:
        return False
    return registration.valid_to is None or now <= registration.valid_to


def pull(node: Node, registration: Registration, client: HttpClient | None = None) -> Pull:
    """Pull one registration's source now and record the outcome (a failure is recorded,
    not raised: the registration stays, the next pull tries again)."""
    started = now_utc()
    try:
        dataflow = agreement_dataflow(node, registration)
        harvester = Harvester(node, client or HttpClient.from_settings(node.settings))
        state_key = f"registration:{registration.id}:{registration.source_url}"
        if registration.queryable:
            result = HarvestResult(registration.source_url)
            loaded = harvester.harvest_data(
                registration.source_url,
                dataflow,
                result,
                provider=registration.provider,
                state_key=state_key,
            )
        else:
            loaded = _pull_simple(harvester, registration, dataflow, state_key)
        if loaded is None:
            outcome = Pull(started, "not modified")
        else:
            outcome = Pull(started, "ok", loaded.observations_written, loaded.observations_deleted)
    except SdmxNodeError as exc:
        log.warning("registration %s: pull failed: %s", registration.id, exc.text)
        outcome = Pull(started, "failed", error=exc.text[:2000])
    registrations_of(node).record_pull(registration.id, outcome)
    return outcome


def _pull_simple(
    harvester: Harvester, registration: Registration, dataflow: ArtefactRef, key: str
) -> LoadResult | None:
    """Fetch a simple data source conditionally and load it whole (None: not modified)."""
    from sdmxnode.services.data.loading import LoadOptions, load_data

    records = harvester.records
    state = records.find_request(key)
    fetched = harvester.client.get(
        registration.source_url,
        SIMPLE_ACCEPT,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
    )
    if fetched.status != 200:
        return None
    retrieved = aware_now()
    loaded = load_data(
        harvester.node,
        fetched.body,
        LoadOptions(
            source=registration.source_url,
            principal="registration",
            dataflow=dataflow,
            provider=registration.provider,
        ),
    )
    records.add_provenance(
        [
            Provenance(
                "data",
                dataflow,
                registration.source_url,
                retrieved,
                fetched.etag,
                fetched.last_modified,
                dataflow.version,
                f"{loaded.observations_written} observations written",
            )
        ]
    )
    remember_request(records, key, fetched, retrieved)
    return loaded


def pull_all(
    node: Node, client: HttpClient | None = None, ids: list[str] | None = None
) -> dict[str, Pull]:
    """Pull every registration valid now (or those `ids` name), one after the other."""
    chosen = registrations_of(node).find(ids=ids)
    return {r.id: pull(node, r, client) for r in chosen if ids is not None or is_valid_now(r)}


def pull_registered(node: Node, status: RegistrationStatus) -> RegistrationStatus:
    """The status of a registration written, with the outcome of its first pull."""
    if "deleted" in status.message:
        return status
    if not is_valid_now(status.registration):
        return replace(status, message=f"{status.message}; not pulled: outside its validity")
    outcome = pull(node, status.registration)
    said = {
        "ok": f"pulled: {outcome.written} observations written, {outcome.deleted} deleted",
        "not modified": "pulled: the source has not changed",
    }.get(outcome.outcome, f"the pull failed (the next pull tries again): {outcome.error}")
    return replace(
        status,
        registration=replace(status.registration, last_pull=outcome),
        status="Success" if outcome.outcome != "failed" else "Warning",
        message=f"{status.message}; {said}",
    )
