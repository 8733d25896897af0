"""Figures of the same key and period from several data providers, side by side (issue 17:
a census count next to an international estimate), for the comparability page."""

from __future__ import annotations

from dataclasses import dataclass, field

from sdmxnode.services.node import Node
from sdmxnode.storage.check_reads import select_shared_figures
from sdmxnode.storage.records import StoredArtefact

#: The most keys and periods the comparability page lists.
MAX_SHARED = 500


@dataclass(frozen=True)
class SharedFigure:
    """One series key and period that several providers report: each provider's value."""

    key: str
    period: str
    figures: tuple[tuple[str, str | None], ...]  # (provider 'AGENCY:ID', value), by provider


@dataclass(frozen=True)
class SharedFigures:
    """The keys and periods reported by several providers (at most `MAX_SHARED`)."""

    providers: tuple[str, ...]  # every provider named, sorted
    figures: list[SharedFigure] = field(default_factory=list)
    truncated: bool = False


def list_shared_figures(
    node: Node, dataflow: StoredArtefact, limit: int = MAX_SHARED
) -> SharedFigures:
    """Each key and period of `dataflow` that two or more providers report, with each
    provider's value; the database sorts, the check holds one key and period at a time."""
    found: list[SharedFigure] = []
    providers: set[str] = set()
    current: tuple[str, str] | None = None
    figures: list[tuple[str, str | None]] = []
    truncated = False
    with node.data.reading() as reader:
        for key, period, provider, value in reader.stream(select_shared_figures(dataflow.pk)):
            if (key, period) != current:
                if current is not None:
                    found.append(SharedFigure(*current, tuple(figures)))
                if len(found) >= limit:
                    truncated, current = True, None
                    break
                current, figures = (key, period), []
            figures.append((provider, value))
            providers.add(provider)
    if current is not None:
        found.append(SharedFigure(*current, tuple(figures)))
    return SharedFigures(tuple(sorted(providers)), found, truncated)
