"""Flask views of the SDMX REST APIs: 1.5 at /rest/ and 2.x at /rest/v2/ (mirrors sdmxnode.rest)."""
