"""Registrations (pull mode): submission, queries and pulling of registered data sources."""
