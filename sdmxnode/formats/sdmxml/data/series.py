"""The Series / Obs body of structure-specific SDMX-ML data sets (2.1 and 3.0 alike).

Every component is an XML attribute named after its id (SDMX 2.1 section 3B, "Structure
Specific Data"; SDMX 3.0 section 3B keeps this for single-valued components). Rows of one
series are contiguous (DataResult's contract), so a series is opened when its key changes;
its attributes come from its first row.

Per observation the work is kept small: the observation attributes are taken as one tuple
and their text looked up in a bounded cache (their combinations repeat), and so are the
values of the observation dimension; only measures are escaped row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import cast

from sdmxnode.formats.sdmxml.data.writers.layout import MessageLayout
from sdmxnode.formats.sdmxml.data.writers.stream import Chunks, escape, text

#: Entries a per-message text cache may hold before it is emptied (memory stays bounded).
CACHE_LIMIT = 4096

Fields = tuple[tuple[str, int], ...]


def attribute_fields(places: Fields) -> Fields:
    """(' NAME="', column index) pairs: the start of each XML attribute."""
    return tuple((f' {name}="', index) for name, index in places)


def element_open(tag: str, fields: Fields, row: tuple) -> str:
    """`<tag a="..." b="..."` for the non-None cells of `row` (not closed)."""
    out = tag
    for prefix, index in fields:
        value = row[index]
        if value is not None:
            out += prefix + escape(value if value.__class__ is str else text(value)) + '"'
    return out


def series_key_getter(layout: MessageLayout) -> Callable[[tuple], object]:
    """A fast function from a row to its series key (comparable, hashable)."""
    return tuple_getter([index for _, index in layout.series_key])


def tuple_getter(indices: list[int]) -> Callable[[tuple], object]:
    """itemgetter for any number of indices (a constant for none)."""
    if not indices:
        return _no_key
    return itemgetter(*indices)


def _no_key(row: tuple) -> object:
    return ()


class TextCache:
    """Text for repeated values (a tuple of cells, or one cell), emptied when it grows."""

    __slots__ = ("make", "texts")

    def __init__(self, make: Callable[[object], str]) -> None:
        self.make = make
        self.texts: dict[object, str] = {}

    def miss(self, value: object) -> str:
        """The text of a value not cached yet, cached (the cache is emptied when full)."""
        if len(self.texts) >= CACHE_LIMIT:
            self.texts.clear()
        made = self.texts[value] = self.make(value)
        return made


def attributes_text(fields: Fields, getter: Callable[[tuple], object]) -> TextCache:
    """A cache from the tuple `getter` takes from a row to its XML attributes' text."""
    if len(fields) == 1:
        prefix = fields[0][0]

        def make(value: object) -> str:
            if value is None:
                return ""
            return prefix + escape(value if isinstance(value, str) else text(value)) + '"'

    else:
        prefixes = [prefix for prefix, _ in fields]

        def make(value: object) -> str:
            out = ""
            for prefix, cell in zip(prefixes, cast(tuple, value), strict=True):
                if cell is not None:
                    out += prefix + escape(cell if isinstance(cell, str) else text(cell)) + '"'
            return out

    return TextCache(make)


# C901 allowed: every observation a structure-specific writer writes, kept in one function
# (a function call per row costs more than the branches it would hide).
def write_body(  # noqa: C901
    rows: Iterable[tuple], layout: MessageLayout, chunks: Chunks, *, series_only: bool
) -> Iterator[bytes]:
    """Yield the Series/Obs (or flat Obs) elements of `rows` as UTF-8 chunks.

    What is left in `chunks` at the end is the caller's to flush.
    """
    if layout.flat:
        if not series_only:
            yield from _write_flat(rows, layout, chunks)
        return
    series_fields = attribute_fields(layout.series_key + layout.series_attributes)
    series_key = series_key_getter(layout)
    append = chunks.append
    previous: object = _NOTHING
    if series_only:
        for row in rows:
            key = series_key(row)
            if key != previous:
                previous = key
                append(element_open("<Series", series_fields, row) + "/>")
                if len(chunks.parts) >= chunks.limit:
                    yield chunks.take()
        return

    obs_name, obs_index = layout.observation_key[0]
    times = TextCache(lambda value: escape(value if isinstance(value, str) else text(value)))
    time_texts = times.texts
    measure_fields = attribute_fields(layout.measures)
    obs_attribute_fields = attribute_fields(layout.observation_attributes)
    obs_attributes = tuple_getter([index for _, index in obs_attribute_fields])
    tails = attributes_text(obs_attribute_fields, obs_attributes)
    tail_texts = tails.texts
    obs_open = f'<Obs {obs_name}="'
    esc = escape
    to_text = text
    for row in rows:
        key = series_key(row)
        if key != previous:
            if previous is not _NOTHING:
                append("</Series>")
            previous = key
            append(element_open("<Series", series_fields, row) + ">")
        value = row[obs_index]
        if value is None:  # a row carrying only series attributes
            continue
        obs = obs_open + (time_texts.get(value) or times.miss(value)) + '"'
        for prefix, index in measure_fields:
            value = row[index]
            if value is not None:
                obs += prefix + esc(value if value.__class__ is str else to_text(value)) + '"'
        if obs_attribute_fields:
            cells = obs_attributes(row)
            tail = tail_texts.get(cells)
            if tail is None:
                tail = tails.miss(cells)
            append(obs + tail + "/>")
        else:
            append(obs + "/>")
        if len(chunks.parts) >= chunks.limit:
            yield chunks.take()
    if previous is not _NOTHING:
        append("</Series>")


def _write_flat(rows: Iterable[tuple], layout: MessageLayout, chunks: Chunks) -> Iterator[bytes]:
    """Observations carrying every dimension (dimensionAtObservation=AllDimensions)."""
    key_fields = attribute_fields(layout.observation_key)
    key_indices = [index for _, index in key_fields]
    other_fields = attribute_fields(layout.measures + layout.observation_attributes)
    append = chunks.append
    for row in rows:
        if None in [row[i] for i in key_indices]:
            continue
        append(element_open(element_open("<Obs", key_fields, row), other_fields, row) + "/>")
        if len(chunks.parts) >= chunks.limit:
            yield chunks.take()


class _Nothing:
    """A series key no row has."""


_NOTHING = _Nothing()
