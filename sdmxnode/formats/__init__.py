"""The registry of SDMX formats: media types, readers and writers."""
