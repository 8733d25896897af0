"""How a dataflow's components map onto the data tables' columns (its layout)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Layout:
    """Component ids per storage place: key columns, time, measures, attributes by level."""

    dsd: str
    dimensions: tuple[str, ...]
    time_dimension: str | None
    measures: tuple[str, ...]
    series_attributes: tuple[str, ...]  # series and group level, stored per series
    observation_attributes: tuple[str, ...]
    dataset_attributes: tuple[str, ...]

    def to_json(self) -> str:
        """The layout as compact JSON, as the data_layouts table keeps it."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Layout:
        """The layout from its JSON form."""
        raw = json.loads(text)
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        return cls(**values)
