"""Request bodies read once, in chunks: small ones in memory, large ones spooled to a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import request

#: Bodies up to this size stay in memory; larger ones go to a temporary file, so that the
#: readers stream them (they read a Path incrementally) instead of holding two copies.
SPOOL_BYTES = 8 * 1024 * 1024
_CHUNK = 1 << 16


@contextmanager
def received_body() -> Iterator[tuple[bytes | Path | None, str | None]]:
    """The request's message (or the form field `file`) and its media type; None for an
    empty body. Up to SPOOL_BYTES it is held in memory, beyond that it is streamed into a
    temporary file, removed afterwards."""
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    stream = upload.stream if upload is not None else request.stream
    media_type = upload.mimetype if upload is not None else request.mimetype
    buffer = bytearray()
    path: Path | None = None
    try:
        file = None
        try:
            while chunk := stream.read(_CHUNK):
                if file is not None:
                    file.write(chunk)
                    continue
                buffer += chunk
                if len(buffer) > SPOOL_BYTES:
                    handle, name = tempfile.mkstemp(prefix="sdmxnode-upload-")
                    path = Path(name)
                    file = os.fdopen(handle, "wb")
                    file.write(buffer)
                    buffer = bytearray()
        finally:
            if file is not None:
                file.close()
        body: bytes | Path | None = path if path is not None else (bytes(buffer) or None)
        del buffer
        yield body, media_type
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
