"""A data answer asked again is one statement (issue 19: one series on PostgreSQL within 1.2x
of SQLite). The plan is made from the dataflow and data state found last for the same
dataflow reference, and the records are read with the dataflow's data mark in the same
statement; the answer is sent only if the mark is that state's, else the state is read and
the records again. On both engines: every load, structure change and concurrent load is
seen by the next answer, and answers are those the state-first path gives."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import event, text

from sdmxnode.services.data import answers
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.structures.loading import load_structures
from tests.conftest import POSTGRES_URL
from tests.live.hostile_payloads import code, codelist_message
from tests.races import race
from tests.web.conftest import STOCK_CSV_HEADER, stock_csv_row

FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
CSV = {"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"}
AREA = "FRA"
SERIES = f"/rest/data/{FLOW}/A.{AREA}.STOCK.FB._T._T._T._T"
FEW = f"/rest/data/{FLOW}/A.{AREA}+DEU.STOCK.FB._T._T._T._T"  # two series keys
FRANCE = f"/rest/data/{FLOW}/A.{AREA}......"  # an answer of no size known before
PERIOD = "1901"  # a period of its own: the demo data do not hold it
ROUNDS = 15


@pytest.fixture
def statements(own_app: Flask) -> Iterator[list[str]]:
    """The SELECT statements the node runs while the test does."""
    found: list[str] = []
    engine = own_app.extensions["sdmxnode"].store.engine

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("SELECT"):  # not SQLite's BEGIN, nor a PRAGMA
            found.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    yield found
    event.remove(engine, "before_cursor_execute", seen)


def _get(app: Flask, path: str = SERIES, **headers: str) -> tuple[int, str]:
    response = app.test_client().get(path, headers={**CSV, **headers})
    return response.status_code, response.get_data(as_text=True)


def _etag(app: Flask, path: str = SERIES) -> tuple[str, str]:
    """The ETag and body of an answer: the tag is the plan's, made from the data state."""
    response = app.test_client().get(path, headers=CSV)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    return response.headers["ETag"], body


def _load(app: Flask, folder: Path, value: str, name: str = "load") -> None:
    message = folder / f"{name}.csv"
    message.write_text(STOCK_CSV_HEADER + stock_csv_row("I", AREA, PERIOD, value))
    load_data(app.extensions["sdmxnode"], message, LoadOptions(source=name))


def _value(body: str) -> str | None:
    """The observation value of PERIOD in an SDMX-CSV 1.0 answer (None: not there)."""
    lines = body.splitlines()
    header = lines[0].split(",")
    period, value = header.index("TIME_PERIOD"), header.index("OBS_VALUE")
    found = [line.split(",")[value] for line in lines[1:] if line.split(",")[period] == PERIOD]
    assert len(found) <= 1, found
    return found[0] if found else None


def _marked(statements: list[str]) -> list[bool]:
    """Per statement: whether it read records (series or observations) with the data mark."""
    return [_records(statement) and "data_mark" in statement for statement in statements]


def _records(statement: str) -> bool:
    return "FROM series" in statement and "FROM artefacts" not in statement


def _state_then_records(statements: list[str]) -> bool:
    """Whether the dataflow's state was read, then records without the mark."""
    state = next(i for i, s in enumerate(statements) if "FROM artefacts" in s)
    return any(_records(s) and "data_mark" not in s for s in statements[state + 1 :])


def _comparable(body: str) -> str:
    """An answer without what differs between any two messages (the header's id and time)."""
    if body.startswith("{"):
        message = json.loads(body)
        message.pop("meta", None)
        return json.dumps(message, sort_keys=True)
    return re.sub(r"<mes:Header>.*</mes:Header>", "", body, flags=re.S)


def test_an_answer_asked_again_is_one_statement(
    own_app: Flask, statements: list[str], tmp_path: Path
) -> None:
    _load(own_app, tmp_path, "100")
    first = _get(own_app)
    assert first[0] == 200 and _value(first[1]) == "100"
    statements.clear()
    assert _get(own_app) == first
    assert _marked(statements) == [True]
    _get(own_app, FEW)
    statements.clear()
    assert _get(own_app, FEW)[0] == 200  # another key of the same dataflow: one too
    assert _marked(statements) == [True]


def test_a_load_of_another_dataflow_leaves_the_answer_one_statement(
    own_app: Flask, statements: list[str], tmp_path: Path
) -> None:
    """The mark is the dataflow's own: a load of another dataflow changes neither the
    answer's tag (a conditional request is still answered 304) nor the one statement the
    answer takes. The state read with the dataflow's lookup once named the last load of any
    dataflow: the tags of every dataflow changed with each load of the node, and the guess
    of every dataflow but the one loaded last failed, each answer taking three statements."""
    _load(own_app, tmp_path, "100")
    tag, body = _etag(own_app)
    other = tmp_path / "other.csv"
    row = stock_csv_row("I", AREA, PERIOD, "7")
    other.write_text(STOCK_CSV_HEADER + row.replace("DF_MIG_STOCK_IMS(", "DF_MIG_STOCK_IMS2017("))
    result = load_data(own_app.extensions["sdmxnode"], other, LoadOptions(source="other"))
    assert result.observations_written == 1
    # A conditional request reads the state first (and keeps it for the next guess).
    conditional = own_app.test_client().get(SERIES, headers={**CSV, "If-None-Match": tag})
    assert conditional.status_code == 304
    statements.clear()
    assert _etag(own_app) == (tag, body)
    assert _marked(statements) == [True]


def test_a_load_is_seen_by_the_next_answer(
    own_app: Flask, statements: list[str], tmp_path: Path
) -> None:
    """The mark read with the records differs: the state is read, then the records."""
    _load(own_app, tmp_path, "100")
    tag, body = _etag(own_app)
    assert _value(body) == "100"
    for value in ("101", "102", "103"):
        _load(own_app, tmp_path, value)
        statements.clear()
        before, (tag, body) = tag, _etag(own_app)
        assert _value(body) == value and tag != before  # a plan of the new state
        assert _marked(statements).count(True) == 1 and _marked(statements)[0]  # the guess
        assert _state_then_records(statements)
        statements.clear()
        assert _get(own_app) == (200, body)
        assert _marked(statements) == [True]


def test_a_structure_change_is_seen_by_the_next_answer(
    own_app: Flask, statements: list[str], tmp_path: Path
) -> None:
    """A stored artefact raises the store's generation, part of the mark: the plan, whose
    structure was taken at the generation the state named, is made again."""
    _load(own_app, tmp_path, "100")
    expected = _get(own_app)
    store = own_app.extensions["sdmxnode"].store
    generation = store.generation()
    load_structures(store, codelist_message(code("prefetch")), source="codelist")
    assert store.generation() > generation
    statements.clear()
    assert _get(own_app) == expected
    assert _marked(statements).count(True) == 1 and _marked(statements)[0]
    assert _state_then_records(statements)


def test_a_rewrite_of_the_data_row_changes_the_mark(own_app: Flask, tmp_path: Path) -> None:
    """On PostgreSQL two loads of one dataflow may commit out of the order of their load
    numbers within one second, leaving the last load and the time of change as they were:
    the mark also holds the row version of the data row, which every load rewrites. Here
    the row is rewritten with the same values."""
    _load(own_app, tmp_path, "100")
    node = own_app.extensions["sdmxnode"]
    pk = _dataflow_pk(own_app)
    state = node.data.data_state(pk)
    assert state is not None and state.mark
    with node.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE data_layouts SET updated = updated WHERE dataflow_pk = :pk"), {"pk": pk}
        )
    again = node.data.data_state(pk)
    assert again is not None
    if POSTGRES_URL:
        assert again.mark != state.mark
    else:  # SQLite's writers take turns: a load's number tells its order
        assert again.mark == state.mark


def _dataflow_pk(app: Flask) -> int:
    node = app.extensions["sdmxnode"]
    return next(
        a.pk for a in node.store.find_artefacts({"Dataflow"}, ["IMDX"], ["DF_MIG_STOCK_IMS"])
    )


def test_answers_are_those_of_the_state_first_path(
    own_app: Flask, statements: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Formats, details and keys: a prefetched answer is byte for byte the answer read with
    the state first."""
    _load(own_app, tmp_path, "100")
    paths = [
        SERIES,
        FEW,
        f"{SERIES}?detail=serieskeysonly",
        f"{SERIES}?detail=dataonly",
        f"{FEW}?startPeriod=2000&endPeriod=2010",
        f"{FEW}?lastNObservations=1",
        f"/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.{AREA}.STOCK.FB._T._T._T._T"
        "?c[OBS_STATUS]=E",
        f"/rest/data/{FLOW}/A.XXX.STOCK.FB._T._T._T._T",  # no data: 404 either way
    ]
    accepts = [
        CSV["Accept"],
        "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
        "application/vnd.sdmx.data+json;version=2.0.0",
    ]
    found = {}
    for path in paths:
        for accept in accepts:
            _get(own_app, path, Accept=accept)  # the guess, for the next one
            statements.clear()
            status, body = _get(own_app, path, Accept=accept)
            found[path, accept] = status, _comparable(body)
            assert _marked(statements)[0], (path, accept)  # prefetched (an empty one too)
    monkeypatch.setattr(answers, "prefetched_answer", lambda *_: None)
    for (path, accept), (status, body) in found.items():
        again = _get(own_app, path, Accept=accept)
        assert (again[0], _comparable(again[1])) == (status, body), (path, accept)
    assert found[paths[-1], CSV["Accept"]][0] == 404


def test_conditional_and_paged_requests_read_the_state_first(
    own_app: Flask, statements: list[str], tmp_path: Path
) -> None:
    _load(own_app, tmp_path, "100")
    _get(own_app)
    response = own_app.test_client().get(SERIES, headers=CSV)
    etag = response.headers["ETag"]
    response.close()
    statements.clear()
    assert (
        own_app.test_client().get(SERIES, headers={**CSV, "If-None-Match": etag}).status_code == 304
    )
    assert _marked(statements) == [False]  # the state alone: nothing read for nothing
    statements.clear()
    assert _get(own_app, SERIES, Range="values=0-0")[0] == 206
    assert not any(_marked(statements))


def test_an_answer_of_no_size_known_before_reads_the_state_first(
    own_app: Flask, statements: list[str]
) -> None:
    """Every record would carry the mark: for many records that costs more than the
    statement it spares (`prefetch_records`)."""
    expected = _get(own_app, FRANCE)
    assert expected[0] == 200 and expected[1].count("\n") > 4
    statements.clear()
    assert _get(own_app, FRANCE) == expected
    assert not any(_marked(statements)) and _state_then_records(statements)


def test_loads_racing_answers_are_seen(own_app: Flask, tmp_path: Path) -> None:
    """Two actors, many rounds: a load and an answer at once. The racing answer holds the
    value before or after the load (never a plan of one state with the records of another
    that the mark would have refused), and the answer after the load returns holds its
    value."""
    _load(own_app, tmp_path, "1000")
    tag, _ = _etag(own_app)
    for round_ in range(1, ROUNDS + 1):
        before, after = str(1000 + round_ - 1), str(1000 + round_)
        _, answer = race(
            lambda after=after: _load(own_app, tmp_path, after, name=f"load-{after}"),  # type: ignore[misc]
            lambda: _get(own_app),
        )
        status, body = cast(tuple[int, str], answer)
        assert status == 200 and _value(body) in (before, after), (round_, body)
        before_tag, (tag, body) = tag, _etag(own_app)
        assert _value(body) == after and tag != before_tag, round_
