"""SDMX-CSV 1.0 and 2.0 data messages: the streaming reader into rows and the writers."""
