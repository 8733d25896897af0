"""The API page for people: the node's OpenAPI description as plain HTML, styled by /static."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from sdmxnode.services.openapi.document import iter_operations, resolve_parameter


def _schema_text(schema: Mapping[str, Any]) -> str:
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    text = str(schema.get("type", ""))
    if "pattern" in schema:
        text += f" matching {schema['pattern']}"
    if "minimum" in schema:
        text += f" &ge; {schema['minimum']}"
    return text


def _parameters(document: Mapping[str, Any], operation: Mapping[str, Any]) -> str:
    rows = []
    for raw in operation.get("parameters", []):
        parameter = resolve_parameter(document, raw)
        rows.append(
            "<tr>"
            f"<td><code>{escape(parameter['name'])}</code></td>"
            f"<td>{escape(parameter['in'])}{' (required)' if parameter.get('required') else ''}"
            f"</td><td>{escape(parameter.get('description', ''))}</td>"
            f"<td>{escape(_schema_text(parameter.get('schema', {})))}</td></tr>"
        )
    if not rows:
        return ""
    return (
        "<table><tr><th>Parameter</th><th>In</th><th>Meaning</th><th>Values</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _example(method: str, example: str | None) -> str:
    if not example:
        return ""
    if method == "get":
        return f'<p>Example: <a href="{escape(example)}"><code>{escape(example)}</code></a></p>'
    return f"<p>Example: <code>{escape(method.upper())} {escape(example)}</code></p>"


def render_api_page(
    document: Mapping[str, Any],
    stylesheet: str = "/static/api.css",
    icon: str = "/static/favicon.svg",
) -> str:
    """The HTML page listing every operation of `document`, grouped by tag; its style is
    the `stylesheet` URL (no inline style: the Content-Security-Policy allows none), its
    icon the `icon` URL (without one, browsers ask for a /favicon.ico the node lacks)."""
    info = document["info"]
    by_tag: dict[str, list[str]] = {tag["name"]: [] for tag in document.get("tags", [])}
    for path, method, operation in iter_operations(document):
        statuses = ", ".join(sorted(operation.get("responses", {})))
        lock = ' <span class="lock">(bearer token)</span>' if operation.get("security") else ""
        by_tag.setdefault(operation.get("tags", ["Other"])[0], []).append(
            f'<section class="op" id="{escape(operation["operationId"])}">'
            f'<div><span class="method">{escape(method)}</span> <code>{escape(path)}</code>'
            f"{lock}</div>"
            f"<p><strong>{escape(operation.get('summary', ''))}</strong>. "
            f"{escape(operation.get('description', ''))}</p>"
            f"{_parameters(document, operation)}"
            f"<p>Responses: {escape(statuses)}</p>"
            f"{_example(method, operation.get('x-example'))}"
            "</section>"
        )
    descriptions = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    sections = "".join(
        f"<h2>{escape(tag)}</h2><p>{escape(descriptions.get(tag, ''))}</p>" + "".join(entries)
        for tag, entries in by_tag.items()
        if entries
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(info['title'])}: API</title>"
        f'<link rel="icon" href="{escape(icon)}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{escape(stylesheet)}"></head><body>'
        f"<h1>{escape(info['title'])} API <small>{escape(info['version'])}</small></h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        '<p>Machine-readable: <a href="openapi.json"><code>/openapi.json</code></a> '
        "(OpenAPI 3.0).</p>"
        f"{sections}</body></html>\n"
    )
