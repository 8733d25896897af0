"""A message meant for another structure: which held structure its components fit.

A message whose structure reference names the wrong dataflow (a copied header, a template
for the neighbouring table) fails on its first component that structure lacks; reporting
that component alone hides the real mistake. When the components the message gives fit
another structure the node holds completely (every component known to it, every dimension
of it given) while they do not fit the one named, the finding says so and names it:
OTHER_STRUCTURE, which replaces the UNKNOWN_COMPONENT and MISSING_DIMENSION findings that
only follow from the wrong reference (they are counted in `findings_suppressed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sdmxnode.validation.findings import ERROR, Finding


@dataclass(frozen=True)
class HeldStructure:
    """A dataflow the node holds, by the component ids of its DSD."""

    name: str  # 'AGENCY:ID(VERSION)' of the dataflow
    dsd: str  # 'AGENCY:ID(VERSION)' of its DSD
    dimensions: frozenset[str]  # the key dimensions and the time dimension
    components: frozenset[str]  # dimensions, measures and attributes


#: What a resolver offers to look for a better-fitting structure (None: it cannot).
HeldStructures = Callable[[], Sequence[HeldStructure]]


def _misfit(given: frozenset[str], structure: HeldStructure) -> tuple[int, int]:
    """(components given that `structure` lacks, dimensions of it not given)."""
    return len(given - structure.components), len(structure.dimensions - given)


def other_structure(
    given: Iterable[str], named_dsd: str, held: Sequence[HeldStructure], *, partial: bool = False
) -> tuple[HeldStructure, list[str]] | None:
    """The held structure the components `given` fit completely, when the structure named
    (by its DSD `named_dsd`) does not; with the components the named one lacks. Only ids
    that are components of some held structure count (SDMX-CSV 2.0 allows custom columns).
    With `partial`, `given` are one series' components (SDMX-ML, SDMX-JSON read as they
    go), which may lack the dimension at the observation level: one dimension of the
    structure may be missing. None when the named structure fits or no other fits."""
    known = frozenset().union(*(s.components for s in held)) if held else frozenset()
    ids = frozenset(given) & known
    named = [s for s in held if s.dsd == named_dsd]
    if not ids or not named or _misfit(ids, named[0]) == (0, 0):
        return None
    allowed = (0, 1) if partial else (0, 0)
    fitting = [
        s
        for s in held
        if s.dsd != named_dsd and _misfit(ids, s)[0] == 0 and _misfit(ids, s)[1] <= allowed[1]
    ]
    if not fitting:
        return None
    # The closest fit: the fewest components of its own the message leaves out.
    best = min(fitting, key=lambda s: (_misfit(ids, s)[1], len(s.components - ids), s.name))
    return best, sorted(ids - named[0].components)


def other_structure_finding(
    named: str, named_dsd: str, best: HeldStructure, lacking: list[str], *, line: int | None
) -> Finding:
    """The OTHER_STRUCTURE finding for a message naming `named` that fits `best`."""
    what = (
        f"gives {', '.join(lacking)}, which {named_dsd} does not define"
        if lacking
        else f"lacks dimensions of {named_dsd}"
    )
    return Finding(
        "OTHER_STRUCTURE",
        ERROR,
        f"the message names {named} but {what}: it seems to be for {best.name} (DSD {best.dsd}), "
        "whose components it fits; check the structure reference in its header",
        line=line,
    )
