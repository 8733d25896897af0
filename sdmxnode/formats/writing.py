"""What the data writers share: references, actions, names, chunking, the data sets of a message."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sdmxnode.errors import BadRequest, SemanticError
from sdmxnode.formats.rows import ACTION_CODES, DataResult, Labels

#: SDMX action -> its SDMX-CSV 2.0 letter ('Information' -> 'I').
ACTION_LETTERS = {name: letter for letter, name in ACTION_CODES.items()}

#: Bytes per chunk the writers yield (a response is streamed in pieces of about this size).
CHUNK_SIZE = 64 * 1024

_URN_CLASS = {
    "dataflow": "datastructure.Dataflow",
    "datastructure": "datastructure.DataStructure",
    "provisionagreement": "registry.ProvisionAgreement",
}


def structure_id(result: DataResult) -> str:
    """`AGENCY:ID(VERSION)` of what the data are for (SDMX-CSV `DATAFLOW` / `STRUCTURE_ID`)."""
    ref = result.structure_ref
    if ref.kind == "dataflow" and result.structure.dataflow:
        return result.structure.dataflow
    if ref.kind == "datastructure":
        return result.structure.dsd
    return ref.identity


def structure_urn(result: DataResult) -> str:
    """The URN of what the data are for (SDMX-JSON `links`)."""
    kind = result.structure_ref.kind
    return f"urn:sdmx:org.sdmx.infomodel.{_URN_CLASS.get(kind, _URN_CLASS['dataflow'])}=" + (
        structure_id(result)
    )


def message_data_sets(result: DataResult) -> list[DataResult]:
    """`result` and the data sets `following` it (flattened), in the order they are written.

    One message has one header, so every data set must be for the same structure, with the
    same columns and dimension at the observation level (a SemanticError otherwise).
    """
    found = [result]
    pending = list(result.following)
    while pending:
        data_set = pending.pop(0)
        for name, mine, first in (
            ("structure", data_set.structure.dsd, result.structure.dsd),
            ("structure reference", data_set.structure_ref, result.structure_ref),
            ("columns", data_set.columns, result.columns),
            (
                "dimension at observation",
                data_set.dimension_at_observation,
                result.dimension_at_observation,
            ),
        ):
            if mine != first:
                raise SemanticError(
                    f"the data sets of one message must share their {name}: "
                    f"{mine!r} follows {first!r}"
                )
        found.append(data_set)
        pending[:0] = data_set.following
    return found


def check_choice(parameter: str, value: str, allowed: Iterable[str]) -> None:
    """Raise BadRequest unless `value` is one of `allowed` for query parameter `parameter`."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise BadRequest(f"{parameter}={value!r} is not supported here; use one of {allowed}")


def component_name(labels: Labels | None, component_id: str) -> str:
    """The localised name of a component, or its id when the result carries no names."""
    if labels is None:
        return component_id
    return labels.components.get(component_id) or component_id


def structure_name(labels: Labels | None, fallback: str) -> str:
    """The structure's name for a message (from its labels), else `fallback`."""
    return (labels.structure_name if labels else "") or fallback


def chunked(pieces: Iterable[str], size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """UTF-8 chunks of about `size` characters from a stream of text pieces."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
            length = 0
    if buffer:
        yield "".join(buffer).encode("utf-8")
