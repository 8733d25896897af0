"""SDMX-ML registry interface messages (RegistryInterface): registrations and others."""
