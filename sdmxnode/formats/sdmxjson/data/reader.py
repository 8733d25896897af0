"""Reader of SDMX-JSON 1.0 and 2.0 data messages into the row stream (`data_rows`).

Follows the SDMX-JSON data message field guides (sdmx-twg/sdmx-json): 1.0 `data.structure`
+ `data.dataSets` (also the earlier layout with `structure` and `dataSets` at the top, as
OECD.Stat and the ECB samples write it) and 2.0 `data.structures[]` with each data set's
`structure` index. Data sets in the series layout (`series` "0:1:2" keys of the series-level
dimension value indices, each with `attributes` and `observations`) and the flat layout
(`dimensionAtObservation=AllDimensions`: `observations` keyed by the observation-level
dimension indices) are both read. An observation is `[measure values..., attribute values
or indices..., annotation indices...]` (1.0: one measure, the DSD's primary measure).
Data-set level dimensions and attributes, 2.0 `dimensionGroupAttributes` (their key positions
follow `keyPosition`; when the keys only fit the dimensions in the order the message lists
them, as in the SDMX-JSON WG's `agri` sample, that order is used) and attribute defaults
(`default`) are applied to every row they cover. A series without observations gives one
row with its key and attributes only.

Values: numbers are kept as written (floats are parsed as text); `true`/`false` for booleans;
arrays (multi-valued) and objects of localised strings (multilingual) in the encoding of
`sdmxnode.formats.values`. Row location is 0: the `json` module gives no positions.

The whole document is parsed with the standard `json` module, so a message is held in memory
in full (about ten times its size as Python objects): messages over `MAX_JSON_BYTES` (64 MiB)
are refused with `TooLarge` before parsing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from sdmxnode.errors import Invalid, NotFound, TooLarge, UnknownComponent
from sdmxnode.formats.rows import (
    ACTIONS,
    DatasetRows,
    StructureInfo,
    StructureResolver,
)
from sdmxnode.formats.sdmxjson.data.groups import GroupAttributes
from sdmxnode.formats.sdmxjson.data.structure import (
    MessageComponent,
    MessageStructure,
    embedded_structure,
    preferred_ref,
    read_message_structure,
    structure_refs,
    text_of,
)
from sdmxnode.refs import ArtefactRef

logger = logging.getLogger(__name__)

#: The largest SDMX-JSON message read (bytes): the json module parses whole documents.
MAX_JSON_BYTES = 64 * 1024 * 1024

_Lookup = dict[str, str | None]  # a dimension's value index (as written in keys) -> value id
_Slot = tuple[int, "list[str | None] | None"]  # column position, values the items index


def read_sdmxjson_data(
    stream: BinaryIO,
    resolve: StructureResolver,
    *,
    source: str = "message",
    max_bytes: int = MAX_JSON_BYTES,
) -> Iterator[DatasetRows]:
    """Read an SDMX-JSON 1.0 or 2.0 data message into one `DatasetRows` per data set.

    The structure comes from the message's links (URNs, or REST hrefs) through `resolve`,
    preferring a dataflow. When `resolve` raises NotFound, or the message names no
    structure, the StructureInfo is built from the structure the message embeds (component
    ids, and codes = the embedded value ids); see `embedded_structure`. Malformed input
    raises `Invalid` naming the JSON path; a message over `max_bytes` raises `TooLarge`.
    """
    message = _load(stream, max_bytes)
    data = message.get("data")
    body: dict[str, Any] = data if isinstance(data, dict) else message
    prefix = "data." if body is not message else ""
    datasets = body.get("dataSets")
    if not isinstance(datasets, list):
        raise Invalid("the message has no dataSets array", where=f"{prefix}dataSets")
    structures = body.get("structures")
    resolved: dict[
        tuple[int, ArtefactRef | None], tuple[ArtefactRef, StructureInfo, str | None]
    ] = {}
    parsed: dict[int, MessageStructure] = {}
    for number, dataset in enumerate(datasets):
        where = f"{prefix}dataSets[{number}]"
        if not isinstance(dataset, dict):
            raise Invalid("the data set is not a JSON object", where=where)
        index, raw, structure_where = _structure_of(body, structures, dataset, prefix, where)
        if index not in parsed:
            parsed[index] = read_message_structure(raw, structure_where)
        message_structure = parsed[index]
        links = [link for link in dataset.get("links") or [] if isinstance(link, dict)]
        refs = structure_refs(links, message_structure.links)
        key = (index, preferred_ref(refs))
        if key not in resolved:
            resolved[key] = _resolve(resolve, message_structure, refs)
        ref, structure, note = resolved[key]
        action = dataset.get("action", "Information")
        if action not in ACTIONS:
            raise Invalid(f"action {action!r} is not one of {', '.join(ACTIONS)}", where=where)
        reader = _DatasetReader(dataset, message_structure, structure, where)
        yield DatasetRows(
            structure_ref=ref,
            structure=structure,
            action=action,
            columns=structure.columns,
            rows=reader.rows(),
            dataset_attributes=reader.dataset_attributes,
            valid_from=text_of(dataset.get("validFrom")),
            valid_to=text_of(dataset.get("validTo")),
            source=source,
            structure_note=note,
            sdmx_version="2.1" if index == -1 else "3.0",  # 1.0 `structure`, 2.0 `structures`
        )


def _load(stream: BinaryIO, max_bytes: int) -> dict[str, Any]:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(
            f"the SDMX-JSON message is larger than {max_bytes} bytes, the most this node "
            "parses in memory"
        )
    try:
        message = json.loads(data.decode("utf-8-sig"), parse_float=str, parse_constant=str)
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"the SDMX-JSON message is not UTF-8: {exc.reason}", where=f"byte {exc.start}"
        ) from exc
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"the message is not valid JSON: {exc.msg}",
            where=f"line {exc.lineno}, column {exc.colno}",
        ) from exc
    except RecursionError as exc:
        raise Invalid("the JSON message is nested too deeply") from exc
    if not isinstance(message, dict):
        raise Invalid("the SDMX-JSON message is not a JSON object", where="line 1")
    return message


def _structure_of(
    body: dict[str, Any], structures: Any, dataset: dict[str, Any], prefix: str, where: str
) -> tuple[int, Any, str]:
    """The structure a data set uses: (index, raw object, JSON path)."""
    if isinstance(structures, list):
        index = dataset.get("structure", 0)
        if not isinstance(index, int) or isinstance(index, bool):
            raise Invalid(f"structure index {index!r} is not a number", where=f"{where}.structure")
        if not 0 <= index < len(structures):
            raise Invalid(
                f"structure index {index} is not one of the {len(structures)} structures",
                where=f"{where}.structure",
            )
        return index, structures[index], f"{prefix}structures[{index}]"
    if "structure" in body:
        return -1, body["structure"], f"{prefix}structure"
    raise Invalid("the message has no structure (SDMX-JSON 1.0) or structures (2.0)", where=where)


def _resolve(
    resolve: StructureResolver, message: MessageStructure, refs: dict[str, ArtefactRef]
) -> tuple[ArtefactRef, StructureInfo, str | None]:
    """The structure reference, its StructureInfo and, when that was built from the
    message's embedded structure, why (for the EMBEDDED_STRUCTURE warning)."""
    ref = preferred_ref(refs)
    embedded = "the data were checked against the structure the message embeds only"
    if ref is None:
        logger.info("SDMX-JSON message names no structure: reading its embedded structure")
        note = f"the message names no dataflow or DSD: {embedded}"
        return ArtefactRef("DataStructure", "", "", ""), embedded_structure(message, refs), note
    try:
        return ref, resolve(ref), None
    except NotFound as exc:
        logger.info("%s is not in the node: reading the message's embedded structure", ref)
        return ref, embedded_structure(message, refs), f"{exc.message}: {embedded}"


class _DatasetReader:
    """The rows of one data set: positions and lookups worked out once, then a tight loop."""

    def __init__(
        self,
        dataset: dict[str, Any],
        message: MessageStructure,
        structure: StructureInfo,
        where: str,
    ) -> None:
        self.dataset = dataset
        self.where = where
        self.positions = {c: i for i, c in enumerate(structure.columns)}
        self.structure = structure
        self.given = tuple(
            c.id for c in [*message.all_dimensions(), *message.measures, *message.all_attributes()]
        )
        self.base: list[str | None] = [None] * len(structure.columns)
        self.dataset_attributes: dict[str, str] = {}
        dims = message.dimensions
        for component in dims["dataSet"]:
            if not component.values:
                raise Invalid(f"data set level dimension {component.id} has no value", where=where)
            self.base[self.position(component.id)] = component.values[0]
        self.series_dims = [self._lookup(c) for c in dims["series"]]
        self.obs_dims = [self._lookup(c) for c in dims["observation"]]
        measures = message.measures if message.has_measures else []
        if message.has_measures:
            self.measure_slots: list[_Slot] = [self.slot(c) for c in measures]
        elif structure.measures:
            self.measure_slots = [(self.position(structure.measures[0].id), None)]
        else:
            raise Invalid(f"{structure.dsd} has no measure for the observation values", where=where)
        attributes = message.attributes
        for component in message.all_attributes():
            if component.default is not None:
                self.base[self.position(component.id)] = component.default
        self.apply(
            self.base,
            [self.slot(c) for c in attributes["dataSet"]],
            dataset.get("attributes") or [],
            f"{where}.attributes",
        )
        for component in attributes["dataSet"]:
            value = self.base[self.position(component.id)]
            if value is not None:
                self.dataset_attributes[component.id] = value
        self.series_attrs = [self.slot(c) for c in attributes["series"]]
        self.obs_slots = self.measure_slots + [self.slot(c) for c in attributes["observation"]]
        self.groups = GroupAttributes.build(self, message, dataset.get("dimensionGroupAttributes"))

    def position(self, component_id: str) -> int:
        position = self.positions.get(component_id)
        if position is None:
            raise UnknownComponent(
                f"the message's component {component_id} is not in {self.structure.dsd}",
                component=component_id,
                where=self.where,
                given=self.given,
                structure=(self.structure.dataflow or self.structure.dsd, self.structure.dsd),
            )
        return position

    def _lookup(self, component: MessageComponent) -> tuple[int, _Lookup]:
        values = component.values or []
        return self.position(component.id), {str(i): v for i, v in enumerate(values)}

    def slot(self, component: MessageComponent) -> _Slot:
        return self.position(component.id), component.values

    def apply(self, row: list[str | None], slots: list[_Slot], items: Any, where: str) -> None:
        if not isinstance(items, list):
            raise Invalid("attribute values are not an array", where=where)
        for (position, values), item in zip(slots, items, strict=False):
            if item is not None:
                row[position] = _value(values, item)

    def rows(self) -> Iterator[tuple]:
        series = self.dataset.get("series")
        if series is not None:
            if not isinstance(series, dict):
                raise Invalid("series is not a JSON object", where=f"{self.where}.series")
            for key, content in series.items():
                yield from self._series_rows(key, content)
        elif "observations" in self.dataset:
            yield from self._observation_rows(self.base, self.dataset["observations"], self.where)

    def _series_rows(self, key: str, content: Any) -> Iterator[tuple]:
        where = f"{self.where}.series[{key!r}]"
        row = self.base.copy()
        parts = key.split(":")
        try:
            if len(parts) != len(self.series_dims) or not isinstance(content, dict):
                raise ValueError
            for (position, lookup), part in zip(self.series_dims, parts, strict=True):
                row[position] = lookup[part]
            self.apply(row, self.series_attrs, content.get("attributes") or [], where)
        except (KeyError, ValueError, IndexError, TypeError) as exc:
            raise Invalid(_explain_key(key, self.series_dims, "series"), where=where) from exc
        observations = content.get("observations")
        if not observations:
            self.groups.apply(row)
            yield (*row, 0)
            return
        yield from self._observation_rows(row, observations, where)

    def _observation_rows(
        self, series_row: list[str | None], observations: Any, where: str
    ) -> Iterator[tuple]:
        if not isinstance(observations, dict):
            raise Invalid("observations is not a JSON object", where=f"{where}.observations")
        obs_dims = self.obs_dims
        slots = self.obs_slots
        groups = self.groups if self.groups.tables else None
        count = len(obs_dims)
        key: str = ""
        items: Any = None
        try:
            for key, items in observations.items():
                row = series_row.copy()
                parts = key.split(":")
                if len(parts) != count or type(items) is not list:
                    raise ValueError
                for (position, lookup), part in zip(obs_dims, parts, strict=True):
                    row[position] = lookup[part]
                for (position, values), item in zip(slots, items, strict=False):
                    if item is None:
                        continue
                    if type(item) is str:
                        row[position] = item
                    else:
                        row[position] = _value(values, item)
                if groups is not None:
                    groups.apply(row)
                yield (*row, 0)
        except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
            raise Invalid(
                _explain_observation(key, items, obs_dims, slots),
                where=f"{where}.observations[{key!r}]",
            ) from exc


def _value(values: list[str | None] | None, item: Any) -> str | None:
    """An item of the data: an index into `values` when the component lists them."""
    if values is not None and type(item) is int:
        if item < 0:
            raise IndexError(item)
        return values[item]
    return text_of(item)


def _explain_key(key: str, dims: list[tuple[int, _Lookup]], what: str) -> str:
    parts = key.split(":")
    if len(parts) != len(dims):
        return f"{what} key {key!r} has {len(parts)} positions for {len(dims)} dimensions"
    for index, ((_, lookup), part) in enumerate(zip(dims, parts, strict=True)):
        if part not in lookup:
            return f"{what} key {key!r}: {part!r} at position {index} is not a value index"
    return f"the {what} {key!r} is malformed (attributes or observations of the wrong type)"


def _explain_observation(
    key: str, items: Any, dims: list[tuple[int, _Lookup]], slots: list[_Slot]
) -> str:
    message = _explain_key(key, dims, "observation")
    if not message.startswith("the observation"):
        return message
    if not isinstance(items, list):
        return f"observation {key!r} is {type(items).__name__}, not an array"
    for index, ((_, values), item) in enumerate(zip(slots, items, strict=False)):
        if values is not None and type(item) is int and not 0 <= item < len(values):
            return f"observation {key!r}: item {index} indexes value {item} of {len(values)}"
    return f"observation {key!r} holds a value of the wrong type"
