"""Errors rendered as SDMX error messages (SDMX-ML 2.1 / 3.0 or SDMX-JSON), never HTML."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from flask import Response, request
from lxml import etree

from sdmxnode.errors import NotAcceptable, SdmxNodeError
from sdmxnode.formats.registry import parse_accept
from sdmxnode.formats.sdmxml import NAMESPACES, xml_text


def api_major() -> int:
    """2 for requests to the SDMX-REST 2.x API (/rest/v2/...), else 1."""
    return 2 if request.path.startswith("/rest/v2") else 1


def wants_json(default: bool | None = None) -> bool:
    """Whether the client asked for JSON rather than XML (`format=`, then the first Accept
    range naming either); otherwise `default`, which is JSON on 2.x (whose schema queries
    default to a JSON Schema too) and XML on 1.5 when not given. The node's own JSON
    services (/checks/, /validate) answer JSON unless XML is asked for, whatever their
    `format` (csv, say)."""
    accept = request.headers.get("Accept", "")
    if default is None and request.path.startswith(("/checks/", "/validate")):
        return not any("xml" in r.media_type for r in parse_accept(accept) if r.q > 0)
    fmt = (request.args.get("format") or "").lower()
    if fmt:
        return "json" in fmt
    for rng in parse_accept(accept):
        if rng.q <= 0:
            continue
        if "json" in rng.media_type:
            return True
        if "xml" in rng.media_type:
            return False
    if default is not None:
        return default
    return api_major() >= 2


def error_response(error: SdmxNodeError) -> Response:
    """The SDMX error message for `error`, with the HTTP status of the API line."""
    status = error.http_status(api_major())
    if status == 204:
        response = Response(status=204)
        del response.headers["Content-Type"]
        return response
    if wants_json():
        body = json.dumps(_json_error(error), ensure_ascii=False, indent=1).encode()
        mimetype = "application/json"
    else:
        version = "3.0" if api_major() >= 2 else "2.1"
        body = xml_error_body(error, version)
        mimetype = "application/xml"
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(error.extra_headers())
    return response


def _json_error(error: SdmxNodeError) -> dict:
    entry: dict = {"code": error.sdmx_code, "title": error.title, "detail": error.text}
    if isinstance(error, NotAcceptable) and error.offered:
        entry["detail"] += "; offered: " + ", ".join(error.offered)
    prepared = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "meta": {"id": f"ERR{uuid.uuid4().hex[:12].upper()}", "prepared": prepared},
        "errors": [entry],
    }


def xml_error_body(error: SdmxNodeError, version: str) -> bytes:
    """The SDMX-ML Error message (2.1 or 3.0) of an error."""
    ns = NAMESPACES[version]
    root = etree.Element(f"{{{ns['mes']}}}Error", nsmap={"mes": ns["mes"], "com": ns["com"]})
    message = etree.SubElement(root, f"{{{ns['mes']}}}ErrorMessage", code=str(error.sdmx_code))
    etree.SubElement(message, f"{{{ns['com']}}}Text").text = xml_text(
        f"{error.title}: {error.text}"
    )
    if isinstance(error, NotAcceptable) and error.offered:
        etree.SubElement(message, f"{{{ns['com']}}}Text").text = "Offered: " + ", ".join(
            error.offered
        )
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
