"""Harvesting structures and data from SDMX-REST sources: client, change report, schedule."""
