"""SDMX-REST data queries: 1.5 at /rest/data/{flowRef}/{key}/{providerRef}, 2.x at
/rest/v2/data/{context}/{agencyID}/{resourceID}/{version}/{key}; answers stream."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from functools import partial
from itertools import chain

from flask import Blueprint, Response, current_app, request, stream_with_context

from sdmxnode.errors import NoResults, TooLarge
from sdmxnode.formats.registry import Format, choose_format, parse_accept
from sdmxnode.formats.registry.data import (
    DATA_FORMATS,
    DEFAULT_DATA_FORMAT,
    GENERIC_CSV_DATA_FORMAT,
    GENERIC_JSON_DATA_FORMAT,
    GENERIC_XML_DATA_FORMAT,
    WriteOptions,
)
from sdmxnode.formats.rows import DataResult
from sdmxnode.rest.data import DataQuery, parse_data_query_v1, parse_data_query_v2
from sdmxnode.services.data.queries import (
    DataPlan,
    count_rows,
    data_result,
    deletions_result,
    find_query_dataflow,
    history_result,
    iter_rows,
    plan_data_query,
)
from sdmxnode.services.node import Node
from sdmxnode.web.http import accepts_gzip, conditional
from sdmxnode.web.limits import check_deadline, deadline_chunks, request_deadline

blueprint = Blueprint("rest_data", __name__)

#: Query parameters about the representation (SDMX-REST 2.x `extend.md`, SDMX-CSV options).
REPRESENTATION_PARAMETERS = ("format", "formatVersion", "labels", "timeFormat", "keys", "key")
_CSV_OPTIONS = {"labels": "labels", "timeFormat": "timeFormat", "keys": "keys", "key": "keys"}


def current_node() -> Node:
    return current_app.extensions["sdmxnode"]


def data_format(api: int) -> Format:
    """The data format asked for, by `format=` or by Accept (defaults per API line)."""
    xml, json, csv = (
        GENERIC_XML_DATA_FORMAT[api],
        GENERIC_JSON_DATA_FORMAT[api],
        (GENERIC_CSV_DATA_FORMAT[api]),
    )
    generic = {
        "application/xml": xml,
        "text/xml": xml,
        "application/json": json,
        "text/csv": csv,
        "application/csv": csv,
    }
    prefer = [f for f in DATA_FORMATS if (f.version.startswith("2.1") or f.version == "1.0.0")]
    if api == 2:
        prefer = [f for f in DATA_FORMATS if f.version in ("3.0.0", "2.0.0")]
    return choose_format(
        request.args,
        request.headers.get("Accept"),
        DATA_FORMATS,
        DEFAULT_DATA_FORMAT[api],
        generic,
        prefer,
    )


def csv_options() -> dict[str, str]:
    """SDMX-CSV parameters from the query (which wins) or the Accept media type."""
    options: dict[str, str] = {}
    for rng in parse_accept(request.headers.get("Accept", "")):
        if rng.media_type.endswith("+csv") or rng.media_type in ("text/csv", "application/csv"):
            for name, key in _CSV_OPTIONS.items():
                if name in rng.params:
                    options[key] = rng.params[name]
            break
    for name, key in _CSV_OPTIONS.items():
        if name in request.args:
            options[key] = request.args[name]
    return options


def answer_data_query(query: DataQuery) -> Response:
    """Plan, then 304, or a streamed answer in the negotiated format."""
    fmt = data_format(query.api)
    options = csv_options()
    node = current_node()
    if query.providers:
        raise NoResults(
            "this node records no data providers: no data matches a providerRef",
            where="providerRef",
        )
    dataflow = find_query_dataflow(node, query)
    plan = plan_data_query(node, dataflow, query)
    etag = plan.etag(
        fmt.name, request.query_string.decode("latin-1"), repr(sorted(options.items()))
    )

    def render() -> Response:
        if query.include_history:
            history = history_result(node, plan)
            if history is None:
                raise NoResults("no load wrote or deleted data matching the query", where="key")
            return _stream(fmt, history, node, options, plan)
        limit = int(node.settings["MAX_RESPONSE_OBSERVATIONS"])
        found = count_rows(node, plan, limit + 1 if limit else 1)
        deletions = plan.selection.updated_after is not None and count_rows(
            node, plan, 1, deletions=True
        )
        if not found and not deletions:
            raise NoResults("no data matches the query", where="key")
        if limit and found > limit:
            raise TooLarge(
                f"the answer holds more than {limit} observations, the most this node sends "
                "in one response: narrow the query with a key, startPeriod/endPeriod "
                "(c[TIME_PERIOD] on 2.x), firstNObservations or lastNObservations",
                where="query",
            )
        if found:
            result = data_result(node, plan)
            if plan.selection.updated_after is not None:
                result.action = "Replace"  # 2.x data.md: delta answers replace and delete
            if deletions:
                result.following = [deletions_result(node, plan)]
        else:
            result = deletions_result(node, plan)
        return _stream(fmt, result, node, options, plan)

    return conditional(etag, plan.last_modified, render)


def _stream(
    fmt: Format, result: DataResult, node: Node, options: dict[str, str], plan: DataPlan
) -> Response:
    """The answer, streamed (gzipped as it goes when the client accepts gzip)."""
    writer = fmt.writer
    assert writer is not None
    chunks: Iterator[bytes] = writer(
        result,
        node.header(),
        WriteOptions.from_parameters(options, rows_again=partial(iter_rows, node, plan)),
    )
    first = next(chunks, b"")  # option errors surface here, before the status is sent
    check_deadline()  # still an SDMX error answer: nothing has been sent yet
    body: Iterator[bytes] = chain((first,), deadline_chunks(chunks, request_deadline()))
    if accepts_gzip():
        body = gzip_chunks(body)
    response = Response(stream_with_context(body), content_type=fmt.content_type)
    if accepts_gzip():
        response.headers["Content-Encoding"] = "gzip"
    return response


def gzip_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A gzip stream of `chunks`, compressed as they come."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()


_V1 = "/rest/data/<flow_ref>"


@blueprint.route(_V1)
@blueprint.route(f"{_V1}/<key>")
@blueprint.route(f"{_V1}/<key>/<provider_ref>")
def data_v1(flow_ref: str, key: str | None = None, provider_ref: str | None = None) -> Response:
    query = parse_data_query_v1(
        flow_ref, key, provider_ref, request.args, ignored_parameters=REPRESENTATION_PARAMETERS
    )
    return answer_data_query(query)


_V2 = "/rest/v2/data"


@blueprint.route(_V2)
@blueprint.route(f"{_V2}/<context>")
@blueprint.route(f"{_V2}/<context>/<agency>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>/<version>")
@blueprint.route(f"{_V2}/<context>/<agency>/<id_>/<version>/<key>")
def data_v2(
    context: str | None = None,
    agency: str | None = None,
    id_: str | None = None,
    version: str | None = None,
    key: str | None = None,
) -> Response:
    query = parse_data_query_v2(
        context,
        agency,
        id_,
        version,
        key,
        request.args,
        ignored_parameters=REPRESENTATION_PARAMETERS,
    )
    return answer_data_query(query)
