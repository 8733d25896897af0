"""Streaming SDMX-ML data writers: 2.1 generic and structure-specific, 3.0 structure-specific."""
