"""SDMX-JSON reference metadata messages."""
