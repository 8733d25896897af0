"""SDMX-JSON 1.0 and 2.0 data messages: the reader into rows and the streaming writers."""

#: The name of the 2015 draft SDMX-JSON 1.0 layout, as sdmx1 knows it (media type
#: `application/vnd.sdmx.draft-sdmx-json+json`, and the bare token some .Stat endpoints
#: send); here so that the formats registry names it without importing the writers.
DRAFT_NAME = "draft-sdmx-json"
