"""Schema and structure validation of SDMX messages, and the report of findings."""
