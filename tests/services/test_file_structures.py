"""Structures from files for `sdmxnode validate`: the on-disk StructureInfo cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sdmxnode.errors import NotFound
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.structures.files import (
    FileStructures,
    default_cache_dir,
    structures_resolver,
)
from tests.conftest import PROJECT_ROOT

FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
SMALL = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-structurespecific-21.xml"
AREAS = PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"
FOLDERS = [PROJECT_ROOT / "codelists", PROJECT_ROOT / "dsd"]


def _no_build(self: FileStructures) -> None:
    raise AssertionError("the structure files were read: the cache was not used")


def test_second_resolver_answers_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with structures_resolver([], FOLDERS, tmp_path) as resolve:
        built = resolve(FLOW)
    assert list((tmp_path / "structure-info").glob("*.pickle"))
    monkeypatch.setattr(FileStructures, "_builder", _no_build)
    with structures_resolver([], FOLDERS, tmp_path) as resolve:
        cached = resolve(FLOW)
    assert cached == built
    assert cached.dataflow == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert "FRA" in next(d for d in cached.dimensions if d.id == "REF_AREA").codes


def test_a_changed_structure_file_is_read_again(tmp_path: Path) -> None:
    """A --structure file that changes (here: a code list that loses a code) changes the key."""
    folders = [tmp_path / "codelists", PROJECT_ROOT / "dsd"]
    folders[0].mkdir()
    for path in (PROJECT_ROOT / "codelists").glob("*.xml"):
        (folders[0] / path.name).write_bytes(path.read_bytes())
    cache = tmp_path / "cache"
    with structures_resolver([], folders, cache) as resolve:
        before = next(d for d in resolve(FLOW).dimensions if d.id == "REF_AREA")
    areas = folders[0] / AREAS.name
    text = areas.read_text(encoding="utf-8")
    start = text.index('<str:Code id="FRA"')
    end = text.index("</str:Code>", start) + len("</str:Code>")
    areas.write_text(text[:start] + text[end:], encoding="utf-8")
    with structures_resolver([], folders, cache) as resolve:
        after = next(d for d in resolve(FLOW).dimensions if d.id == "REF_AREA")
    assert "FRA" in before.codes and "FRA" not in after.codes


def test_an_unreadable_entry_is_built_again(tmp_path: Path) -> None:
    with structures_resolver([], FOLDERS, tmp_path) as resolve:
        built = resolve(FLOW)
    (entry,) = (tmp_path / "structure-info").glob("*.pickle")
    entry.write_bytes(b"torn")
    with structures_resolver([], FOLDERS, tmp_path) as resolve:
        assert resolve(FLOW) == built
    assert entry.read_bytes() != b"torn"  # written again


def test_unknown_references_are_not_cached(tmp_path: Path) -> None:
    with structures_resolver([], FOLDERS, tmp_path) as resolve:
        with pytest.raises(NotFound, match="closest"):
            resolve(ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOK_IMS", "1.0.0"))
    assert not list(tmp_path.glob("structure-info/*.pickle"))


def test_cache_setting() -> None:
    assert default_cache_dir("off") is None
    assert default_cache_dir(" OFF ") is None
    assert default_cache_dir("/var/cache/x") == Path("/var/cache/x")
    assert default_cache_dir("").name == "sdmxnode"


def test_cached_validate_starts_without_store_sdmx1_or_pandas(tmp_path: Path) -> None:
    """What makes a cached `sdmxnode validate` start as fast as a parser: it imports
    neither the store (SQLAlchemy), sdmx1 nor pandas."""
    env = {
        **os.environ,
        "SDMXNODE_VALIDATE_CACHE": str(tmp_path / "cache"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    probe = (
        "import json, sys\n"
        "from sdmxnode.cli import main\n"
        "try:\n"
        "    main(['validate', sys.argv[1]])\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "heavy = [m for m in ('sqlalchemy', 'sdmx', 'pandas') if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(SMALL)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in runs)
    assert "valid: 0 error(s)" in runs[1].stdout
    assert first["code"] == second["code"] == 0
    assert "sdmx" in first["heavy"]  # the first run built the cache
    assert second["heavy"] == []
