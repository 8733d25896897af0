"""What every HTML page shares: the chosen language, rendering and HTML error pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, render_template, request

from sdmxnode.errors import SdmxNodeError
from sdmxnode.services.pages.catalogue import DEFAULT_LANGUAGE, list_languages
from sdmxnode.web import current_node
from sdmxnode.web.i18n import INTERFACE_LANGUAGES

log = logging.getLogger(__name__)


def page_language(available: list[str]) -> str:
    """`?lang=` when the structures carry it, else the best match of Accept-Language."""
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in available:
        return asked
    return request.accept_languages.best_match(available) or DEFAULT_LANGUAGE


def choose_language() -> tuple[str, list[str]]:
    """The page language and every language offered (once per request): the interface's
    six UN languages, then any other language the node's structures carry."""
    if "page_language" not in g:
        carried = list_languages(current_node())
        languages = [*INTERFACE_LANGUAGES, *(x for x in carried if x not in INTERFACE_LANGUAGES)]
        g.page_languages = languages
        g.page_language = page_language(languages)
    return g.page_language, g.page_languages


def render_page(template: str, *, status: int = 200, **context: Any) -> Response:
    """A page in the chosen language, with the language switch and the node's name."""
    node = current_node()
    language, languages = choose_language()
    body = render_template(
        template,
        node_name=node.settings.node_name,
        languages=languages,
        language=language,
        **context,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = language
    response.vary.update(("Accept-Language",))
    return response


def register_html_errors(blueprint: Blueprint) -> None:
    """Errors raised by the pages of `blueprint` answer an HTML page with their 4xx status
    (the SDMX error messages stay the rule for /rest and the services)."""

    @blueprint.errorhandler(SdmxNodeError)
    def _page_error(error: SdmxNodeError) -> Response:
        status = error.http_status()
        if status >= 500:
            log.error("page error: %s", error.text)
        return render_page(
            "error.html", status=status, title=error.title, message=error.text, code=status
        )
