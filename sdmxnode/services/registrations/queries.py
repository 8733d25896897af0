"""Registration queries: which stored registrations a `RegistrationQuery` selects."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache

from sdmxnode.errors import NoResults, SdmxNodeError
from sdmxnode.formats.registrations.model import Registration
from sdmxnode.formats.sdmxml.registry.registrations import agreement_parts
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.registration import RegistrationQuery
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.pulling import agreement_dataflow
from sdmxnode.services.registrations.submission import registrations_of


def find_registrations(node: Node, query: RegistrationQuery) -> list[Registration]:
    """The registrations the query selects, by id; NoResults when there are none."""
    store = registrations_of(node)
    if query.form == "id":
        found = store.find(ids=query.ids)
    else:
        found = store.find(updated_after=query.updated_after, updated_before=query.updated_before)
        if query.form == "provider":
            found = [r for r in found if _provider_matches(query, r.provider)]
        else:
            found = _in_context(node, query, found)
    if not found:
        raise NoResults("no registration matches the query", where="registration")
    return found


def _provider_matches(query: RegistrationQuery, provider: str) -> bool:
    agency, _, provider_id = provider.partition(":")
    return (query.agencies is None or agency in query.agencies) and (
        query.resources is None or provider_id in query.resources
    )


def _matches(query: RegistrationQuery, ref: ArtefactRef) -> bool:
    if query.agencies is not None and ref.agency_id not in query.agencies:
        return False
    if query.resources is not None and ref.id not in query.resources:
        return False
    return query.versions is None or bool(query.versions.select([(ref.version, True)]))


def _in_context(
    node: Node, query: RegistrationQuery, found: list[Registration]
) -> list[Registration]:
    """The registrations whose agreement, dataflow or data structure (by the contexts
    asked for) the query's agencies, ids and versions name."""

    @cache
    def targets(registration: Registration) -> dict[str, ArtefactRef]:
        agency, id_, version = agreement_parts(registration.agreement_urn)
        named = {"provisionagreement": ArtefactRef("ProvisionAgreement", agency, id_, version)}
        try:
            dataflow = agreement_dataflow(node, registration)
        except SdmxNodeError:
            return named  # the agreement is gone: only its own identity is known
        named["dataflow"] = dataflow
        stored = [
            a
            for a in node.store.find_artefacts({"Dataflow"}, {dataflow.agency_id}, {dataflow.id})
            if a.ref.version == dataflow.version
        ]
        if stored:
            model = node.model(stored[0])
            structure = getattr(model, "structure", None)
            if structure is not None:
                maintainer = getattr(getattr(structure, "maintainer", None), "id", "") or ""
                named["datastructure"] = ArtefactRef(
                    "DataStructure", str(maintainer), str(structure.id), str(structure.version)
                )
        return named

    return [
        r
        for r in found
        if any(
            context in targets(r) and _matches(query, targets(r)[context])
            for context in query.contexts
        )
    ]


def list_registrations(node: Node) -> list[Registration]:
    """Every registration, by id (the page and the CLI list them all)."""
    return registrations_of(node).find()


def registrations_etag(found: list[Registration], format_name: str) -> tuple[str, datetime]:
    """The ETag and Last-Modified of an answer listing `found` in a format: they change
    when a registration is written or pulled."""
    last = max((r.updated or datetime(2000, 1, 1)) for r in found)
    pulled = max((r.last_pull.at for r in found if r.last_pull), default=last)
    last_modified = max(last, pulled)
    etag = hashlib.sha256(
        b"|".join(
            (
                ",".join(r.id for r in found).encode(),
                last_modified.isoformat().encode(),
                format_name.encode(),
            )
        )
    ).hexdigest()[:32]
    return etag, last_modified
