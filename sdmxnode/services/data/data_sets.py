"""One data set per data provider: a dataflow's answer split by who reported the data.

SDMX keeps each provider's data in data sets of their own (a DataSet names its
DataProvider; SDMX-CSV 2.0 rows name the provision agreement). The providers of the
matching data are read first (one indexed query); each provider's data set then streams
its own ordered query, run only when the writer reaches it, so that memory stays flat.

A data set names its provider when the answer holds several providers' data sets, or when
the query selected providers (a `provisionagreement` context, a providerRef). The answer of
a dataflow whose data all come from one provider is written as before: sdmx1 (2.28) reads
no DataProvider inside an SDMX-ML DataSet, and a client asking for a dataflow has no data
sets to tell apart.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from sdmxnode.formats.rows import DataResult
from sdmxnode.services.data.queries import DataPlan, iter_rows
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import UNATTRIBUTED, agreements_of, data_set_provider


def provider_plan(plan: DataPlan, provider: str) -> DataPlan:
    """`plan` narrowed to one data provider's data ('AGENCY:ID', '' unattributed)."""
    return replace(plan, selection=replace(plan.selection, providers=(provider,)))


def per_provider(
    node: Node, plan: DataPlan, result: DataResult, *, name_one: bool = False
) -> DataResult:
    """`result` (the plan's data set) as one data set per provider of the matching data,
    the first carrying the others as `following`, each naming its provider. Unchanged when
    all the data are unattributed, or come from one provider and not `name_one`. An `asOf`
    answer is split by the providers of every series the selection matches, whose past the
    history keeps."""
    with node.data.reading() as reader:
        providers = reader.providers(plan.dataflow.pk, plan.selection)
    if not providers or providers == [UNATTRIBUTED] or (len(providers) == 1 and not name_one):
        return result
    agreements = agreements_of(node, plan.dataflow)
    data_sets = []
    for provider in providers:
        own = provider_plan(plan, provider)
        data_sets.append(
            replace(
                result,
                rows=iter_rows(node, own),
                provider=data_set_provider(provider, agreements),
                rows_again=partial(iter_rows, node, own),
                following=[],
            )
        )
    data_sets[0].following = data_sets[1:]
    return data_sets[0]
