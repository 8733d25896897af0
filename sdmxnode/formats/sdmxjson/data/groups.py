"""SDMX-JSON 2.0 `dimensionGroupAttributes`: attribute values by partial key, put on rows.

SDMX-JSON 2.0 field guide, "dimensionGroupAttributes": each key lists one value index per
dimension (empty for the dimensions the attribute does not depend on), in `keyPosition`
order; the values are the `structure.attributes.dimensionGroup` attributes' values or
indices. The key positions of a message whose keys only fit the dimensions in the order it
lists them (the SDMX-JSON WG's `agri` sample) are read in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any, Protocol

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxjson.data.structure import LEVELS, MessageComponent, MessageStructure


class RowPlacer(Protocol):
    """What the data set reader offers: where components go in a row and how items are read."""

    where: str
    base: list[str | None]

    def position(self, component_id: str) -> int:
        """The row index of a component."""

    def slot(self, component: MessageComponent) -> tuple[int, list[str | None] | None]:
        """Where a component's values go: its row index and the message's list of its values."""

    def apply(
        self,
        row: list[str | None],
        slots: list[tuple[int, list[str | None] | None]],
        items: Any,
        where: str,
    ) -> None:
        """Put the values `items` give into `row` at the slots."""


class GroupAttributes:
    """SDMX-JSON 2.0 `dimensionGroupAttributes`: values by partial key, applied per row."""

    def __init__(self) -> None:
        self.tables: list[tuple[Callable[[list], tuple], dict[tuple, list[tuple[int, str]]]]] = []

    @classmethod
    def build(cls, reader: RowPlacer, message: MessageStructure, raw: Any) -> GroupAttributes:
        """The group attributes of a data set's `dimensionGroupAttributes`, by partial key."""
        groups = cls()
        if not raw:
            return groups
        where = f"{reader.where}.dimensionGroupAttributes"
        if not isinstance(raw, dict):
            raise Invalid("dimensionGroupAttributes is not a JSON object", where=where)
        listed = [c for level in LEVELS for c in message.dimensions[level]]
        by_position = sorted(listed, key=lambda c: (c.key_position is None, c.key_position or 0))
        order = next((o for o in (by_position, listed) if _fits(raw, o)), None)
        if order is None:
            raise Invalid("its keys do not match the message's dimensions and values", where=where)
        slots = [reader.slot(c) for c in message.attributes["dimensionGroup"]]
        tables: dict[tuple[int, ...], dict[tuple, list[tuple[int, str]]]] = {}
        for key, items in raw.items():
            parts = key.split(":")
            filled = [(i, p) for i, p in enumerate(parts) if p != ""]
            columns = tuple(reader.position(order[i].id) for i, _ in filled)
            values = tuple((order[i].values or [])[int(p)] for i, p in filled)
            row: list[str | None] = [None] * len(reader.base)
            reader.apply(row, slots, items, f"{where}[{key!r}]")
            assigned = [(pos, row[pos]) for pos, _ in slots if row[pos] is not None]
            tables.setdefault(columns, {})[values] = assigned  # type: ignore[assignment]
        for columns, table in tables.items():
            getter = itemgetter(*columns) if len(columns) > 1 else _single(columns[0])
            groups.tables.append((getter, table))
        return groups

    def apply(self, row: list[str | None]) -> None:
        """Put the group attributes whose partial key matches the row into it."""
        for getter, table in self.tables:
            assigned = table.get(getter(row))
            if assigned:
                for position, value in assigned:
                    row[position] = value


def _single(index: int) -> Callable[[list], tuple]:
    def get(row: list) -> tuple:
        return (row[index],)

    return get


def _fits(raw: dict[str, Any], order: list[MessageComponent]) -> bool:
    """Whether every key of `raw` indexes existing values of the dimensions in `order`."""
    for key in raw:
        parts = key.split(":")
        if len(parts) != len(order):
            return False
        for component, part in zip(order, parts, strict=True):
            if part == "":
                continue
            if not part.isdigit() or int(part) >= len(component.values or []):
                return False
    return True
