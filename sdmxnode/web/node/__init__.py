"""The node's own endpoints: health, audit, validation, checks, its OpenAPI description."""
