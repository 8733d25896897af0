"""Two actors writing the same metadata set at once never leave it torn, on either engine.

Each round, two threads load at the same moment (a barrier): one replaces the set with its
own content, the other deletes it or replaces it with other content. Whatever the order,
the store holds afterwards either no set or one whole set (its body one of those sent, its
target row present once), history has one row per write that succeeded, and no writer
fails with anything but "nothing to delete" (a set not yet held is decided under the same
lock: no duplicate-key failure when both create it).
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from sdmxnode.errors import NotFound
from sdmxnode.formats.metadata import from_json
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import metadata_set_history, metadata_set_targets, metadata_sets
from tests.services.metadata.conftest import KENYA

ROUNDS = 25
SOURCE = 'id="SOURCE" value="2019 Population and Housing Census"'


def _message(action: str, source: str) -> bytes:
    text = KENYA.read_text(encoding="utf-8").replace('action="Replace"', f'action="{action}"')
    return text.replace(SOURCE, f'id="SOURCE" value="{source}"').encode()


def test_concurrent_replace_and_delete_never_tear_a_set(node: Node) -> None:
    succeeded = 0
    lock = threading.Lock()
    failures: list[BaseException] = []

    def actor(message: bytes, barrier: threading.Barrier) -> None:
        nonlocal succeeded
        barrier.wait()
        try:
            load_metadata(node, message, MetadataLoadOptions(principal="race"))
        except NotFound:
            return  # deleting a set the other actor already deleted
        except BaseException as exc:  # noqa: BLE001 - any other failure fails the test
            failures.append(exc)
            return
        with lock:
            succeeded += 1

    for round_ in range(ROUNDS):
        other = _message("Delete", "") if round_ % 2 else _message("Replace", "B")
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=actor, args=(_message("Replace", "A"), barrier)),
            threading.Thread(target=actor, args=(other, barrier)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
        with node.store.engine.connect() as conn:
            bodies = conn.execute(select(metadata_sets.c.body)).scalars().all()
            targets = conn.execute(
                select(func.count()).select_from(metadata_set_targets)
            ).scalar_one()
            history = conn.execute(
                select(func.count()).select_from(metadata_set_history)
            ).scalar_one()
        assert len(bodies) <= 1
        if bodies:
            (report,) = from_json(bodies[0]).reports
            sources = {a.value for a in report.attributes if a.id == "SOURCE"}
            assert sources in ({"A"}, {"B"})
            assert targets == 1
        else:
            assert targets == 0
        # "unchanged" loads write nothing: history counts at most one row per success.
        assert history <= succeeded


def _two_sets(first: str, second: str) -> bytes:
    """The Kenya message holding two sets (ids `first`, then `second`), both Replace."""
    text = KENYA.read_text(encoding="utf-8")
    start, end = text.index("  <message:MetadataSet"), text.index("</message:GenericMetadata>")
    block = text[start:end]
    sets = "".join(block.replace('setID="MDS_KEN"', f'setID="{i}"') for i in (first, second))
    return (text[:start] + sets + text[end:]).encode()


def test_loads_naming_the_same_sets_in_another_order_do_not_deadlock(node: Node) -> None:
    """Each load locks every set it writes; two loads naming two sets in opposite orders
    must wait for each other (on PostgreSQL they deadlocked: one refused as busy)."""
    failures: list[BaseException] = []
    messages = (_two_sets("MDS_A", "MDS_B"), _two_sets("MDS_B", "MDS_A"))

    def actor(message: bytes, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            load_metadata(node, message, MetadataLoadOptions(principal="race"))
        except BaseException as exc:  # noqa: BLE001 - any failure fails the test
            failures.append(exc)

    for _ in range(ROUNDS):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=actor, args=(m, barrier)) for m in messages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
    with node.store.engine.connect() as conn:
        ids = conn.execute(select(metadata_sets.c.id)).scalars().all()
    assert sorted(ids) == ["MDS_A", "MDS_B"]
