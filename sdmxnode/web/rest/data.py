"""SDMX-REST data queries: 1.5 at /rest/data/{flowRef}/{key}/{providerRef}, 2.x at
/rest/v2/data/{context}/{agencyID}/{resourceID}/{version}/{key}; answers stream."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from flask import Blueprint, Response, request, stream_with_context

from sdmxnode.formats.columnar import COLUMNAR_MEDIA_TYPES
from sdmxnode.formats.registry import Format
from sdmxnode.formats.registry.data import WriteOptions, data_file_name
from sdmxnode.formats.registry.negotiation import CSV_OPTIONS, csv_options, negotiate_format
from sdmxnode.formats.spreadsheet import XLSX_MEDIA_TYPE
from sdmxnode.rest.data import DataQuery, parse_data_query_v1, parse_data_query_v2
from sdmxnode.rest.ranges import ValuesRange, parse_values_range
from sdmxnode.services.data.answers import DataAnswer, get_data_answer
from sdmxnode.services.data.bulk import bulk_download, written
from sdmxnode.web import current_node
from sdmxnode.web.http import (
    accepts_gzip,
    conditional,
    gzip_chunks,
    request_languages,
    set_content_language,
    vary_on_language,
)
from sdmxnode.web.limits import check_deadline, deadline_chunks, request_deadline

blueprint = Blueprint("rest_data", __name__)

#: Query parameters about the representation (SDMX-REST 2.x `extend.md`, SDMX-CSV options).
REPRESENTATION_PARAMETERS = ("format", "formatVersion", "lang", *CSV_OPTIONS)


def data_format(api: int) -> Format:
    """The data format asked for, by `format=` or by Accept (defaults per API line)."""
    return negotiate_format("data", api, request.args, request.headers.get("Accept"))


def answer_data_query(query: DataQuery) -> Response:
    """Negotiate, bind the query, then 304 or a streamed answer in the negotiated format."""
    fmt = data_format(query.api)
    options = csv_options(request.args, request.headers.get("Accept"))
    asked = request_languages()  # a malformed `lang` is refused whatever the format
    # SDMX-JSON always names components and codes, SDMX-CSV with `labels=both|name`;
    # SDMX-ML names nothing, so its answers do not depend on the language.
    labelled = fmt.media_type.endswith("+csv") or fmt.media_type in COLUMNAR_MEDIA_TYPES
    # An Excel workbook always names the codes beside them.
    named = (
        fmt.is_json
        or fmt.media_type == XLSX_MEDIA_TYPE
        or (labelled and options.get("labels", "id") != "id")
    )
    languages = asked if named else ()
    # A page or a conditional request may not read the answer's records: no prefetch.
    asks_records = not (
        "Range" in request.headers
        or "If-None-Match" in request.headers
        or "If-Modified-Since" in request.headers
    )
    answer = get_data_answer(current_node(), query, prefetch=asks_records)
    values = parse_values_range(request.headers.get("Range"))
    etag = answer.etag(
        fmt.name,
        request.query_string.decode("latin-1"),
        repr(sorted(options.items())),
        ",".join(languages),
        repr(values),
    )
    response = conditional(
        etag,
        answer.last_modified,
        lambda: _stream(fmt, answer, options, languages, named, values),
    )
    response.headers["Accept-Ranges"] = "values"
    return vary_on_language(response) if named else response


def _stream(
    fmt: Format,
    answer: DataAnswer,
    options: dict[str, str],
    languages: tuple[str, ...],
    named: bool,
    values: ValuesRange | None = None,
) -> Response:
    """The answer, streamed (gzipped as it goes when the client accepts gzip); with `named`
    its Content-Language is that of the names it carries; with `values` only the
    observations of that range (206 Partial Content, with Content-Range)."""
    page = None
    write_options = WriteOptions.from_parameters(
        options, rows_again=answer.rows_again, source_url=request.url
    )
    download = bulk_download(answer, fmt, write_options, languages) if values is None else None
    if download is None:
        if values is None:
            result = answer.result(languages)
        else:
            result, page = answer.paged_result(values, languages)
        download = written(answer, fmt, result, write_options)
    chunks = download.chunks
    first = next(chunks, b"")  # option errors surface here, before the status is sent
    check_deadline()  # still an SDMX error answer: nothing has been sent yet
    body: Iterator[bytes] = chain((first,), deadline_chunks(chunks, request_deadline()))
    gzipped = accepts_gzip() and not fmt.compressed
    if gzipped:
        body = gzip_chunks(body)
    response = Response(stream_with_context(body), content_type=fmt.content_type)
    response.headers["Content-Disposition"] = content_disposition(fmt, answer, page is not None)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    elif download.size is not None:  # a kept file (services/data/bulk.py)
        response.headers["Content-Length"] = str(download.size)
    if named and download.language is not None:
        set_content_language(response, download.language)
    if page is not None:
        response.status_code = 206
        response.headers["Content-Range"] = page.content_range
    return response


def content_disposition(fmt: Format, answer: DataAnswer, paged: bool) -> str:
    """A file name for the answer (`AGENCY-ID-VERSION-KEY.ext`), so that a saved download
    has its extension: `attachment` for formats a browser cannot show, else `inline`."""
    ref = answer.plan.dataflow.ref
    keys = answer.query.keys
    key = ",".join(".".join(p or "" for p in k) for k in keys) if keys else "all"
    name = data_file_name(fmt, ref.agency_id, ref.id, ref.version, key, paged)
    shown = fmt.media_type.endswith(("+xml", "+json", "+csv"))
    return f'{"inline" if shown else "attachment"}; filename="{name}"'


_V1 = "/rest/data/<flow_ref>"


@blueprint.route(_V1)
@blueprint.route(f"{_V1}/<key>")
@blueprint.route(f"{_V1}/<key>/<provider_ref>")
def data_v1(flow_ref: str, key: str | None = None, provider_ref: str | None = None) -> Response:
    """SDMX-REST 1.5 /rest/data/{flowRef}/{key}/{providerRef}."""
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
    """SDMX-REST 2.x /rest/v2/data/{context}/{agency}/{id}/{version}/{key}."""
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
