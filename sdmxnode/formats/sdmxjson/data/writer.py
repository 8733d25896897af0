"""Streaming SDMX-JSON 1.0, 2.0 and 2.1 data writers over a DataResult's rows.

Top level per the sdmx-json data-message field guides (checklist D3): 1.0 is
`{meta, data: {structure, dataSets}}`, 2.0 and 2.1 (SDMX 3.1) are
`{meta, data: {structures: [...], dataSets}}`. 2.1 keeps the 2.0 layout; what this writer
writes differently is the schema named in `meta` and the data set action Merge, which 2.1
has and 2.0 writes as Append.
The 1.0 draft layout (sdmx-json tags `v1.0.0-wd` / `v1.0.0-cts`, what ECB and OECD.Stat
endpoints send and what sdmx1 and pandasdmx read) is `{header, structure, dataSets}` with
the same structure and data sets as the released 1.0; `write_json_10_draft` writes it.
Series keys and observation keys are colon-joined indexes into each dimension's `values`;
an observation is `[measure values..., observation attribute indexes...]`; attributes sit
at data set, series or observation level (`data_json_write_levels.plan_layout`).

Two passes: the `values` arrays come before the data sets, so the rows are read once to
collect the values present and once to write. Give `rows_again`, a callable returning a
fresh iterator over the same rows in the same order (the store can run the query twice),
and memory stays flat: only the distinct values are kept. Without it the writer keeps the
result's rows in a list between the two passes, which is fine for small results only.

The data sets `following` the result (an `updatedAfter` answer's deletions) are written
after its own, each with its action; `rows_again` repeats only the first data set's rows,
so the following ones are kept in lists between the passes (they are expected to be small).
The `values` arrays cover the rows of all data sets.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import chain
from operator import itemgetter

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult
from sdmxnode.formats.sdmxjson.data.levels import (
    JsonLayout,
    JsonObject,
    build_structure,
    collect_values,
    plan_layout,
    without_empty_attributes,
)
from sdmxnode.formats.sdmxjson.structure.common import message_id
from sdmxnode.formats.writing import chunked, message_data_sets, structure_urn

log = logging.getLogger(__name__)

MEDIA_TYPE_10 = "application/vnd.sdmx.data+json;version=1.0.0"
MEDIA_TYPE_20 = "application/vnd.sdmx.data+json;version=2.0.0"
MEDIA_TYPE_21 = "application/vnd.sdmx.data+json;version=2.1.0"
#: The 1.0 draft layout, as sdmx1 lists it (`sdmx.format.MEDIA_TYPES`), and the bare
#: `draft-sdmx-json` some .Stat endpoints (NBB, Statistics Estonia) send as Content-Type.
MEDIA_TYPE_10_DRAFT = "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0"

_SCHEMA_ROOT = "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools"
SCHEMA_URL_10 = f"{_SCHEMA_ROOT}/schemas/1.0/sdmx-json-data-schema.json"
SCHEMA_URL_20 = f"{_SCHEMA_ROOT}/schemas/2.0.0/sdmx-json-data-schema.json"
#: The 2.1 schema's own `$id`.
SCHEMA_URL_21 = "https://json.sdmx.org/2.1/sdmx-json-data-schema.json"

#: Marks "no series open yet" (a series key can be any tuple or value).
_NO_SERIES = object()

#: A callable giving a fresh iterator over the result's rows, for the second pass.
RowsAgain = Callable[[], Iterator[tuple]]

#: Actions the SDMX-JSON 1.0 and 2.0 schemas allow; SDMX 3.0 Merge is closest to Append.
_ACTIONS = {"Information", "Append", "Replace", "Delete"}
#: SDMX-JSON 2.1 adds Merge.
_ACTIONS_21 = _ACTIONS | {"Merge"}
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
#: SDMX value types written as JSON numbers (when the value reads as one); None: untyped.
_NUMERIC_TYPES = {
    None, "double", "float", "decimal", "integer", "long", "short", "biginteger", "count",
    "inclusivevaluerange", "exclusivevaluerange", "incremental",
}  # fmt: skip


def write_json_10(
    result: DataResult, header: MessageHeader, rows_again: RowsAgain | None = None
) -> Iterator[bytes]:
    """An SDMX-JSON 1.0 data message (`MEDIA_TYPE_10`), in chunks of about 64 KiB."""
    return chunked(_pieces(result, header, rows_again, 1))


def write_json_20(
    result: DataResult, header: MessageHeader, rows_again: RowsAgain | None = None
) -> Iterator[bytes]:
    """An SDMX-JSON 2.0 data message (`MEDIA_TYPE_20`), in chunks of about 64 KiB."""
    return chunked(_pieces(result, header, rows_again, 2))


def write_json_21(
    result: DataResult, header: MessageHeader, rows_again: RowsAgain | None = None
) -> Iterator[bytes]:
    """An SDMX-JSON 2.1 data message (`MEDIA_TYPE_21`), in chunks of about 64 KiB."""
    return chunked(_pieces(result, header, rows_again, 2, minor=1))


def write_json_10_draft(
    result: DataResult, header: MessageHeader, rows_again: RowsAgain | None = None
) -> Iterator[bytes]:
    """An SDMX-JSON 1.0 data message in the draft layout (`MEDIA_TYPE_10_DRAFT`):
    `{header, structure, dataSets}`, in chunks of about 64 KiB."""
    return chunked(_pieces(result, header, rows_again, 1, draft=True))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pieces(
    result: DataResult,
    header: MessageHeader,
    rows_again: RowsAgain | None,
    major: int,
    *,
    minor: int = 0,
    draft: bool = False,
) -> Iterator[str]:
    data_sets = message_data_sets(result)
    layout = plan_layout(result)
    rows_again = result.rows_again or rows_again
    if rows_again is None:
        kept = list(result.rows)
        log.debug("keeping %d rows for the second pass (no rows_again given)", len(kept))
        first: Iterator[tuple] = iter(kept)
        rows_again = kept.__iter__
    else:
        first = iter(result.rows)
    # rows_again repeats the first data set only: the following ones are read twice when they
    # can be (a provider's data set), else kept (deletions, which are small).
    following: list[list[tuple] | Callable[[], Iterator[tuple]]] = [
        data_set.rows_again or list(data_set.rows) for data_set in data_sets[1:]
    ]
    first_row = next(first, None)
    leading = () if first_row is None else (first_row,)
    passes = [
        data_set.rows if callable(kept) else kept
        for data_set, kept in zip(data_sets[1:], following, strict=True)
    ]
    values = collect_values(result, chain(leading, first, *passes), layout.coded)
    for data_set in data_sets:
        for index in layout.dataset_attributes:
            fixed = data_set.dataset_attributes.get(result.columns[index])
            if fixed is not None and fixed not in values[index]:
                values[index].insert(0, fixed)
    layout = without_empty_attributes(layout, values)
    structure = build_structure(result, layout, values, major, data_sets=len(data_sets))
    indexes = {i: {v: str(n) for n, v in enumerate(found)} for i, found in values.items()}

    if draft:
        # The draft's header has no `schema` (its members are otherwise those of `meta`).
        draft_header = {k: v for k, v in _meta(header, major, result).items() if k != "schema"}
        yield '{"header":' + _dumps(draft_header) + ',"structure":' + _dumps(structure)
        yield ',"dataSets":['
    elif major >= 2:
        yield '{"meta":' + _dumps(_meta(header, major, result, minor)) + ',"data":{'
        yield '"structures":[' + _dumps(structure) + '],"dataSets":['
    else:
        yield '{"meta":' + _dumps(_meta(header, major, result)) + ',"data":{'
        yield '"structure":' + _dumps(structure) + ',"dataSets":['
    # Lazily: each following data set opens its second pass when its turn comes.
    bodies = chain([(first_row, rows_again)], (_again(rows) for rows in following))
    for number, (data_set, (head_row, rows_of)) in enumerate(zip(data_sets, bodies, strict=True)):
        if number:
            yield ","
        yield _dataset_head(data_set, layout, values, major, head_row, minor)
        if layout.flat:
            yield '"observations":{'
            yield from _flat_observations(data_set, layout, indexes, rows_of())
        else:
            yield '"series":{'
            yield from _series(data_set, layout, indexes, rows_of())
        yield "}}"
    yield "]}" if draft else "]}}"


def _again(
    rows: list[tuple] | Callable[[], Iterator[tuple]],
) -> tuple[tuple | None, Callable[[], Iterator[tuple]]]:
    """A following data set's first row and its rows for the writing pass."""
    if not callable(rows):
        return (rows[0] if rows else None, rows.__iter__)
    again = rows()
    head = next(again, None)
    return head, lambda: chain(() if head is None else (head,), again)


def _meta(header: MessageHeader, major: int, result: DataResult, minor: int = 0) -> JsonObject:
    """The `meta` object; `contentLanguages` names the language of the `name` texts (the
    field guides: its first item is the language of the best-language-match properties)."""
    prepared = header.prepared or datetime.now(UTC).replace(microsecond=0)
    if prepared.tzinfo is None:
        prepared = prepared.replace(tzinfo=UTC)  # SDMX-JSON requires a time zone
    meta: JsonObject = {
        "schema": (SCHEMA_URL_21 if minor else SCHEMA_URL_20) if major >= 2 else SCHEMA_URL_10,
        "id": message_id(header.id) or "DATA",
        "test": bool(header.test),
        "prepared": prepared.isoformat(),
    }
    if result.labels is not None:
        meta["contentLanguages"] = [result.labels.language]
    meta["sender"] = {"id": message_id(header.sender) or "unknown"}
    return meta


def _dataset_head(
    result: DataResult,
    layout: JsonLayout,
    values: dict[int, list[str]],
    major: int,
    first_row: tuple | None,
    minor: int = 0,
) -> str:
    """The data set's members before its series or observations, ending with a comma.

    A data set attribute's value is the data set's own (`dataset_attributes`), else the one
    its first row carries.
    """
    head: JsonObject = {}
    if major >= 2:
        head["structure"] = 0
    actions = _ACTIONS_21 if (major, minor) >= (2, 1) else _ACTIONS
    head["action"] = result.action if result.action in actions else "Append"
    if result.valid_from:
        head["validFrom"] = result.valid_from
    head["links"] = [{"rel": result.structure_ref.kind, "urn": structure_urn(result)}]
    if result.provider is not None:  # the data set's provider, and its agreement
        head["links"].append({"rel": "dataprovider", "urn": result.provider.urn})
        if result.provider.agreement_urn:
            head["links"].append(
                {"rel": "provisionagreement", "urn": result.provider.agreement_urn}
            )
    attributes: list[int | None] = []
    for index in layout.dataset_attributes:
        fixed = result.dataset_attributes.get(result.columns[index])
        if fixed is None and first_row is not None:
            fixed = first_row[index]
        attributes.append(values[index].index(fixed) if fixed is not None else None)
    head["attributes"] = attributes
    return "{" + _dumps(head)[1:-1] + ","


def _measure_encoder(result: DataResult, index: int) -> Callable[[str | None], str]:
    """JSON text for a measure value: a number for numeric (or untyped) measures whose value
    reads as one, null for missing values and NaN, else a JSON string."""
    component = result.structure.component(result.columns[index])
    text_type = component.text_type.lower() if component and component.text_type else None
    if text_type not in _NUMERIC_TYPES:
        return lambda value: "null" if value is None else _dumps(value)

    def encode(value: str | None) -> str:
        if value is None:
            return "null"
        if _JSON_NUMBER.fullmatch(value):
            return value
        try:
            number = float(value)
        except ValueError:
            return _dumps(value)
        return repr(number) if math.isfinite(number) else "null"

    return encode


def _observation_parts(
    result: DataResult, layout: JsonLayout, indexes: dict[int, dict[str, str]]
) -> Callable[[tuple], str]:
    """The `[measures..., attribute indexes...]` array of one row, as JSON text."""
    encoders = [(i, _measure_encoder(result, i)) for i in layout.measures]
    attributes = [(i, indexes[i]) for i in layout.observation_attributes]

    def array(row: tuple) -> str:
        parts = [encode(row[i]) for i, encode in encoders]
        parts += [found.get(row[i], "null") for i, found in attributes]
        return "[" + ",".join(parts) + "]"

    return array


def _series(
    result: DataResult,
    layout: JsonLayout,
    indexes: dict[int, dict[str, str]],
    rows: Iterator[tuple],
) -> Iterator[str]:
    """`"key":{"attributes":[...],"observations":{...}}` per series; rows of one series are
    contiguous (DataResult's ordering)."""
    series_of = itemgetter(*layout.series) if layout.series else (lambda row: ())
    series_attributes = [(i, indexes[i]) for i in layout.series_attributes]
    observation = layout.observation[0] if layout.observation else None
    observation_index = indexes[observation] if observation is not None else {}
    array = _observation_parts(result, layout, indexes)
    current: object = _NO_SERIES
    opened = 0
    first_observation = True
    for row in rows:
        key = series_of(row)
        if key != current:
            key_text = ":".join(indexes[i][row[i]] for i in layout.series)
            attributes = ",".join(found.get(row[i], "null") for i, found in series_attributes)
            yield (
                ('}},"' if opened else '"')
                + key_text
                + '":{"attributes":['
                + attributes
                + '],"observations":{'
            )
            opened += 1
            current = key
            first_observation = True
        if observation is None:
            continue
        position = observation_index.get(row[observation])
        if position is None:
            continue  # a series without observations
        yield ('"' if first_observation else ',"') + position + '":' + array(row)
        first_observation = False
    if opened:
        yield "}}"
    log.debug("wrote %d SDMX-JSON series", opened)


def _flat_observations(
    result: DataResult,
    layout: JsonLayout,
    indexes: dict[int, dict[str, str]],
    rows: Iterator[tuple],
) -> Iterator[str]:
    """`dimensionAtObservation=AllDimensions`: `"i:j:...":[...]` directly in the data set."""
    keys = [(i, indexes[i]) for i in layout.observation]
    array = _observation_parts(result, layout, indexes)
    separator = '"'
    for row in rows:
        yield separator + ":".join([found[row[i]] for i, found in keys]) + '":' + array(row)
        separator = ',"'
