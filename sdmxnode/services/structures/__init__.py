"""Structures: queries, references and detail, loading, maintenance, the parsed-model cache."""
