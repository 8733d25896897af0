"""Columnar downloads (Apache Parquet, Arrow IPC): their media types, known without importing
pyarrow, and (in `writers`) their writers."""

from __future__ import annotations

#: Apache Parquet (IANA registration of 2024) and the Arrow IPC stream format.
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"
ARROW_MEDIA_TYPE = "application/vnd.apache.arrow.stream"
COLUMNAR_MEDIA_TYPES = frozenset({PARQUET_MEDIA_TYPE, ARROW_MEDIA_TYPE})
