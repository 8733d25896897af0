"""Registrations (pull mode): the model the node keeps and its JSON face."""
