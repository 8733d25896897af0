"""str:HierarchicalCodelist (SDMX-ML 2.1 §8) on the private dispatcher: written when the
node cannot serve the stored text as it is (stubs for `detail`, 3.0 input read into the
2.1 model). Codes are referenced in full (`str:Code`), which needs no IncludedCodelist."""

from __future__ import annotations

from typing import Any

from sdmx.model import common, v21

from sdmxnode.formats.sdmxml.structure21.base import (
    agency_id,
    identifiable,
    maintainable,
    ml21_writer,
    nameable,
    ref,
    version_of,
    xml_bool,
)


@ml21_writer
def _hierarchical_codelist(obj: v21.HierarchicalCodelist) -> Any:
    """str:HierarchicalCodelist with its hierarchies (none in a stub)."""
    head = (
        "urn:sdmx:org.sdmx.infomodel.codelist.Hierarchy="
        f"{agency_id(obj)}:{obj.id}({version_of(obj)})"
    )
    hierarchies = [
        nameable(
            h,
            "str:Hierarchy",
            *[_hierarchical_code(c) for c in h.codes.values()],
            urn=f"{head}.{h.id}",
            leveled="true" if xml_bool(h.has_formal_levels) == "true" else None,
        )
        for h in obj.hierarchy
    ]
    return maintainable(obj, "str:HierarchicalCodelist", *hierarchies)


def _hierarchical_code(obj: common.HierarchicalCode) -> Any:
    """str:HierarchicalCode: the code it stands for, then its children."""
    children = [_hierarchical_code(c) for c in obj.child]
    return identifiable(
        obj, "str:HierarchicalCode", ref(obj.code, "str:Code"), *children, with_urn=False
    )
