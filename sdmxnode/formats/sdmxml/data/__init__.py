"""SDMX-ML data messages: the streaming reader into rows and the streaming writers."""
