"""The explorer's filters as trees: options in code list hierarchy order, the members of a
region, and the aggregates chosen together with their own members."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sdmxnode.errors import NotFound
from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import get_artefact, model_of
from sdmxnode.services.pages.dataflow import ComponentView, DataflowView

#: An aggregate code's member codes, as `Component.hierarchy` gives them (the hierarchy the
#: aggregate check uses: the hierarchies associated with the dimension, else those over its
#: code list, else the code list's parents and MEMBERS groupings).
Tree = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class TreeOption:
    """An option of a filter in hierarchy order: its depth below the nearest listed
    ancestor and that ancestor ('' for a top-level option)."""

    code: str
    name: str
    level: int
    parent: str


def code_parents(node: Node, component: ComponentView | None, generation: int) -> Mapping[str, str]:
    """Code -> its parent code, from the `Parent` of each code of the component's code list
    (none when it has no code list or the node lacks it); kept per store `generation`
    (`StructureStore.generation`, read once per page)."""
    if component is None or not component.codelist_id or not component.codelist_agency:
        return {}
    agency, id_, version = (
        component.codelist_agency,
        component.codelist_id,
        component.codelist_version,
    )
    key = ("explorer-code-parents", generation, agency, id_, version)
    return node.cache.derived(key, lambda: _read_parents(node, agency, id_, version))


def _read_parents(node: Node, agency: str, id_: str, version: str | None) -> dict[str, str]:
    try:
        codelist = model_of(node, get_artefact(node, "Codelist", agency, id_, version))
    except NotFound:
        return {}  # a code list the node does not hold: a flat list
    parents = {}
    for code_id, code in getattr(codelist, "items", {}).items():
        parent = getattr(code, "parent", None)
        parent_id = getattr(parent, "id", None)
        if parent_id and parent_id in codelist.items:
            parents[str(code_id)] = str(parent_id)
    return parents


def tree_options(
    options: Sequence[tuple[str, str]], parents: Mapping[str, str]
) -> list[TreeOption]:
    """`options` (code, name) in hierarchy order: each code after its nearest ancestor among
    the options, siblings in their given (code list) order, depth counted in listed
    ancestors. Codes caught in a cycle of parents come last, at the top level."""
    listed = {code for code, _ in options}
    names = dict(options)
    children: dict[str, list[str]] = {}
    for code, _ in options:
        children.setdefault(_listed_ancestor(code, parents, listed), []).append(code)
    ordered: list[TreeOption] = []
    seen: set[str] = set()
    stack = [(code, 0, "") for code in reversed(children.get("", []))]
    while stack:
        code, level, parent = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        ordered.append(TreeOption(code, names[code], level, parent))
        stack.extend((c, level + 1, code) for c in reversed(children.get(code, [])))
    ordered += [TreeOption(code, name, 0, "") for code, name in options if code not in seen]
    return ordered


def _listed_ancestor(code: str, parents: Mapping[str, str], listed: set[str]) -> str:
    """The nearest ancestor of `code` among `listed` ('' when none)."""
    seen = {code}
    parent = parents.get(code, "")
    while parent and parent not in listed and parent not in seen:
        seen.add(parent)
        parent = parents.get(parent, "")
    return parent if parent in listed and parent != code else ""


def members_with_data(tree: Tree, aggregate: str, listed: Collection[str]) -> tuple[str, ...]:
    """The members of `aggregate` among `listed` codes: each member listed, and in place of a
    member that is not, its own members (as the aggregate check expands a missing member)."""
    present = listed if isinstance(listed, (set, frozenset)) else set(listed)
    found: list[str] = []
    seen = {aggregate}
    todo = list(reversed(tree.get(aggregate, ())))
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        if code in present:
            found.append(code)
        else:
            todo.extend(reversed(tree.get(code, ())))
    return tuple(found)


def region_members(tree: Tree, listed: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each listed aggregate with members among `listed` -> those members."""
    ordered = list(dict.fromkeys(listed))
    present = set(ordered)
    found = {}
    for code in ordered:
        if code in tree:
            members = members_with_data(tree, code, present)
            if members:
                found[code] = members
    return found


def descendants(tree: Tree, aggregate: str) -> frozenset[str]:
    """Every code below `aggregate` in `tree` (members, their members, ...)."""
    found: set[str] = set()
    todo = list(tree.get(aggregate, ()))
    while todo:
        code = todo.pop()
        if code in found or code == aggregate:
            continue
        found.add(code)
        todo.extend(tree.get(code, ()))
    return frozenset(found)


def aggregates_with_members(
    tree: Tree, chosen: Sequence[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each chosen aggregate that some other chosen code lies below, with those codes: their
    lines would be charted beside their own sum."""
    found = []
    for code in chosen:
        below = descendants(tree, code)
        inside = tuple(c for c in chosen if c in below)
        if inside:
            found.append((code, inside))
    return tuple(found)


def region_choice(view: DataflowView, dimension: str, aggregate: str) -> str:
    """The '+'-joined members of `aggregate` in `dimension`'s hierarchy that have data in
    the dataflow (a member without data gives way to its own members), or `aggregate`
    itself when it has none: what the form's "members of a region" choice selects."""
    for component in view.structure.dimensions:
        if component.id == dimension:
            available = [code for code, _ in view.available_codes(dimension)]
            listed = available or [c for _, ms in component.hierarchy for c in ms]
            members = members_with_data(dict(component.hierarchy), aggregate, listed)
            return "+".join(members) or aggregate
    return aggregate
