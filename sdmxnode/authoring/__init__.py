"""Generators of the node's own SDMX content: code lists, DSDs and the demo data."""
