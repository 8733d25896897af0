"""The DSD-specific XML schemas of structure-specific data (SDMX 2.1 and 3.0)."""
