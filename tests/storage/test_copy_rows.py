"""`copy_rows`: what a load's batches write, whichever COPY format PostgreSQL takes them in.

On PostgreSQL rows of text (or None) go in COPY's binary format, any other value in a text
column in the text format; both must store exactly what the rows hold.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sdmxnode.refs import ArtefactRecord, ArtefactRef
from sdmxnode.storage.data import history
from sdmxnode.storage.data.history import MADE_TEXT, OBSERVATION_COLUMNS, copy_rows
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import observations, series

#: Values a text COPY must escape, or that look like its markers.
AWKWARD = ["a\tb", "line\nbreak", "cr\rhere", "back\\slash", "\\N", "", "ümlaut ∑ 🌍", "x" * 5000]


@pytest.fixture
def series_pk(store: StructureStore) -> int:
    """One series of a fresh dataflow, inserted with copy_rows."""
    ref = ArtefactRef("Dataflow", "T", "DF", "1.0")
    store.put_artefacts([ArtefactRecord(ref, True, "DF", "2.1", b"<x/>")])
    dataflow_pk = store.find_artefacts()[0].pk
    columns = ("pk", "dataflow_pk", "provider", "series_key", "attributes", "d0", "d1")
    with store.engine.begin() as conn:
        copy_rows(conn, "series", columns, [(7, dataflow_pk, "", "A.\\N", None, "A", "\\N")])
        assert conn.execute(select(series.c.d1, series.c.attributes)).one() == ("\\N", None)
    return 7


def _rows(pk: int, values: list) -> list[tuple]:
    return [
        (pk, str(2000 + i), f"{2000 + i}-01-01", f"{2000 + i}-12-31", value, attributes, 1)
        for i, (value, attributes) in enumerate(zip(values, [*values[1:], None], strict=True))
    ]


def _stored(store: StructureStore) -> list[tuple]:
    columns = [observations.c[c] for c in OBSERVATION_COLUMNS]
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*columns).order_by(observations.c.period))]


def test_awkward_text_and_none_are_stored_as_given(store: StructureStore, series_pk: int) -> None:
    rows = _rows(series_pk, [*AWKWARD, None])
    with store.engine.begin() as conn:
        copy_rows(conn, "observations", OBSERVATION_COLUMNS, rows, text_known=MADE_TEXT)
    assert _stored(store) == rows


def test_a_number_in_a_text_column_is_stored_as_its_text(
    store: StructureStore, series_pk: int
) -> None:
    rows = _rows(series_pk, ["1", 2.5, 3, None])
    with store.engine.begin() as conn:
        copy_rows(conn, "observations", OBSERVATION_COLUMNS, rows, text_known=MADE_TEXT)
    assert [row[4] for row in _stored(store)] == ["1", "2.5", "3", None]


def test_binary_and_text_formats_store_the_same(
    store: StructureStore, series_pk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rows once as the binary format takes them, once forced to the text one."""
    rows = _rows(series_pk, [*AWKWARD, None])
    with store.engine.begin() as conn:
        copy_rows(conn, "observations", OBSERVATION_COLUMNS, rows, text_known=MADE_TEXT)
    first = _stored(store)
    with store.engine.begin() as conn:
        conn.execute(observations.delete())
    monkeypatch.setattr(history, "_binary_types", lambda table, columns: None)
    with store.engine.begin() as conn:
        copy_rows(conn, "observations", OBSERVATION_COLUMNS, rows, text_known=MADE_TEXT)
    assert _stored(store) == first == rows


def test_which_rows_go_in_the_binary_format() -> None:
    types = history._binary_types("observations", OBSERVATION_COLUMNS)
    assert types == ("int4", "text", "text", "text", "text", "text", "int4")
    assert history._binary_types("staged_keys", ("series_pk", "period")) == ("int4", "text")
    text_rows = _rows(1, ["1", None])
    assert history._only_text(text_rows, OBSERVATION_COLUMNS, types, MADE_TEXT)
    assert not history._only_text(_rows(1, ["1", 2.5]), OBSERVATION_COLUMNS, types, MADE_TEXT)
    # A column the caller vouches for is not looked over; one it does not, is.
    odd_period = [(1, 2001, "2001-01-01", "2001-12-31", "1", None, 1)]
    assert history._only_text(odd_period, OBSERVATION_COLUMNS, types, MADE_TEXT)
    assert not history._only_text(odd_period, OBSERVATION_COLUMNS, types, ())
