"""Data message input: decompression with bomb limits, format sniffing, dispatch to readers."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from sdmxnode.errors import InputTooLarge, Invalid
from sdmxnode.formats.registry import find_reader
from sdmxnode.formats.registry.data import DATA_READERS
from sdmxnode.formats.rows import DatasetRows, StructureResolver

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


@dataclass(frozen=True)
class OpenedMessage:
    """A data message opened once: its kind and version as its first bytes tell, and what
    `open` reads again from the start, decompressed and bounded, without sniffing again."""

    kind: str  # 'sdmx-ml', 'sdmx-csv' or 'sdmx-json'
    #: '2.1', '3.0' (SDMX-ML namespace), '1.0', '2.0' (SDMX-CSV first column), '1.0', '2.0'
    #: (SDMX-JSON schema URL); None when the first bytes do not tell.
    version: str | None
    head: bytes  # the first (decompressed) bytes, up to 4096
    data: bytes | Path = field(repr=False)
    max_bytes: int = DEFAULT_MAX_BYTES
    compression: str | None = None  # 'gzip' or 'zip'
    member: int | None = None  # the zip member holding the message (its position)

    def open(self) -> BinaryIO:
        """A binary stream over the (decompressed) message, from its first byte."""
        name, raw = _open_raw(self.data)
        try:
            bounded, _ = _bounded(raw, name, self.compression, self.member, self.max_bytes)
        except BaseException:
            raw.close()
            raise
        return io.BufferedReader(bounded, buffer_size=_BUFFER)  # type: ignore[return-value]


def open_message(data: bytes | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OpenedMessage:
    """The data message opened and sniffed once (see `open_data`), to be read through its
    `open` as often as needed. Raises Invalid for empty, unrecognised or corrupt input."""
    stream, message = _open(data, max_bytes)
    stream.close()
    return message


def open_data(data: bytes | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[BinaryIO, str]:
    """A binary stream over the (decompressed) data message and its kind.

    gzip (`.gz` or magic bytes) and zip (`.zip` or magic bytes; the one member holding an
    SDMX message) are decompressed as the stream is read; no more than `max_bytes` bytes
    are ever delivered. The kind is sniffed from the first bytes: `"sdmx-ml"` (`<`),
    `"sdmx-json"` (`{`) or `"sdmx-csv"` (a header starting DATAFLOW or STRUCTURE).
    Raises Invalid for empty, unrecognised, corrupt or oversized input.
    """
    stream, message = _open(data, max_bytes)
    return stream, message.kind


def _open(data: bytes | Path, max_bytes: int) -> tuple[BinaryIO, OpenedMessage]:
    name, raw = _open_raw(data)
    try:
        magic = raw.read(4)
        raw.seek(0)
        compression: str | None = None
        member: int | None = None
        if name.lower().endswith(".zip") or magic.startswith(_ZIP_MAGICS):
            compression = "zip"
            member = _find_member(raw, max_bytes, name or "the zip archive")
        elif name.lower().endswith(".gz") or magic.startswith(_GZIP_MAGIC):
            compression = "gzip"
        bounded, what = _bounded(raw, name, compression, member, max_bytes)
        kind, head = _sniff(bounded, what)
        stream = io.BufferedReader(bounded, buffer_size=_BUFFER)
        message = OpenedMessage(
            kind, detect_version(kind, head), head, data, max_bytes, compression, member
        )
        return stream, message  # type: ignore[return-value]
    except BaseException:
        raw.close()
        raise


def _open_raw(data: bytes | Path) -> tuple[str, BinaryIO]:
    """The file name (or "") and a raw stream over the message as received."""
    name = data.name if isinstance(data, Path) else ""
    try:
        return name, data.open("rb") if isinstance(data, Path) else io.BytesIO(data)
    except OSError as exc:
        raise Invalid(f"cannot open {name}: {exc.strerror}") from exc


def _bounded(
    raw: BinaryIO, name: str, compression: str | None, member: int | None, max_bytes: int
) -> tuple[_BoundedReader, str]:
    """The decompressing, bounded stream over `raw`, and how errors name what it reads."""
    if compression == "zip":
        what = name or "the zip archive"
        archive = _zip_archive(raw, what)
        try:
            info = archive.infolist()[member or 0]
            member_what = f"{what}: {info.filename}"
            bounded = _BoundedReader(_member(archive, info), max_bytes, member_what, archive, raw)
        except BaseException:
            archive.close()
            raise
        return bounded, member_what
    what = name or "the message"
    if compression == "gzip":
        what = f"{what} (gzip)"
        return _BoundedReader(gzip.GzipFile(fileobj=raw, mode="rb"), max_bytes, what, raw), what
    return _BoundedReader(raw, max_bytes, what), what


def _sniff(bounded: _BoundedReader, what: str) -> tuple[str, bytes]:
    """The kind of the stream's content and its first bytes, which are put back."""
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
    return kind, head


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


_ML_NAMESPACE = re.compile(r"http://www\.sdmx\.org/resources/sdmxml/schemas/v(\d+)_(\d+)/message")
_JSON_SCHEMA = re.compile(r"sdmx-json[^\"]*/schemas/(\d+)\.(\d+)[^\"]*/sdmx-json-data-schema\.json")


def detect_version(kind: str, head: bytes) -> str | None:
    """The SDMX version of a message of `kind` from its first bytes, None if they do not
    tell: the SDMX-ML message namespace, the first column of SDMX-CSV (DATAFLOW in 1.0,
    STRUCTURE from 2.0), the schema URL in the `meta` of SDMX-JSON."""
    text = _decode_head(head)
    if kind == "sdmx-csv":
        first_line = text.lstrip().splitlines()[0] if text.strip() else ""
        for delimiter in _CSV_DELIMITERS:
            column = first_line.split(delimiter, 1)[0].strip().strip('"').upper()
            if column.startswith("DATAFLOW"):
                return "1.0"
            if column.startswith("STRUCTURE"):
                return "2.0"
        return None
    pattern = {"sdmx-ml": _ML_NAMESPACE, "sdmx-json": _JSON_SCHEMA}.get(kind)
    match = pattern.search(text) if pattern is not None else None
    return f"{match[1]}.{match[2]}" if match else None


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", "replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("utf-8", "replace")


def _zip_archive(raw: BinaryIO, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Invalid(f"{what} is not a readable zip archive: {exc}") from exc


def _find_member(raw: BinaryIO, max_bytes: int, what: str) -> int:
    """The position of the one member of the archive that holds an SDMX message."""
    archive = _zip_archive(raw, what)
    try:
        found: list[tuple[zipfile.ZipInfo, int]] = []
        for position, info in enumerate(archive.infolist()):
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
                found.append((info, position))
        if not found:
            raise Invalid(f"{what} holds no SDMX-ML, SDMX-CSV or SDMX-JSON member")
        if len(found) > 1:
            names = ", ".join(info.filename for info, _ in found)
            raise Invalid(f"{what} holds several data messages ({names}); send one per archive")
        return found[0][1]
    finally:
        archive.close()


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
    data: bytes | Path | OpenedMessage,
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
    `max_bytes` bytes of (decompressed) content are read. A message opened already
    (`open_message`) is read as it was opened, with its own limit.
    """
    if kind is not None and kind not in DATA_KINDS:
        raise Invalid(f"unknown data format {kind!r}; expected one of {', '.join(DATA_KINDS)}")
    if isinstance(data, OpenedMessage):
        stream, detected = data.open(), data.kind
    else:
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
