"""Data: queries streaming out of the store, loads and submissions, availability, filters."""
