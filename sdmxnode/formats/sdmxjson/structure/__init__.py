"""SDMX-JSON structure message writers, 1.0 (SDMX 2.1) and 2.0 (SDMX 3.0)."""
