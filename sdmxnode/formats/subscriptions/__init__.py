"""Subscriptions and notifications: the model the node keeps and its JSON face."""
