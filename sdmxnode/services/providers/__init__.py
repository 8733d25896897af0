"""Data providers and provision agreements: who reports which dataflow, under what constraints."""
