"""The README's layout section lists the tree as it is: every package, and the modules of the
packages whose top level the architecture keeps small (sdmxnode/, formats/, services/, web/)."""

from __future__ import annotations

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sdmxnode"
#: Folders whose modules the README lists one by one (elsewhere it lists only the packages).
LISTED_MODULES = ("", "formats", "services", "web")
#: The most modules directly under formats/ and services/ (issue 13: "a handful").
MAX_TOP_MODULES = 8


def _readme_tree() -> set[str]:
    """The paths of the README's layout block, relative to sdmxnode/ ("formats/", "app.py")."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("\n```", 1)[0]
    paths: set[str] = set()
    stack: list[str] = []
    for line in block.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        stack[depth:] = [name]
        if depth == 0:
            assert name == "sdmxnode/", f"the layout block starts at sdmxnode/, not {name}"
            continue
        paths.add("".join(stack[1:]))
    return paths


def _disk_tree() -> set[str]:
    """The same paths on disk: every folder, and the modules of LISTED_MODULES."""
    paths: set[str] = set()
    for folder in PACKAGE.rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__":
            paths.add(folder.relative_to(PACKAGE).as_posix() + "/")
    for scope in LISTED_MODULES:
        for module in (PACKAGE / scope).glob("*.py"):
            if module.name not in ("__init__.py", "__main__.py"):
                paths.add(module.relative_to(PACKAGE).as_posix())
    return paths


def test_readme_layout_lists_the_tree() -> None:
    listed, on_disk = _readme_tree(), _disk_tree()
    assert not on_disk - listed, f"in sdmxnode/ but not in the README's layout: {on_disk - listed}"
    assert not listed - on_disk, f"in the README's layout but not in sdmxnode/: {listed - on_disk}"


def test_formats_and_services_keep_a_small_top_level() -> None:
    for scope in ("formats", "services"):
        modules = [m for m in (PACKAGE / scope).glob("*.py") if m.name != "__init__.py"]
        assert len(modules) <= MAX_TOP_MODULES, (scope, sorted(m.name for m in modules))


def test_every_package_says_what_it_is_for() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        text = init.read_text(encoding="utf-8").lstrip()
        assert text.startswith('"""'), f"{init.relative_to(PROJECT_ROOT)} has no docstring"
