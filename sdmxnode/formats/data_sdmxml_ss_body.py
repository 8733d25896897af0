"""The Series / Obs body of structure-specific SDMX-ML data sets (2.1 and 3.0 alike).

Every component is an XML attribute named after its id (SDMX 2.1 section 3B, "Structure
Specific Data"; SDMX 3.0 section 3B keeps this for single-valued components). Rows of one
series are contiguous (DataResult's contract), so a series is opened when its key changes;
its attributes come from its first row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter

from sdmxnode.formats.data_sdmxml_layout import MessageLayout
from sdmxnode.formats.data_sdmxml_stream import Chunks, escape, text


def _fields(places: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    return tuple((f' {name}="', index) for name, index in places)


def element_open(tag: str, fields: tuple[tuple[str, int], ...], row: tuple) -> str:
    """`<tag a="..." b="..."` for the non-None cells of `row` (not closed)."""
    out = tag
    for prefix, index in fields:
        value = row[index]
        if value is not None:
            out += prefix + escape(value if value.__class__ is str else text(value)) + '"'
    return out


def series_key_getter(layout: MessageLayout) -> Callable[[tuple], object]:
    """A fast function from a row to its series key (comparable, hashable)."""
    indices = [index for _, index in layout.series_key]
    if not indices:
        return _no_key
    return itemgetter(*indices)


def _no_key(row: tuple) -> object:
    return ()


def write_body(
    rows: Iterable[tuple], layout: MessageLayout, chunks: Chunks, *, series_only: bool
) -> Iterator[bytes]:
    """Yield the Series/Obs (or flat Obs) elements of `rows` as UTF-8 chunks.

    What is left in `chunks` at the end is the caller's to flush.
    """
    obs_fields = _fields(layout.observation_key + layout.measures + layout.observation_attributes)
    key_indices = [index for _, index in layout.observation_key]
    append = chunks.append
    esc = escape
    to_text = text
    if layout.flat:
        if series_only:
            return
        for row in rows:
            if None in [row[i] for i in key_indices]:
                continue
            obs = "<Obs"
            for prefix, index in obs_fields:
                value = row[index]
                if value is not None:
                    obs += prefix + esc(value if value.__class__ is str else to_text(value)) + '"'
            append(obs + "/>")
            if len(chunks.parts) >= chunks.limit:
                yield chunks.take()
        return

    series_fields = _fields(layout.series_key + layout.series_attributes)
    series_key = series_key_getter(layout)
    if series_only:
        previous: object = _NOTHING
        for row in rows:
            key = series_key(row)
            if key != previous:
                previous = key
                append(element_open("<Series", series_fields, row) + "/>")
                if len(chunks.parts) >= chunks.limit:
                    yield chunks.take()
        return

    obs_index = key_indices[0]
    previous = _NOTHING
    for row in rows:
        key = series_key(row)
        if key != previous:
            if previous is not _NOTHING:
                append("</Series>")
            previous = key
            append(element_open("<Series", series_fields, row) + ">")
        if row[obs_index] is None:  # a row carrying only series attributes
            continue
        obs = "<Obs"
        for prefix, index in obs_fields:
            value = row[index]
            if value is not None:
                obs += prefix + esc(value if value.__class__ is str else to_text(value)) + '"'
        append(obs + "/>")
        if len(chunks.parts) >= chunks.limit:
            yield chunks.take()
    if previous is not _NOTHING:
        append("</Series>")


class _Nothing:
    """A series key no row has."""


_NOTHING = _Nothing()
