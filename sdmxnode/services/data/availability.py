"""Data availability: an Actual content constraint of the codes that have data.

SDMX-REST 1.5 `availableconstraint` (4_6_1_other_queries.md) and 2.x `availability.md`:
a cube region with the values present for each dimension (mode `exact`: those the data
query returns; `available`: those that could be added to it and still return data), the
time range covered, and the series and observation counts as `sdmx_metrics` annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sdmx.model import common, v21

from sdmxnode.errors import BadRequest, NoResults
from sdmxnode.rest.availability import AvailabilityQuery, parse_availability_query_v1
from sdmxnode.rest.data import as_data_query
from sdmxnode.services.data.queries import DataPlan, find_query_dataflow, plan_data_query
from sdmxnode.services.node import Node
from sdmxnode.services.structures.models import filter_items
from sdmxnode.services.structures.queries import follow_references
from sdmxnode.storage.data.reads import DataSelection
from sdmxnode.storage.records import StoredArtefact


@dataclass(frozen=True)
class Availability:
    """What has data: values per dimension, time span and counts."""

    dataflow: StoredArtefact
    values: dict[str, list[str]]
    time_start: str | None
    time_end: str | None
    series_count: int
    observation_count: int
    last_modified: datetime
    version: str = ""  # as DataPlan.version: changes with every load
    #: The data providers ('AGENCY:ID') of the matching data, when references ask for them.
    providers: tuple[str, ...] = ()


def find_availability(node: Node, query: AvailabilityQuery) -> Availability:
    """The values with data for the query's dataflow, key and time range."""
    dataflow = find_query_dataflow(node, query)
    plan = plan_data_query(node, dataflow, as_data_query(query))
    dimensions = [d.id for d in plan.structure.dimensions]
    wanted = list(query.component_ids or dimensions)
    time_id = plan.structure.time_dimension.id if plan.structure.time_dimension else None
    unknown = [c for c in wanted if c not in dimensions and c != time_id]
    if unknown:
        raise BadRequest(
            f"{', '.join(unknown)} is not a dimension of {plan.structure.dsd}",
            where="componentID",
        )
    references_providers = "DataProviderScheme" in query.references
    key = (
        "availability",
        dataflow.pk,
        plan.version,
        repr(plan.selection),
        query.mode,
        tuple(wanted),
        references_providers,
    )
    # Kept per version of the data (`plan.version` names its last load): the whole
    # flow's availability walks every observation, which data explorers ask for on
    # every visit.
    values, series_count, observation_count, start, end, providers = node.cache.derived(
        key, lambda: _read_availability(node, plan, query, wanted, references_providers)
    )
    return Availability(
        dataflow,
        {dimension: list(codes) for dimension, codes in values.items()},  # the caller's own
        start if time_id in wanted or not query.component_ids else None,
        end if time_id in wanted or not query.component_ids else None,
        series_count,
        observation_count,
        plan.last_modified,
        plan.version,
        providers,
    )


def _read_availability(
    node: Node,
    plan: DataPlan,
    query: AvailabilityQuery,
    wanted: list[str],
    references_providers: bool,
) -> tuple[dict[str, list[str]], int, int, str | None, str | None, tuple[str, ...]]:
    """What `find_availability` reads from the store: the values of each wanted
    dimension, the counts, the time range and the providers (NoResults: no data)."""
    dataflow_pk = plan.dataflow.pk
    dimensions = [d.id for d in plan.structure.dimensions]
    with node.data.reading() as reader:
        series_count, observation_count, start, end = reader.summarise(dataflow_pk, plan.selection)
        if not observation_count:
            raise NoResults("no data matches the query", where="key")
        values: dict[str, list[str]] = {}
        for position, dimension in enumerate(dimensions):
            if dimension not in wanted:
                continue
            selection = plan.selection
            if query.mode == "available" and selection.keys is not None:
                selection = _without_position(selection, position)
            values[dimension] = reader.distinct_values(dataflow_pk, selection, position)
        providers = (
            tuple(p for p in reader.providers(dataflow_pk, plan.selection) if p)
            if references_providers
            else ()
        )
    return values, series_count, observation_count, start, end, providers


def _without_position(selection: DataSelection, position: int) -> DataSelection:
    keys = [key[:position] + (None,) + key[position + 1 :] for key in selection.keys or []]
    return replace(selection, keys=keys)


def availability_objects(
    node: Node, availability: Availability, references: Sequence[str]
) -> list[common.MaintainableArtefact]:
    """The Actual constraint and, per `references`, the artefacts it refers to (code lists
    holding only the codes with data plus their parents, provider schemes only the providers
    with data, marked partial)."""
    dataflow_artefact = availability.dataflow
    xml = node.store.read_xml([dataflow_artefact.pk])
    dataflow = node.cache.get(dataflow_artefact, xml[dataflow_artefact.pk])
    related = follow_references(node.store, [dataflow_artefact], ["descendants"])
    dsd_artefact = next(a for a in related if a.ref.type == "DataStructure")
    dsd: Any = node.model(dsd_artefact)
    constraint = _constraint(
        dataflow,
        dsd,
        availability,
        f"CC_AVAILABILITY_{dataflow.id}",
        f"Data available for {dataflow.id}",
    )
    objects: list[common.MaintainableArtefact] = [constraint]
    wanted = set(references)
    if "Dataflow" in wanted:
        objects.append(dataflow)
    if "DataStructure" in wanted:
        objects.append(dsd)
    if "Codelist" in wanted or "ConceptScheme" in wanted:
        objects.extend(_partial_schemes(node, dsd, related, availability, wanted))
    if "DataProviderScheme" in wanted:
        objects.extend(_provider_schemes(node, availability.providers))
    return objects


def _provider_schemes(node: Node, providers: Sequence[str]) -> list[common.MaintainableArtefact]:
    """The data provider schemes of the providers with matching data ('AGENCY:ID'), each
    holding only those providers (partial). A provider whose scheme the node does not hold
    is left out: it is named in the data sets' headers all the same."""
    wanted: dict[str, set[str]] = {}
    for provider in providers:
        agency, _, provider_id = provider.rpartition(":")
        wanted.setdefault(agency, set()).add(provider_id)
    stored = node.store.find_by_identity(
        {("DataProviderScheme", agency, "DATA_PROVIDERS") for agency in wanted}
    )
    schemes: list[common.MaintainableArtefact] = []
    xml = node.store.read_xml([a.pk for a in stored])
    for artefact in sorted(stored, key=lambda a: a.ref.agency_id):
        scheme = node.cache.get(artefact, xml[artefact.pk])
        if not isinstance(scheme, common.ItemScheme):
            continue
        narrowed = filter_items(scheme, sorted(wanted[artefact.ref.agency_id]))
        if narrowed is not None:
            schemes.append(narrowed)
    return schemes


def _constraint(
    dataflow: Any,
    dsd: Any,
    availability: Availability,
    id: str,
    name: str,
    time_in_region: bool = True,
) -> v21.ContentConstraint:
    region = common.CubeRegion(included=True)
    for dimension in dsd.dimensions.components:
        values = availability.values.get(dimension.id)
        if values is None or isinstance(dimension, common.TimeDimension):
            continue
        region.member[dimension] = v21.MemberSelection(
            values_for=dimension, values=[v21.MemberValue(value=v) for v in values]
        )
    time = next((d for d in dsd.dimensions.components if isinstance(d, common.TimeDimension)), None)
    if time is not None and availability.time_start and availability.time_end and time_in_region:
        region.member[time] = v21.MemberSelection(
            values_for=time,
            values=[
                v21.RangePeriod(
                    start=common.StartPeriod(True, _moment(availability.time_start)),
                    end=common.EndPeriod(True, _moment(availability.time_end)),
                )
            ],
        )
    metrics = [
        common.Annotation(id=name, type="sdmx_metrics", title=str(count))
        for name, count in (
            ("series_count", availability.series_count),
            ("obs_count", availability.observation_count),
        )
    ]
    if not time_in_region and availability.time_start and availability.time_end:
        metrics.extend(
            common.Annotation(id=name, type="time_coverage", title=moment)
            for name, moment in (
                ("time_period_start", availability.time_start),
                ("time_period_end", availability.time_end),
            )
        )
    return v21.ContentConstraint(
        id=id,
        maintainer=dataflow.maintainer,
        version=dataflow.version,
        name={"en": name},
        is_final=False,
        role=common.ConstraintRole(role=common.ConstraintRoleType.actual),
        content={dataflow},
        data_content_region=[region],
        annotations=metrics,
    )


#: The id prefix of a dataflow's standing Actual constraint (`CR_A_` + the dataflow's id),
#: as the .Stat Suite names the actual content constraints it keeps per dataflow.
ACTUAL_CONSTRAINT_PREFIX = "CR_A_"


def actual_constraint(node: Node, dataflow: StoredArtefact) -> v21.ContentConstraint | None:
    """What `dataflow` holds now, as its standing Actual content constraint: the cube region
    of the codes with data per dimension, the time range, and the series and observation
    counts (None when it holds no observation)."""
    ref = dataflow.ref
    query = parse_availability_query_v1(
        f"{ref.agency_id},{ref.id},{ref.version}", None, None, None, {}
    )
    try:
        availability = find_availability(node, query)
    except NoResults:
        return None
    model = node.model(dataflow)
    related = follow_references(node.store, [dataflow], ["children"])
    dsd_artefact = next(a for a in related if a.ref.type == "DataStructure")
    dsd: Any = node.model(dsd_artefact)
    return _constraint(
        model,
        dsd,
        availability,
        f"{ACTUAL_CONSTRAINT_PREFIX}{ref.id}",
        f"Data held for {ref.id}",
        # Its time span goes in annotations, not in a TimeRange of the cube region: pandasdmx
        # 1.10 reads no TimeRange there (README "Actual constraints"), and asks for a
        # dataflow with references=all, which brings this constraint along.
        time_in_region=False,
    )


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text if "T" in text else f"{text}T00:00:00")
    return moment.replace(tzinfo=moment.tzinfo or UTC)


def _partial_schemes(node, dsd, related, availability, wanted):
    """Code lists with the available codes and their parents; the concepts used."""
    found = []
    by_codelist: dict[str, set[str]] = {}
    for dimension in dsd.dimensions.components:
        representation = dimension.local_representation
        if representation is None or representation.enumerated is None:
            continue
        codes = availability.values.get(dimension.id)
        if codes is None:
            continue
        key = f"{representation.enumerated.maintainer.id}:{representation.enumerated.id}"
        by_codelist.setdefault(key, set()).update(codes)
    for artefact in related:
        if artefact.ref.type == "Codelist" and "Codelist" in wanted:
            codes = by_codelist.get(f"{artefact.ref.agency_id}:{artefact.ref.id}")
            if codes is None:
                continue
            codelist = node.model(artefact)
            with_parents = set(codes)
            for code_id in codes:
                code = codelist.items.get(code_id)
                parent = code.parent if code is not None else None
                while isinstance(parent, common.Item):
                    with_parents.add(parent.id)
                    parent = parent.parent
            narrowed = filter_items(codelist, sorted(with_parents))
            if narrowed is not None:
                found.append(narrowed)
        elif artefact.ref.type == "ConceptScheme" and "ConceptScheme" in wanted:
            scheme = node.model(artefact)
            used = [
                c.concept_identity.id
                for c in dsd.dimensions.components
                if c.concept_identity is not None and c.id in availability.values
            ]
            narrowed = filter_items(scheme, used)
            if narrowed is not None:
                found.append(narrowed)
    return found
