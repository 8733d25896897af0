"""The aggregates that hierarchical code lists give over a code list: the source the
aggregate checks read (`StructureInfoBuilder`), with a code list's own parents and
groupings (`info.code_hierarchy`) as the fallback when no hierarchical code list covers it.

SDMX 2.1 `HierarchicalCodelist` and its SDMX 3.0 split into `Hierarchy` (one per 2.1
hierarchy) read the same here: every hierarchy of every hierarchical code list over the
code list contributes its hierarchical codes with children.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sdmx.model import common

log = logging.getLogger(__name__)


def listed_hierarchy(
    hcls: Iterable[Any], codelist: Any, order: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The aggregates that sdmx1 hierarchical code lists give over `codelist`: each
    hierarchical code with children, as its code and its children's codes, over every
    hierarchy. An aggregate has one member list: of a code that two hierarchies decompose
    differently, one list is kept and a warning logged (a structure an agency loads must
    not stop the data of every dataflow using the code list). Aggregates come in the order
    of `order` (the code list's own hierarchy), then as met."""
    members: dict[str, tuple[str, ...]] = {}
    stack = [
        code for hcl in hcls for hierarchy in hcl.hierarchy for code in hierarchy.codes.values()
    ]
    while stack:
        node = stack.pop()
        stack.extend(node.child)
        code = node.code
        if not node.child or not _in_codelist(code, codelist):
            continue
        listed = tuple(c.code.id for c in node.child if _in_codelist(c.code, codelist))
        if members.setdefault(code.id, listed) != listed:
            log.warning("%s has two member lists in the hierarchies: one is kept", code.id)
    rank = {code_id: i for i, (code_id, _) in enumerate(order)}
    return tuple(sorted(members.items(), key=lambda item: rank.get(item[0], len(rank))))


def _in_codelist(code: Any, codelist: Any) -> bool:
    parent = getattr(code, "parent", None)
    if isinstance(parent, common.Codelist):
        return bool(parent.id == codelist.id and parent.maintainer == codelist.maintainer)
    return code.id in codelist.items
