"""Data message input: decompression with bomb limits, format sniffing, dispatch to readers."""

from __future__ import annotations

import gzip
import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from sdmxnode.errors import InputTooLarge, Invalid
from sdmxnode.formats.registry import find_reader
from sdmxnode.formats.registry.data import DATA_READERS
from sdmxnode.formats.rows import DatasetRows, StructureResolver

log = logging.getLogger(__name__)

#: The data kinds `open_data` recognises: those of the registered readers.
DATA_KINDS = tuple(reader.kind for reader in DATA_READERS)

DEFAULT_MAX_BYTES = 2 * 1024**3
_SNIFF_BYTES = 4096
_BUFFER = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_CSV_DELIMITERS = (",", ";", "\t", "|")
#: Errors of the standard library decompressors, wrapped as Invalid at this boundary.
_DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile)


class _Closable(Protocol):
    def close(self) -> None: ...


class _Readable(_Closable, Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _BoundedReader(io.RawIOBase):
    """A raw stream over `raw` that refuses to deliver more than `limit` bytes in total.

    Counting happens as bytes are read, so a compressed bomb is stopped after `limit`
    bytes of output whatever its headers declare. `unread` puts sniffed bytes back.
    """

    def __init__(self, raw: _Readable, limit: int, what: str, *closing: _Closable) -> None:
        super().__init__()
        self._raw = raw
        self._closing = closing  # what else to close with this stream (file, archive)
        self._limit = limit
        self._what = what
        self._count = 0
        self._pending = b""

    def readable(self) -> bool:
        return True

    def unread(self, data: bytes) -> None:
        self._pending = data + self._pending

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._pending:
            size = min(len(buffer), len(self._pending))
            buffer[:size] = self._pending[:size]
            self._pending = self._pending[size:]
            return size
        try:
            data = self._raw.read(len(buffer))
        except Invalid:
            raise
        except _DECOMPRESSION_ERRORS as exc:
            raise Invalid(f"{self._what} cannot be decompressed: {exc}") from exc
        size = len(data)
        self._count += size
        if self._count > self._limit:
            raise InputTooLarge(
                f"{self._what} is larger than {self._limit:,} bytes once decompressed "
                "(refused as a possible compression bomb)"
            )
        buffer[:size] = data
        return size

    def close(self) -> None:
        try:
            self._raw.close()
            for other in self._closing:
                other.close()
        finally:
            super().close()


def open_data(data: bytes | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[BinaryIO, str]:
    """A binary stream over the (decompressed) data message and its kind.

    gzip (`.gz` or magic bytes) and zip (`.zip` or magic bytes; the one member holding an
    SDMX message) are decompressed as the stream is read; no more than `max_bytes` bytes
    are ever delivered. The kind is sniffed from the first bytes: `"sdmx-ml"` (`<`),
    `"sdmx-json"` (`{`) or `"sdmx-csv"` (a header starting DATAFLOW or STRUCTURE).
    Raises Invalid for empty, unrecognised, corrupt or oversized input.
    """
    name = data.name if isinstance(data, Path) else ""
    try:
        raw: BinaryIO = data.open("rb") if isinstance(data, Path) else io.BytesIO(data)
    except OSError as exc:
        raise Invalid(f"cannot open {name}: {exc.strerror}") from exc
    try:
        magic = raw.read(4)
        raw.seek(0)
        if name.lower().endswith(".zip") or magic.startswith(_ZIP_MAGICS):
            return _open_zip(raw, max_bytes, name or "the zip archive")
        what = name or "the message"
        bounded: _BoundedReader
        if name.lower().endswith(".gz") or magic.startswith(_GZIP_MAGIC):
            what = f"{what} (gzip)"
            bounded = _BoundedReader(gzip.GzipFile(fileobj=raw, mode="rb"), max_bytes, what, raw)
        else:
            bounded = _BoundedReader(raw, max_bytes, what)
        kind = _sniff(bounded, what)
        return io.BufferedReader(bounded, buffer_size=_BUFFER), kind  # type: ignore[return-value]
    except BaseException:
        raw.close()
        raise


def _sniff(bounded: _BoundedReader, what: str) -> str:
    """The kind of the stream's content; the bytes read to find it are put back."""
    head = _read_head(bounded)
    kind = detect_kind(head)
    if kind is None:
        bounded.close()
        if not head.strip():
            raise Invalid(f"{what} is empty")
        shown = _decode_head(head).strip()[:40].splitlines()[0]
        raise Invalid(
            f"{what} is neither SDMX-ML, SDMX-CSV nor SDMX-JSON (it starts with {shown!r})"
        )
    bounded.unread(head)
    return kind


def _read_head(bounded: _BoundedReader) -> bytes:
    chunks: list[bytes] = []
    size = 0
    buffer = bytearray(_SNIFF_BYTES)
    while size < _SNIFF_BYTES:
        count = bounded.readinto(memoryview(buffer)[: _SNIFF_BYTES - size])
        if not count:
            break
        chunks.append(bytes(buffer[:count]))
        size += count
    return b"".join(chunks)


def detect_kind(head: bytes) -> str | None:
    """`"sdmx-ml"`, `"sdmx-csv"`, `"sdmx-json"` or None from the first bytes of a message."""
    text = _decode_head(head).lstrip()
    if text.startswith("<"):
        return "sdmx-ml"
    if text.startswith("{"):
        return "sdmx-json"
    first_line = text.splitlines()[0] if text else ""
    for delimiter in _CSV_DELIMITERS:
        field = first_line.split(delimiter, 1)[0].strip().strip('"').upper()
        if field.startswith(("DATAFLOW", "STRUCTURE")):
            return "sdmx-csv"
    return None


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", "replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("utf-8", "replace")


def _open_zip(raw: BinaryIO, max_bytes: int, what: str) -> tuple[BinaryIO, str]:
    try:
        archive = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Invalid(f"{what} is not a readable zip archive: {exc}") from exc
    try:
        found: list[tuple[zipfile.ZipInfo, str]] = []
        for info in archive.infolist():
            if info.is_dir() or _is_hidden(info.filename):
                continue
            if info.flag_bits & 0x1:
                raise Invalid(f"{what} holds an encrypted member ({info.filename}), refused")
            if info.file_size > max_bytes:
                raise InputTooLarge(
                    f"{what}: member {info.filename} declares {info.file_size:,} bytes, "
                    f"more than the {max_bytes:,} allowed"
                )
            kind = _member_kind(archive, info, max_bytes, what)
            if kind is not None:
                found.append((info, kind))
        if not found:
            raise Invalid(f"{what} holds no SDMX-ML, SDMX-CSV or SDMX-JSON member")
        if len(found) > 1:
            names = ", ".join(info.filename for info, _ in found)
            raise Invalid(f"{what} holds several data messages ({names}); send one per archive")
        info, kind = found[0]
        member_what = f"{what}: {info.filename}"
        bounded = _BoundedReader(_member(archive, info), max_bytes, member_what, archive, raw)
        _sniff(bounded, member_what)
        return io.BufferedReader(bounded, buffer_size=_BUFFER), kind  # type: ignore[return-value]
    except BaseException:
        archive.close()
        raise


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    try:
        return archive.open(info)  # type: ignore[return-value]
    except (NotImplementedError, RuntimeError, *_DECOMPRESSION_ERRORS) as exc:
        raise Invalid(f"member {info.filename} cannot be read: {exc}") from exc


def _member_kind(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int, what: str
) -> str | None:
    bounded = _BoundedReader(_member(archive, info), max_bytes, f"{what}: {info.filename}")
    try:
        return detect_kind(_read_head(bounded))
    finally:
        bounded.close()


def _is_hidden(filename: str) -> bool:
    path = PurePosixPath(filename)
    return path.parts[0] == "__MACOSX" or path.name.startswith(".")


def read_data(
    data: bytes | Path,
    resolve: StructureResolver,
    *,
    source: str = "message",
    kind: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[DatasetRows]:
    """The data sets of a data message in any supported format, compressed or not.

    `kind` ("sdmx-ml", "sdmx-csv", "sdmx-json") is sniffed from the content when not
    given; when given it must agree with the content. Each `DatasetRows.rows` must be
    consumed before the next data set is requested (the readers stream). At most
    `max_bytes` bytes of (decompressed) content are read.
    """
    if kind is not None and kind not in DATA_KINDS:
        raise Invalid(f"unknown data format {kind!r}; expected one of {', '.join(DATA_KINDS)}")
    stream, detected = open_data(data, max_bytes=max_bytes)
    try:
        if kind is not None and kind != detected:
            raise Invalid(f"{source} was sent as {kind} but its content looks like {detected}")
        reader = find_reader(detected)
        if reader is None:
            raise Invalid(f"{detected} data cannot be read by this node yet")
        yield from reader.read(stream, resolve, source=source)
    finally:
        stream.close()
