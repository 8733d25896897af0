"""Provision agreements as the node enforces them.

A data provider is named `AGENCY:ID` (a DataProvider of the AGENCY:DATA_PROVIDERS(1.0)
scheme). A provision agreement (provider x dataflow) lets its provider report the dataflow;
the Allowed content constraints attached to the agreement restrict the keys it may report,
on top of the dataflow's own constraints (which every load checks). Every load is recorded
with a provider: the one a provider token acts for, the one an admin names, or by default
the provider of the dataflow's only agreement ('' when the dataflow has none or several).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lxml import etree

from sdmxnode.errors import Forbidden, NoResults
from sdmxnode.formats.rows import DataSetProvider
from sdmxnode.formats.sdmxml.elements import iter_item_references
from sdmxnode.rest.flows import provider_parts
from sdmxnode.rest.queries import DataSelectionQuery
from sdmxnode.services.node import Node
from sdmxnode.services.structures.queries import follow_references, select_versions
from sdmxnode.storage.records import StoredArtefact

#: The provider of data loaded with no provider and no single agreement to default to.
UNATTRIBUTED = ""


@dataclass(frozen=True)
class Agreement:
    """A stored provision agreement: its provider, and the key values it allows."""

    artefact: StoredArtefact
    provider: str  # 'AGENCY:ID'
    #: Allowed values per dimension from the agreement's own constraints (none: no limit).
    allowed: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The agreement and its constraints as (pk, digest): a load depends on them.
    sources: tuple[tuple[int, str], ...] = ()

    @property
    def name(self) -> str:
        """AGENCY:ID(VERSION) of the agreement."""
        return self.artefact.ref.identity


def provider_of(model: object) -> str:
    """'AGENCY:ID' of the data provider of an sdmx1 ProvisionAgreement ('' if it names none)."""
    provider = getattr(model, "data_provider", None)
    if provider is None:
        return UNATTRIBUTED
    scheme = getattr(provider, "parent", None)
    maintainer = getattr(getattr(scheme, "maintainer", None), "id", None)
    return f"{maintainer}:{provider.id}" if maintainer else str(provider.id)


def provider_in(element: bytes, sdmx_ml: str) -> str | None:
    """'AGENCY:ID' of the data provider a stored ProvisionAgreement element references (a
    `Ref` or URN of a DataProviderScheme item), as `provider_of` reads it from the model;
    None when the element names it otherwise. Read from the element so that a load needs
    no information model."""
    root = etree.fromstring(element)
    for node in root.iter("{*}DataProvider"):
        for scheme, item in iter_item_references(node, sdmx_ml):
            if scheme.type == "DataProviderScheme":
                return f"{scheme.agency_id}:{item}"
    return None


def agreements_of(node: Node, dataflow: StoredArtefact) -> list[Agreement]:
    """The provision agreements stored for a dataflow, each with its provider."""
    found = []
    for artefact in follow_references(node.store, [dataflow], ["parents"]):
        if artefact.ref.type != "ProvisionAgreement":
            continue
        provider = provider_in(node.store.read_one_xml(artefact), artefact.sdmx_ml)
        if provider is None:
            provider = provider_of(node.model(artefact))
        constraints = [
            a
            for a in follow_references(node.store, [artefact], ["parents"])
            if a.ref.type == "ContentConstraint"
        ]
        found.append(
            Agreement(
                artefact,
                provider,
                allowed_values(node.store.read_one_xml(c) for c in constraints),
                ((artefact.pk, artefact.digest), *((c.pk, c.digest) for c in constraints)),
            )
        )
    return sorted(found, key=lambda a: (a.provider, a.name))


def allowed_values(constraints: Iterable[bytes]) -> dict[str, frozenset[str]]:
    """Allowed values per dimension in the included cube regions of Allowed content
    constraints (SDMX-ML 2.1 or 3.0 elements), as one set per dimension: a value allowed by
    any of them is allowed. Read here rather than by sdmx1, which drops the regions of
    constraints attached to provision agreements."""
    allowed: dict[str, frozenset[str]] = {}
    for text in constraints:
        root = etree.fromstring(text)
        if (root.get("type") or root.get("role") or "Allowed") != "Allowed":
            continue
        for region in root.iter("{*}CubeRegion"):
            if region.get("include", "true") != "true":
                continue
            for key_value in region.iter("{*}KeyValue"):
                if key_value.get("include", "true") != "true":
                    continue
                values = frozenset(v.text or "" for v in key_value.iter("{*}Value"))
                component = key_value.get("id", "")
                allowed[component] = allowed.get(component, frozenset()) | values
    return allowed


def find_agreement(node: Node, dataflow: StoredArtefact, provider: str) -> Agreement:
    """The agreement through which `provider` reports `dataflow`; Forbidden (403) naming
    the missing agreement when there is none."""
    for agreement in agreements_of(node, dataflow):
        if agreement.provider == provider:
            return agreement
    raise Forbidden(
        f"the data provider {provider} has no provision agreement for the dataflow "
        f"{dataflow.ref.identity}: nothing was stored",
        where="ProvisionAgreement",
    )


def load_agreement(node: Node, dataflow: StoredArtefact, provider: str | None) -> Agreement | None:
    """The agreement a load into `dataflow` goes through: `provider`'s (Forbidden if it has
    none), or for no provider the dataflow's only provider's; None: the load is unattributed
    (the dataflow has no agreement, or several providers to choose from)."""
    if provider is not None:
        return find_agreement(node, dataflow, provider)
    found = agreements_of(node, dataflow)
    return found[0] if len({a.provider for a in found}) == 1 else None


def guard_keys(
    rows: Iterator[tuple], columns: Sequence[str], agreement: Agreement
) -> Iterator[tuple]:
    """The rows, unchanged; Forbidden (403) at the first row whose key has a dimension value
    the agreement's constraints do not allow (the load's transaction then stores nothing).
    An agreement without constraints gives the rows back as they are: no step per row."""
    checks = [
        (columns.index(component), component, values)
        for component, values in sorted(agreement.allowed.items())
        if component in columns
    ]
    return _guarded(rows, checks, agreement) if checks else rows


def _guarded(
    rows: Iterator[tuple],
    checks: list[tuple[int, str, frozenset[str]]],
    agreement: Agreement,
) -> Iterator[tuple]:
    last: tuple | None = None
    for row in rows:
        key = tuple(row[i] for i, _, _ in checks)
        if key != last:  # rows come series by series: a key is checked once per run
            for (_, component, values), value in zip(checks, key, strict=True):
                if value is not None and value not in values:
                    raise Forbidden(
                        f"{component}={value} is outside what the provision agreement "
                        f"{agreement.name} allows its provider {agreement.provider} to "
                        "report: nothing was stored",
                        where=component,
                    )
            last = key
        yield row


def selected_providers(
    node: Node, dataflow: StoredArtefact, query: DataSelectionQuery
) -> tuple[str, ...] | None:
    """The data providers ('AGENCY:ID') whose data a query of `dataflow` wants; None: all.

    A 2.x `provisionagreement` context wants the providers of the agreements it names; a
    1.5 providerRef names providers as `ID` (of any agency) or `AGENCY,ID`, matched against
    the providers of the dataflow's agreements: NoResults when none matches."""
    if query.context == "provisionagreement":
        named = node.store.find_artefacts({"ProvisionAgreement"}, query.agencies, query.ids)
        chosen = select_versions(named, query.versions)
        models = (node.model(a) for a in chosen)
        return tuple(sorted({provider_of(m) for m in models}))
    if not query.providers:
        return None
    known = {a.provider for a in agreements_of(node, dataflow)}
    wanted = set()
    for reference in query.providers:
        agency, provider_id = provider_parts(reference)
        wanted |= {
            p
            for p in known
            if p.partition(":")[2] == provider_id and agency in (None, p.partition(":")[0])
        }
    if not wanted:
        asked = "+".join(query.providers)
        raise NoResults(
            f"no data provider {asked} has a provision agreement for {dataflow.ref.identity}",
            where="providerRef",
        )
    return tuple(sorted(wanted))


def data_set_provider(provider: str, agreements: Sequence[Agreement]) -> DataSetProvider | None:
    """How writers name a data set of `provider` ('AGENCY:ID'), with the agreement it
    reports through when the dataflow has one; None for unattributed data."""
    if provider == UNATTRIBUTED:
        return None
    agency, _, provider_id = provider.partition(":")
    agreement = next((a.artefact.ref for a in agreements if a.provider == provider), None)
    return DataSetProvider(agency, provider_id, agreement)
