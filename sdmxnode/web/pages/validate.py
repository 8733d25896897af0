"""The validation page: a form to upload a message; POST /validate renders the report."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from sdmxnode.formats.registry import parse_accept
from sdmxnode.services.pages.maps import list_structure_map_choices
from sdmxnode.validation.report import Report
from sdmxnode.web import current_node
from sdmxnode.web.pages.common import register_html_errors, render_page

blueprint = Blueprint("pages_validate", __name__)
register_html_errors(blueprint)


@blueprint.route("/validate", methods=["GET"])
def validate_page() -> Response:
    """A form that posts a file to the validation service."""
    return render_page("validate.html", report=None, source=None, **_map_choice())


def wants_html() -> bool:
    """Whether the best media range the client accepts is HTML (a browser's form post)."""
    for rng in parse_accept(request.headers.get("Accept", "")):
        if rng.q > 0:
            return rng.media_type in ("text/html", "application/xhtml+xml")
    return False


def render_report(report: Report, source: str, *, status: int = 200) -> Response:
    """The validation report as the validation page shows it, with HTTP status `status`."""
    return render_page(
        "validate.html", status=status, report=report, source=source, **_map_choice()
    )


def _map_choice() -> dict[str, Any]:
    """The structure maps the form offers to convert through, and the one chosen (`map`
    in the query or the form; the validation service reads and applies it)."""
    return {
        "maps": list_structure_map_choices(current_node()),
        "chosen_map": _chosen_map(),
    }


def _chosen_map() -> str:
    """`map` from the query, else from a multipart form the service has already parsed
    (a raw message body is never read here)."""
    chosen = request.args.get("map")
    if chosen is None and request.mimetype == "multipart/form-data":
        try:
            chosen = request.form.get("map")
        except HTTPException:
            chosen = None
    return (chosen or "").strip()
