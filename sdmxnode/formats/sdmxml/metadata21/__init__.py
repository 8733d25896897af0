"""SDMX-ML 2.1 generic reference metadata (GenericMetadata messages)."""
