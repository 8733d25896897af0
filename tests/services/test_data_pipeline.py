"""Large loads read by a child process: the same stored content, findings and rollback as
loads read in process (the size threshold is lowered so that small files take that path)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import delete

from sdmxnode.app import create_app
from sdmxnode.errors import LoadRejected, StorageError
from sdmxnode.formats.rows import structure_info_from_json
from sdmxnode.services.data import loading as data_loading
from sdmxnode.services.data import pipeline as data_pipeline
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import structure_derivations
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template
from tests.services.store_dumps import dump_observations, dump_tables

DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
INVALID = PROJECT_ROOT / "fixtures" / "invalid"
SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"


@pytest.fixture
def piped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file goes through the child process; the list names the loads that did."""
    monkeypatch.setattr(data_pipeline, "PIPELINE_MIN_BYTES", 0)
    # Threads earlier tests of this worker process left (idle ones: the live tests' log
    # readers) would keep the loads in this process; what is tested is the child's path.
    monkeypatch.setattr(data_pipeline.threading, "active_count", lambda: 1)
    calls: list[str] = []
    real = data_loading.piped_datasets

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["source"])
        return real(*args, **kwargs)

    monkeypatch.setattr(data_loading, "piped_datasets", spy)
    return calls


def test_the_child_path_is_taken(piped: list[str]) -> None:
    assert data_pipeline.can_pipeline(DEMO)
    assert not data_pipeline.can_pipeline(DEMO.read_bytes())  # bytes stay in process


def test_demo_data_stores_the_same_either_way(
    structures_node: Node, piped: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = load_data(structures_node, DEMO, LoadOptions(source=DEMO.name))
    assert piped == [DEMO.name]
    assert result.observations_written == 5538
    assert result.report.observations == 5538 and result.report.is_valid
    piped_content = dump_observations(structures_node)

    monkeypatch.setattr(data_pipeline, "PIPELINE_MIN_BYTES", 10**12)  # now in process
    other = create_app({"DATABASE_URL": fresh_database(tmp_path), "DEMO_DATA": ""})
    node = other.extensions["sdmxnode"]
    initialise_from_template(node)
    load_data(node, DEMO, LoadOptions(source=DEMO.name))
    assert dump_observations(node) == piped_content
    node.store.engine.dispose()


def test_what_the_child_built_of_the_structures_is_kept_with_the_load(
    structures_node: Node, piped: list[str]
) -> None:
    with structures_node.store.engine.begin() as conn:
        conn.execute(delete(structure_derivations))
    load_data(structures_node, DEMO, LoadOptions(source=DEMO.name))
    assert piped == [DEMO.name]
    name = "Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    kept = structures_node.store.derivation("info", name, structures_node.store.generation())
    assert kept is not None
    assert structure_info_from_json(kept).dataflow == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"


@pytest.mark.parametrize(
    "name, code",
    [
        ("unknown-code.xml", "UNKNOWN_CODE"),
        ("duplicate-observation.xml", "DUPLICATE"),
        ("unknown-dimension.xml", "UNKNOWN_COMPONENT"),
        ("unknown-dataflow.xml", "UNKNOWN_STRUCTURE"),
    ],
)
def test_rejected_through_the_child_and_nothing_changes(
    structures_node: Node, piped: list[str], name: str, code: str
) -> None:
    load_data(
        structures_node, SMALL / "small-structurespecific-21.xml", LoadOptions(source="small")
    )
    before = dump_tables(structures_node.store.engine)
    with pytest.raises(LoadRejected) as caught:
        load_data(structures_node, INVALID / name, LoadOptions(source=name))
    assert piped[-1] == name
    assert [f.code for f in caught.value.report.findings] == [code]
    assert dump_tables(structures_node.store.engine) == before


def test_a_truncated_file_through_the_child(
    structures_node: Node, piped: list[str], tmp_path: Path
) -> None:
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(DEMO.read_bytes()[: len(DEMO.read_bytes()) // 2])
    before = dump_tables(structures_node.store.engine)
    with pytest.raises(LoadRejected) as caught:
        load_data(structures_node, broken, LoadOptions(source=broken.name))
    assert piped == [broken.name]
    assert caught.value.report.findings[0].code == "UNREADABLE"
    assert dump_tables(structures_node.store.engine) == before


def test_an_update_through_the_child_finds_the_stored_series_attributes(
    structures_node: Node, piped: list[str], tmp_path: Path
) -> None:
    """The reading child asks the store too: a stored series need not repeat its mandatory
    series attributes, a new one must (missing-mandatory-attribute.xml lacks REVISION)."""
    name = "missing-mandatory-attribute.xml"
    message = tmp_path / name
    message.write_bytes((INVALID / name).read_bytes())
    with pytest.raises(LoadRejected):
        load_data(structures_node, message, LoadOptions(source="new"))
    load_data(structures_node, DEMO, LoadOptions(source="demo"))
    result = load_data(structures_node, message, LoadOptions(source="update"))
    assert result.report.errors == 0
    assert piped == ["new", "demo", "update"]


class _Alive:
    """A child process stand-in that never ends."""

    def is_alive(self) -> bool:
        return True


def test_batches_cross_marshalled_or_as_they_are() -> None:
    """Rows of text, numbers and None cross marshalled; a batch holding a value marshal
    cannot write crosses as it is; the loading process reads both the same."""
    import queue
    from decimal import Decimal

    plain = [("A", "FRA", None, "1990", "5", 7), ("A", "DEU", None, "1991", "6.5", 8)]
    odd = [("A", "FRA", Decimal("1.5"), 9)]
    assert data_pipeline._batch_message(plain)[0] == "marshalled"
    assert data_pipeline._batch_message(odd) == ("rows", odd)
    channel: queue.Queue = queue.Queue()
    for message in (data_pipeline._batch_message(plain), data_pipeline._batch_message(odd)):
        channel.put(message)
    channel.put(("end", None))
    assert list(data_pipeline._rows(channel, _Alive())) == plain + odd


def test_a_silent_reading_process_ends_the_load_and_nothing_changes(
    structures_node: Node, piped: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that hangs (here: sleeps) is given up after CHILD_TIMEOUT_SECONDS: the load
    fails with a StorageError, is rolled back, and the child does not outlive it."""
    children: list[object] = []
    real_process = data_pipeline.multiprocessing.get_context("fork").Process

    def hanging_read(*args: object, **kwargs: object) -> object:
        time.sleep(600)
        raise AssertionError("not reached")

    def recorded_process(*args: object, **kwargs: object) -> object:
        process = real_process(*args, **kwargs)
        children.append(process)
        return process

    monkeypatch.setattr(data_pipeline, "read_data", hanging_read)  # the fork inherits it
    monkeypatch.setattr(data_pipeline, "CHILD_TIMEOUT_SECONDS", 1.5)
    context = data_pipeline.multiprocessing.get_context("fork")
    monkeypatch.setattr(context, "Process", recorded_process)
    before = dump_tables(structures_node.store.engine)
    started = time.monotonic()
    with pytest.raises(StorageError, match="sent nothing for 1.5 s"):
        load_data(structures_node, DEMO, LoadOptions(source=DEMO.name))
    assert time.monotonic() - started < 60  # not the child's 600 s of sleep
    assert piped == [DEMO.name]
    assert len(children) == 1 and not children[0].is_alive()  # type: ignore[attr-defined]
    assert dump_tables(structures_node.store.engine) == before
