"""The comparability checks over stored data: GET /checks/aggregates/... and /checks/mirror/...

JSON by default, CSV by `Accept: text/csv` or `format=csv`; answers stream, carry a weak
ETag and Last-Modified (the dataflow's last data change) and are answered 304 when the
client's copy is current.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from flask import Blueprint, Response, request, stream_with_context

from sdmxnode.errors import BadRequest
from sdmxnode.formats.registry import Format
from sdmxnode.formats.registry.negotiation import negotiate_format
from sdmxnode.formats.reports.checks import MEDIA_TYPES, write_report
from sdmxnode.services.checks.aggregates import (
    CheckTarget,
    check_stored_aggregates,
    find_check_target,
    parse_tolerance,
    period_selection,
)
from sdmxnode.services.checks.mirror import MIRROR_COLUMNS, mirror_pairs, mirror_roles
from sdmxnode.validation.aggregates import AGGREGATE_COLUMNS, MISMATCH, NO_MEMBERS, OK
from sdmxnode.web import current_node
from sdmxnode.web.http import accepts_gzip, conditional, gzip_chunks

blueprint = Blueprint("checks", __name__)

_COMMON = {"format", "startPeriod", "endPeriod"}
AGGREGATE_PARAMETERS = _COMMON | {"tolerance", "area", "status"}
MIRROR_PARAMETERS = _COMMON | {"country", "status"}
MIRROR_STATUSES = ("paired", "no_emigration_report", "no_immigration_report")


def _format() -> Format:
    return negotiate_format("report", None, request.args, request.headers.get("Accept"))


def _check_parameters(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadRequest(
            f"unknown parameter(s) {', '.join(unknown)}; use {', '.join(sorted(allowed))}",
            where=unknown[0],
        )


def _codes(name: str) -> frozenset[str] | None:
    text = request.args.get(name)
    if text is None:
        return None
    codes = frozenset(part.strip() for part in text.replace("+", ",").split(",") if part.strip())
    if not codes:
        raise BadRequest(f"{name} needs one or more codes", where=name)
    return codes


def _statuses(offered: Sequence[str]) -> frozenset[str] | None:
    wanted = _codes("status")
    if wanted is not None and not wanted <= set(offered):
        raise BadRequest(f"status is one or more of {', '.join(offered)}", where="status")
    return wanted


def _answer(
    target: CheckTarget,
    fmt: Format,
    head: Mapping[str, Any],
    columns: Sequence[str],
    records: Iterable[Mapping[str, Any]],
) -> Response:
    etag = hashlib.sha256(
        "|".join(
            (
                request.path,
                str(target.dataflow.pk),
                target.last_modified.isoformat(),
                fmt.name,
                request.query_string.decode("latin-1"),
                repr(sorted(head.items())),
            )
        ).encode()
    ).hexdigest()[:32]

    def render() -> Response:
        iterator = iter(records)
        first = next(iterator, None)  # the query runs now: its errors precede the status
        rows: Iterator[Mapping[str, Any]] = (
            chain((first,), iterator) if first is not None else iter(())
        )
        body: Iterator[bytes] = write_report(fmt.name, head, columns, rows)
        gzipped = accepts_gzip()
        if gzipped:
            body = gzip_chunks(body)
        response = Response(stream_with_context(body), content_type=MEDIA_TYPES[fmt.name])
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.update(("Accept", "Accept-Encoding"))
        return response

    return conditional(etag, target.last_modified, render)


@blueprint.route("/checks/aggregates/<agency>/<id_>")
@blueprint.route("/checks/aggregates/<agency>/<id_>/<version>")
def aggregates(agency: str, id_: str, version: str | None = None) -> Response:
    """Each aggregate figure of a dataflow against the sum of its members."""
    _check_parameters(AGGREGATE_PARAMETERS)
    fmt = _format()
    node = current_node()
    tolerance = parse_tolerance(request.args.get("tolerance"), node.settings.aggregate_tolerance)
    selection = period_selection(request.args.get("startPeriod"), request.args.get("endPeriod"))
    areas = _codes("area")
    statuses = _statuses((OK, MISMATCH, NO_MEMBERS))
    target = find_check_target(node, agency, id_, version or "")
    comparisons = check_stored_aggregates(
        node, target, tolerance=tolerance, selection=selection, areas=areas
    )
    records = (c.to_record() for c in comparisons if statuses is None or c.status in statuses)
    head = {"check": "aggregates", "dataflow": target.name, "tolerance": tolerance}
    return _answer(target, fmt, head, AGGREGATE_COLUMNS, records)


@blueprint.route("/checks/mirror/<agency>/<id_>")
@blueprint.route("/checks/mirror/<agency>/<id_>/<version>")
def mirror(agency: str, id_: str, version: str | None = None) -> Response:
    """Each bilateral flow as its destination and its origin report it."""
    _check_parameters(MIRROR_PARAMETERS)
    fmt = _format()
    node = current_node()
    selection = period_selection(request.args.get("startPeriod"), request.args.get("endPeriod"))
    countries = _codes("country")
    if countries is not None and len(countries) > 1:
        raise BadRequest("country takes one code", where="country")
    statuses = _statuses(MIRROR_STATUSES)
    target = find_check_target(node, agency, id_, version or "")
    mirror_roles(target)  # a dataflow that is not bilateral fails before anything streams
    pairs = mirror_pairs(
        node, target, selection=selection, country=next(iter(countries)) if countries else None
    )
    records = (p.to_record() for p in pairs if statuses is None or p.status in statuses)
    head = {"check": "mirror", "dataflow": target.name}
    return _answer(target, fmt, head, MIRROR_COLUMNS, records)
