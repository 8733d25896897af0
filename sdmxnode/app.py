"""create_app(config=None): the Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException

from sdmxnode.config import load_settings
from sdmxnode.errors import (
    BadRequest,
    NotFound,
    NotImplementedSdmx,
    SdmxNodeError,
    TooLarge,
)
from sdmxnode.services.access import (
    failure_of,
    flush_audit_spool,
    mark_interrupted_writes,
    prune_audit_log,
)
from sdmxnode.services.node import Node
from sdmxnode.web.blueprints import register_blueprints
from sdmxnode.web.errors import error_response
from sdmxnode.web.http import add_common_headers
from sdmxnode.web.i18n import install_i18n
from sdmxnode.web.limits import install_limits
from sdmxnode.web.script_messages import install_script_messages

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A node application; `config` overrides settings (names with or without SDMXNODE_)."""
    settings = load_settings(config)
    app = Flask(__name__)
    # No redirects with HTML bodies: '//' and trailing slashes match or fail as SDMX errors.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    node = Node.from_settings(settings)
    node.store.create_schema()
    flush_audit_spool(node)  # entries a database outage left waiting
    mark_interrupted_writes(node)  # attempts of processes of this host that are gone
    prune_audit_log(node)  # SDMXNODE_AUDIT_RETENTION_DAYS
    app.extensions["sdmxnode"] = node

    register_blueprints(app)
    install_i18n(app)
    install_script_messages(app)
    app.after_request(add_common_headers)
    install_limits(app, settings)
    _register_error_handlers(app)
    return app


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(SdmxNodeError)
    def _sdmx_error(error: SdmxNodeError):  # type: ignore[no-untyped-def]
        if error.http_status() >= 500 and not isinstance(error, NotImplementedSdmx):
            # The answer says what failed in words; the cause (SQL, traceback) is logged
            # here only, under the incident id the answer carries.
            cause = error.__cause__
            log.error("server error: %s", error.text, exc_info=cause)
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        if code == 404:
            mapped: SdmxNodeError = NotFound(
                "no such resource; see /rest/ (SDMX-REST 1.5) and /rest/v2/ (2.x)",
                where="path",
            )
        elif code == 413:
            mapped = TooLarge("the request body is larger than this node accepts")
        elif code == 405:
            mapped = BadRequest(f"method {error.name} not allowed here", where="method")
            mapped.status = 405
        elif code < 500:
            mapped = BadRequest(error.description or error.name)
            mapped.status = code
        else:
            mapped = SdmxNodeError(error.description or error.name)
        response = error_response(mapped)
        if code == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        return error_response(failure_of(error))  # logged there, under its incident id
