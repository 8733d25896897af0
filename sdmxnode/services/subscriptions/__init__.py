"""Subscriptions (push): submission, and delivery of notifications from the outbox."""
