"""SDMX-ML 3.0 generic reference metadata (GenericMetadata messages)."""
