"""The providers page: who provides which dataflow, through which provision agreement, what
they hold there and since when, and the data sources they registered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sdmxnode.formats.registrations.model import Registration
from sdmxnode.formats.sdmxml.registry.registrations import agreement_urn
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import UNATTRIBUTED, provider_of
from sdmxnode.services.registrations.queries import list_registrations


@dataclass(frozen=True)
class ProviderRow:
    """One provider's part in one dataflow (through an agreement, or data without one)."""

    provider: str  # 'AGENCY:ID', '' unattributed
    provider_name: str
    dataflow: ArtefactRef | None
    dataflow_name: str
    agreement: ArtefactRef | None
    series: int = 0
    observations: int = 0
    last_load: datetime | None = None  # naive UTC
    registrations: list[Registration] = field(default_factory=list)


def provider_names(node: Node) -> dict[str, str]:
    """'AGENCY:ID' -> the provider's name, from the data provider schemes the node holds."""
    names: dict[str, str] = {}
    for scheme in node.store.find_artefacts({"DataProviderScheme"}):
        model = node.model(scheme)
        for item in getattr(model, "items", {}).values():
            names[f"{scheme.ref.agency_id}:{item.id}"] = str(item.name) or item.id
    return names


def providers_overview(node: Node, dataflow: ArtefactRef | None = None) -> list[ProviderRow]:
    """Every provision agreement with what its provider holds in its dataflow, then the
    data held without an agreement; by provider, then dataflow (of one dataflow if given)."""
    names = provider_names(node)
    store = node.store
    dataflows = {a.pk: a for a in store.find_artefacts({"Dataflow"})}
    only = next((pk for pk, a in dataflows.items() if a.ref == dataflow), -1) if dataflow else None
    holdings = {(h.dataflow_pk, h.provider): h for h in node.data.provider_holdings(only)}
    flow_pks = {a.ref: pk for pk, a in dataflows.items()}
    registered: dict[str, list[Registration]] = defaultdict(list)
    for registration in list_registrations(node):
        registered[registration.agreement_urn].append(registration)
    agreements = store.find_artefacts({"ProvisionAgreement"})
    targets = store.list_references_from([a.pk for a in agreements])
    rows: list[ProviderRow] = []
    covered: set[tuple[int, str]] = set()
    for agreement in agreements:
        if dataflow is not None and dataflow not in targets[agreement.pk]:
            continue
        provider = provider_of(node.model(agreement))
        flow = next(
            (t for t in sorted(targets[agreement.pk], key=str) if t.type == "Dataflow"), None
        )
        flow_pk = flow_pks.get(flow) if flow is not None else None
        held = holdings.get((flow_pk, provider)) if flow_pk is not None else None
        if flow_pk is not None:
            covered.add((flow_pk, provider))
        ref = agreement.ref
        rows.append(
            ProviderRow(
                provider,
                names.get(provider, provider),
                flow,
                dataflows[flow_pk].name if flow_pk is not None else "",
                ref,
                held.series if held else 0,
                held.observations if held else 0,
                held.last_load if held else None,
                registered.get(agreement_urn(ref.agency_id, ref.id, ref.version), []),
            )
        )
    for (flow_pk, provider), held in holdings.items():
        if (flow_pk, provider) in covered or flow_pk not in dataflows or not held.observations:
            continue
        rows.append(
            ProviderRow(
                provider,
                names.get(provider, provider) if provider != UNATTRIBUTED else "",
                dataflows[flow_pk].ref,
                dataflows[flow_pk].name,
                None,
                held.series,
                held.observations,
                held.last_load,
            )
        )
    return sorted(
        rows,
        key=lambda r: (r.provider == UNATTRIBUTED, r.provider, str(r.dataflow), str(r.agreement)),
    )


def dataflow_providers(node: Node, dataflow: ArtefactRef) -> list[ProviderRow]:
    """The providers page's rows of one dataflow (the dataflow page's providers)."""
    return [row for row in providers_overview(node, dataflow) if row.dataflow == dataflow]
