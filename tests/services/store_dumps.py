"""Canonical dumps of a node's store for tests: every table raw, and observations decoded."""

from __future__ import annotations

from sqlalchemy import Engine, select

from sdmxnode.services.node import Node
from sdmxnode.storage.data.reads import DataSelection, select_observations, stream
from sdmxnode.storage.tables import ATTRIBUTE_SEPARATOR, artefacts, data_layouts, metadata

#: One stored observation: series key, series attributes, period, value, observation
#: attributes (attributes as sorted (id, value) pairs, absent ones left out).
Observation = tuple[str, tuple[tuple[str, str], ...], str, str | None, tuple[tuple[str, str], ...]]


def dump_tables(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table of the store, sorted: equal dumps mean an unchanged store."""
    dump = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = [tuple(row) for row in conn.execute(select(table))]
            dump[table.name] = sorted(rows, key=repr)
    return dump


def _decode(ids: tuple[str, ...], joined: str | None) -> tuple[tuple[str, str], ...]:
    if not joined:
        return ()
    values = joined.split(ATTRIBUTE_SEPARATOR)
    assert len(values) == len(ids), (ids, values)
    return tuple(sorted((i, v) for i, v in zip(ids, values, strict=True) if v))


def dump_observations(node: Node) -> dict[str, list[Observation]]:
    """The current observations of every dataflow holding data, attributes decoded through
    the dataflow's stored layout, by dataflow ('AGENCY:ID(VERSION)') and sorted."""
    dump: dict[str, list[Observation]] = {}
    with node.store.engine.connect() as conn:
        flows = conn.execute(
            select(
                data_layouts.c.dataflow_pk,
                artefacts.c.agency_id,
                artefacts.c.id,
                artefacts.c.version,
            ).join(artefacts, artefacts.c.pk == data_layouts.c.dataflow_pk)
        ).all()
        for dataflow_pk, agency_id, id_, version in flows:
            layout = node.data.find_layout(dataflow_pk)
            assert layout is not None
            rows = stream(conn, select_observations(dataflow_pk, DataSelection()))
            dump[f"{agency_id}:{id_}({version})"] = sorted(
                (
                    key,
                    _decode(layout.series_attributes, series_attributes),
                    period,
                    value,
                    _decode(layout.observation_attributes, observation_attributes),
                )
                for key, series_attributes, period, value, observation_attributes, _ in rows
            )
    return dump


def dataset_attributes(engine: Engine) -> list[str | None]:
    with engine.connect() as conn:
        return list(conn.execute(select(data_layouts.c.dataset_attributes)).scalars())
