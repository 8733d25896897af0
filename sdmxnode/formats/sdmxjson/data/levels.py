"""The `structure` part of SDMX-JSON 1.0 and 2.0 data messages, and the layout of their data sets.

SDMX-JSON data messages (sdmx-json field guides, checklist D3) refer to dimension and
attribute values by their index in the `values` array of each component, so those arrays
must be known before the data set is written. `collect_values` makes that first pass over
the rows: per component, the distinct values present (in order of first appearance; time
periods in chronological order), never a whole code list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from sdmxnode.formats.rows import Component, DataResult
from sdmxnode.formats.writing import (
    component_name,
    structure_id,
    structure_name,
    structure_urn,
)

JsonObject = dict[str, Any]

_ID_PATTERN = re.compile(r"[A-Za-z0-9_@$-]+")
_BATCH = 8192


@dataclass(frozen=True)
class JsonLayout:
    """Where each result column goes in an SDMX-JSON data message (indexes into a row)."""

    series: tuple[int, ...]  # dimensions in series keys (empty: flat observations)
    observation: tuple[int, ...]  # dimensions in observation keys (empty: series only)
    measures: tuple[int, ...]
    dataset_attributes: tuple[int, ...]
    series_attributes: tuple[int, ...]
    observation_attributes: tuple[int, ...]
    flat: bool  # dimensionAtObservation=AllDimensions: observations directly in the data set

    @property
    def coded(self) -> tuple[int, ...]:
        """Columns whose values are written as indexes into a `values` array."""
        return (
            self.series
            + self.observation
            + self.dataset_attributes
            + self.series_attributes
            + self.observation_attributes
        )


def plan_layout(result: DataResult) -> JsonLayout:
    """Split the result's columns into data set, series and observation levels.

    Series keys hold every dimension but `dimension_at_observation`; with `AllDimensions`
    every dimension is at observation level. A series or group attribute stays at series
    level unless it depends on the observation dimension. A `series_only` result has
    series without observations, and no time dimension in its structure.
    """
    structure = result.structure
    positions = {column: index for index, column in enumerate(result.columns)}
    time_id = structure.time_dimension.id if structure.time_dimension else None
    key_ids = [c.id for c in structure.dimensions] + ([time_id] if time_id else [])
    key_ids = [k for k in key_ids if k in positions]
    at_observation = result.dimension_at_observation
    flat = at_observation == "AllDimensions" and not result.series_only
    if result.series_only:
        series_ids, observation_ids = [k for k in key_ids if k != time_id], []
    elif flat:
        series_ids, observation_ids = [], key_ids
    else:
        if at_observation not in key_ids:
            at_observation = time_id or key_ids[-1]
        series_ids = [k for k in key_ids if k != at_observation]
        observation_ids = [at_observation]
    levels: dict[str, list[int]] = {"dataset": [], "series": [], "observation": []}
    for attribute in structure.attributes:
        index = positions.get(attribute.id)
        if index is None:
            continue
        level = attribute.attachment
        if level == "group":
            level = "series"
        if level == "series" and (flat or set(attribute.related_dimensions) & set(observation_ids)):
            level = "observation"
        levels.get(level, levels["observation"]).append(index)
    return JsonLayout(
        series=tuple(positions[k] for k in series_ids),
        observation=tuple(positions[k] for k in observation_ids),
        measures=tuple(positions[m.id] for m in structure.measures if m.id in positions),
        dataset_attributes=tuple(levels["dataset"]),
        series_attributes=tuple(levels["series"]),
        observation_attributes=tuple(levels["observation"]),
        flat=flat,
    )


def collect_values(
    result: DataResult, rows: Iterable[tuple], columns: Iterable[int]
) -> dict[int, list[str]]:
    """The distinct values of each of `columns` in `rows` (the first pass over the data)."""
    wanted = sorted(set(columns))
    seen: dict[int, dict[str, None]] = {index: {} for index in wanted}
    iterator: Iterator[tuple] = iter(rows)
    while batch := list(islice(iterator, _BATCH)):
        transposed = list(zip(*batch, strict=True))
        for index in wanted:
            seen[index].update(dict.fromkeys(transposed[index]))
    time = result.structure.time_dimension
    time_index = result.columns.index(time.id) if time and time.id in result.columns else None
    values: dict[int, list[str]] = {}
    for index, found in seen.items():
        found.pop(None, None)  # type: ignore[call-overload]
        values[index] = sorted(found) if index == time_index else list(found)
    return values


def without_empty_attributes(layout: JsonLayout, values: Mapping[int, list[str]]) -> JsonLayout:
    """The layout less the attributes no row gives a value for: an attribute with an empty
    `values` array is invalid in SDMX-JSON 2.0 and dropped (shifting indexes) by sdmx1."""

    def kept(indexes: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(i for i in indexes if values.get(i))

    return replace(
        layout,
        dataset_attributes=kept(layout.dataset_attributes),
        series_attributes=kept(layout.series_attributes),
        observation_attributes=kept(layout.observation_attributes),
    )


def build_structure(
    result: DataResult,
    layout: JsonLayout,
    values: Mapping[int, list[str]],
    major: int,
    *,
    data_sets: int = 1,
) -> JsonObject:
    """The `structure` object (1.0) or the one item of `structures` (2.0), for a message
    of `data_sets` data sets (2.0 lists their indexes)."""
    columns = result.columns
    key_order = [c.id for c in result.structure.dimensions]
    if result.structure.time_dimension:
        key_order.append(result.structure.time_dimension.id)

    def dimension(index: int) -> JsonObject:
        column = columns[index]
        return {
            "id": column,
            "name": component_name(result.labels, column),
            "keyPosition": key_order.index(column),
            "values": [_value(result, column, v, coded=True, major=major) for v in values[index]],
        }

    def attribute(index: int, relationship: JsonObject) -> JsonObject:
        column = columns[index]
        component = _component(result, column)
        coded = component.codes is not None or component.codelist is not None
        found: JsonObject = {"id": column, "name": component_name(result.labels, column)}
        if major >= 2:
            found["isMandatory"] = component.mandatory
        found["relationship"] = relationship
        found["values"] = [
            _value(result, column, v, coded=coded, major=major) for v in values[index]
        ]
        return found

    series_ids = [columns[i] for i in layout.series]
    observation_relation: JsonObject = (
        {"observation": {}} if major >= 2 else {"primaryMeasure": _primary_measure(result)}
    )
    dataset_relation: JsonObject = {"dataflow": {}} if major >= 2 else {"none": {}}

    def series_relation(index: int) -> JsonObject:
        related = _component(result, columns[index]).related_dimensions
        return {"dimensions": [d for d in related if d in series_ids] or series_ids}

    structure: JsonObject = {}
    if major >= 2:
        structure["dataSets"] = list(range(data_sets))
    structure["links"] = [{"rel": result.structure_ref.kind, "urn": structure_urn(result)}]
    structure["name"] = structure_name(result.labels, structure_id(result))
    structure["dimensions"] = {
        "dataSet": [],
        "series": [dimension(i) for i in layout.series],
        "observation": [dimension(i) for i in layout.observation],
    }
    if major >= 2:
        structure["measures"] = {
            "observation": [
                {"id": columns[i], "name": component_name(result.labels, columns[i])}
                for i in layout.measures
            ]
        }
    structure["attributes"] = {
        "dataSet": [attribute(i, dataset_relation) for i in layout.dataset_attributes],
        "series": [attribute(i, series_relation(i)) for i in layout.series_attributes],
        "observation": [attribute(i, observation_relation) for i in layout.observation_attributes],
    }
    return structure


def _component(result: DataResult, column: str) -> Component:
    found = result.structure.component(column)
    return found if found is not None else Component(column, "attribute")


def _primary_measure(result: DataResult) -> str:
    measures = result.structure.measures
    return measures[0].id if measures else "OBS_VALUE"


def _value(result: DataResult, column: str, value: str, *, coded: bool, major: int) -> JsonObject:
    """One item of a component's `values` array: a code with its name, or a plain value.

    SDMX-JSON 1.0 gives an uncoded attribute value as `name`; 2.0 as `value`. Values that
    cannot be ids (the id pattern forbids ':' and spaces) are written as plain values.
    """
    if coded and _ID_PATTERN.fullmatch(value):
        names = result.labels.codes.get(column, {}) if result.labels else {}
        return {"id": value, "name": names.get(value) or value}
    return {"value": value} if major >= 2 else {"name": value}
