"""Flask blueprints: the SDMX REST APIs, node services and pages; thin views only."""
