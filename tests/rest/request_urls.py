"""Split example URLs of the SDMX-REST documentation the way Flask would hand them over."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request


def split_url(url: str, resource: str, segments: int) -> tuple[list[str | None], MultiDict]:
    """The path segments after `resource` (None for omitted ones) and the decoded query.

    The path is percent-decoded and the query string form-decoded (an unencoded '+' becomes
    a space) exactly as werkzeug does for `request.view_args` / `request.args`; trailing
    empty segments (`.../EXR/?...`) count as omitted, as with optional route parts.
    """
    parts = urlsplit(url)
    request = Request.from_values(path=parts.path or "/", query_string=parts.query)
    segments_in_path = request.path.split("/")
    lowered = [segment.lower() for segment in segments_in_path]
    after = segments_in_path[lowered.index(resource) + 1 :]
    while after and after[-1] == "":
        after.pop()
    assert len(after) <= segments, f"{url} has more than {segments} segments after {resource}"
    values: list[str | None] = [*after, *([None] * (segments - len(after)))]
    return values, request.args
