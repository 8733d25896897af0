"""SDMX-ML reference metadata: generic metadata messages of SDMX 2.1 and 3.0, read and written."""
