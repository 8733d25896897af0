"""The pages of the exchange network: the providers page (who provides which dataflow,
through which agreement, what they hold) and the registrations page (each registered data
source and how its last pull went)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sdmxnode.services.pages.providers import providers_overview
from sdmxnode.services.registrations.queries import list_registrations
from sdmxnode.web import current_node
from sdmxnode.web.pages.common import choose_language, register_html_errors, render_page

blueprint = Blueprint("pages_registrations", __name__)
register_html_errors(blueprint)


@blueprint.route("/registrations")
def registrations() -> Response:
    """Every registration: provider, agreement, source, last pull, outcome and counts."""
    choose_language()
    return render_page(
        "registrations.html",
        registrations=list_registrations(current_node()),
        rest_url=f"{request.url_root}rest/v2/registration/id/*",
    )


@blueprint.route("/providers")
def providers() -> Response:
    """Every provision agreement: provider, dataflow, holdings, last update, registrations."""
    choose_language()
    return render_page(
        "providers.html",
        rows=providers_overview(current_node()),
        rest_url=f"{request.url_root}rest/dataproviderscheme/all/all/latest",
    )
