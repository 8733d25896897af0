"""The layers keep their lanes: SQL and engines only in storage/, no storage in web/ or cli/,
no storage in formats/ (the architecture's import rules, issue 13)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sdmxnode"


def _modules(*folders: str) -> Iterator[Path]:
    for folder in folders or ("",):
        yield from sorted((PACKAGE / folder).rglob("*.py"))


def _imported(path: Path) -> Iterator[tuple[int, str]]:
    """Every module a file imports, with the line (also inside functions and TYPE_CHECKING)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module


def _outside_storage() -> Iterator[Path]:
    storage = PACKAGE / "storage"
    return (path for path in _modules() if storage not in path.parents)


def test_only_storage_imports_sqlalchemy() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in _outside_storage()
        for line, name in _imported(path)
        if name == "sqlalchemy" or name.startswith("sqlalchemy.")
    ]
    assert not found, found


def test_web_cli_and_formats_do_not_import_storage() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in _modules("web", "cli", "formats")
        for line, name in _imported(path)
        if name == "sdmxnode.storage" or name.startswith("sdmxnode.storage.")
    ]
    assert not found, found


def test_only_storage_touches_an_engine() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} uses .{node.attr}"
        for path in _outside_storage()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("engine", "connect", "begin")
    ]
    assert not found, found


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The walkers above find what they look for (so that an empty answer means something)."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sqlalchemy import select\nimport sdmxnode.storage.data\n"
        "def f(node):\n    with node.data.engine.connect() as conn:\n        return conn\n",
        encoding="utf-8",
    )
    names = [name for _, name in _imported(sample)]
    assert names == ["sqlalchemy", "sdmxnode.storage.data"]
    attributes = {
        n.attr for n in ast.walk(ast.parse(sample.read_text())) if isinstance(n, ast.Attribute)
    }
    assert {"engine", "connect"} <= attributes
