"""The validation page: a form to upload a message; POST /validate renders the report."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sdmxnode.formats.registry import parse_accept
from sdmxnode.validation.report import Report
from sdmxnode.web.pages.common import register_html_errors, render_page

blueprint = Blueprint("pages_validate", __name__)
register_html_errors(blueprint)


@blueprint.route("/validate", methods=["GET"])
def validate_page() -> Response:
    """A form that posts a file to the validation service."""
    return render_page("validate.html", report=None, source=None)


def wants_html() -> bool:
    """Whether the best media range the client accepts is HTML (a browser's form post)."""
    for rng in parse_accept(request.headers.get("Accept", "")):
        if rng.q > 0:
            return rng.media_type in ("text/html", "application/xhtml+xml")
    return False


def render_report(report: Report, source: str, *, status: int = 200) -> Response:
    """The validation report as the validation page shows it, with HTTP status `status`."""
    return render_page("validate.html", status=status, report=report, source=source)
