"""SDMX REST grammar without Flask: paths, keys, periods and version keywords to typed queries."""
