"""Every exception class of the node is declared in sdmxnode/errors.py."""

from __future__ import annotations

import ast
import inspect

from sdmxnode import errors
from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sdmxnode"
#: The node's own exception classes, which a class elsewhere could derive from.
OWN = {
    name
    for name, value in vars(errors).items()
    if inspect.isclass(value) and issubclass(value, BaseException)
}


def _exception_classes(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(base) for base in node.bases]
            names = [base.rsplit(".", 1)[-1] for base in bases]
            if any(name in OWN or name.endswith(("Exception", "Error")) for name in names):
                found.append(node.name)
    return found


def test_no_exception_class_outside_errors_module() -> None:
    outside = {
        str(path.relative_to(PROJECT_ROOT)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "errors.py"
        and (names := _exception_classes(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert outside == {}
