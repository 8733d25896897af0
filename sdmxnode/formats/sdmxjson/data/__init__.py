"""SDMX-JSON 1.0 and 2.0 data messages: the reader into rows and the streaming writers."""
