"""The SQLite engine's operator defaults: private files, durable commits, write transactions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from sdmxnode.cli.serve import control_socket_path
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.writing import writing


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask would make it world-readable
    try:
        engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        engine.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "node.db").stat().st_mode) == 0o600


def test_an_existing_sqlite_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    engine = create_store_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize(("durable", "level"), [(True, 2), (False, 1)])  # FULL, NORMAL
def test_sqlite_commits_are_durable_unless_relaxed(
    tmp_path: Path, durable: bool, level: int
) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}", durable=durable)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar_one() == level
    engine.dispose()


def test_a_sqlite_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a second writer cannot start (and times out) before any write."""
    url = f"sqlite:///{tmp_path / 'node.db'}"
    first = create_store_engine(url)
    second = create_store_engine(url, write_wait=0.1)
    with first.connect() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.commit()
    with writing(first) as conn:
        conn.execute(text("SELECT count(*) FROM t"))  # a read only, so far
        with pytest.raises(Exception, match="locked"), writing(second):
            pass
    first.dispose()
    second.dispose()


def test_each_served_address_gets_its_own_control_socket() -> None:
    paths = {control_socket_path("127.0.0.1", 8000), control_socket_path("127.0.0.1", 8001)}
    paths.add(control_socket_path("::1", 8000))
    assert len(paths) == 3
