"""sdmxnode: an SDMX node for the exchange of international-migration statistics."""

__version__ = "0.1.0"
