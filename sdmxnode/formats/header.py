"""The message header the node writes: one value shared by every structure and data writer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MessageHeader:
    """What the node writes in the header of a message (SDMX-ML mes:Header, SDMX-JSON meta)."""

    id: str
    sender: str
    prepared: datetime | None = None
    test: bool = False
