"""The node's OpenAPI 3.0 description, assembled from its routes' grammar, formats and settings."""
