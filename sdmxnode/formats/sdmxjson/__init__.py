"""SDMX-JSON: data messages (read and written) and structure messages (written)."""
