"""Every blueprint of the node, listed once, and the one function that registers them."""

from __future__ import annotations

from flask import Blueprint, Flask

from sdmxnode.web.node import audit, checks, health, openapi, validation
from sdmxnode.web.pages import browse as pages_browse
from sdmxnode.web.pages import data as pages_data
from sdmxnode.web.pages import registrations as pages_registrations
from sdmxnode.web.pages import validate as pages_validate
from sdmxnode.web.rest import availability as rest_availability
from sdmxnode.web.rest import data as rest_data
from sdmxnode.web.rest import data_write as rest_data_write
from sdmxnode.web.rest import metadata as rest_metadata
from sdmxnode.web.rest import metadata_write as rest_metadata_write
from sdmxnode.web.rest import pending as rest_pending
from sdmxnode.web.rest import registration as rest_registration
from sdmxnode.web.rest import schema as rest_schema
from sdmxnode.web.rest import structure as rest_structure
from sdmxnode.web.rest import structure_write as rest_structure_write
from sdmxnode.web.rest import subscription as rest_subscription

#: In registration order (the order the routes were added in before this list existed).
BLUEPRINTS: tuple[Blueprint, ...] = (
    health.blueprint,
    validation.blueprint,
    pages_browse.blueprint,
    pages_data.blueprint,
    pages_validate.blueprint,
    pages_registrations.blueprint,
    audit.blueprint,
    openapi.blueprint,
    checks.blueprint,
    rest_pending.blueprint,
    rest_registration.blueprint,
    rest_subscription.blueprint,
    rest_metadata.blueprint,
    rest_data.blueprint,
    rest_data_write.blueprint,
    rest_metadata_write.blueprint,
    rest_availability.blueprint,
    rest_schema.blueprint,
    rest_structure.blueprint,
    rest_structure_write.blueprint,
)


def register_blueprints(app: Flask) -> None:
    """Register every blueprint of the node on `app`."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
