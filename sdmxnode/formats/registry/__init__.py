"""The registry of formats the node speaks, and content negotiation over it.

Views and the CLI choose a format only through this registry: by negotiating an `Accept`
header, by the `format=` query parameter (the SDMX-REST "extend" convention, with
`formatVersion`), or by media type. Media types are spelled as the SDMX-REST specs spell them
(1.5 `4_6_conneg.md`, 2.x `doc/content_negotiation.md`). The data readers are registered
beside the writers, one per kind of message the input sniffs (`Reader`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from sdmxnode.errors import BadRequest, NotAcceptable
from sdmxnode.formats.rows import DatasetRows, StructureResolver


@dataclass(frozen=True)
class Format:
    """One representation: its name, media type, kind and the writer that produces it."""

    name: str
    media_type: str  # type/subtype
    version: str  # the media type's `version` parameter, as the spec writes it
    kind: str  # 'structure' (data formats come with the data paths)
    sdmx_ml: str | None = None  # '2.1' / '3.0' for SDMX-ML formats
    writer: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    aliases: tuple[str, ...] = ()
    #: Other spellings of the media type that Accept may carry for this format, such as the
    #: bare `draft-sdmx-json` of the .Stat endpoints (not a type/subtype: no version).
    other_media_types: tuple[str, ...] = ()
    #: Its bytes are compressed already (Parquet's pages, a workbook's zip): an answer in it
    #: is not gzipped again, whatever Accept-Encoding says (RFC 9110 leaves that to the
    #: server); a kept file (`services.data.bulk`) then goes out as it is, with its length.
    compressed: bool = False

    @property
    def content_type(self) -> str:
        """The Content-Type of an answer in this format, spelled as the SDMX-REST specs
        spell it (`type/subtype;version=X`, no space, no charset): clients and the SDMX
        compliance kit compare it literally. A format whose media type has no version
        (Parquet, Arrow) is the media type alone."""
        return f"{self.media_type};version={self.version}" if self.version else self.media_type

    @property
    def is_json(self) -> bool:
        """Whether the format is a JSON one (SDMX-JSON, JSON reports)."""
        return self.media_type.endswith("+json")


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add `fmt` to the registry (its name must be new)."""
    if fmt.name in _REGISTRY:
        raise ValueError(f"format {fmt.name!r} is registered already")
    _REGISTRY[fmt.name] = fmt
    return fmt


def list_formats(kind: str | None = None) -> list[Format]:
    """The registered formats, of one kind (data, structure, schema, ...) or all."""
    return [f for f in _REGISTRY.values() if kind is None or f.kind == kind]


class DataReader(Protocol):
    """Streams the data sets of a (decompressed) message; rows are read as they are asked for."""

    def __call__(
        self, stream: BinaryIO, resolve: StructureResolver, *, source: str = "message"
    ) -> Iterator[DatasetRows]:
        """The data sets of a message read from `stream`, each with a stream of rows."""


@dataclass(frozen=True)
class Reader:
    """One kind of data message the node reads, and the reader of its versions."""

    kind: str  # as the input sniffs it: 'sdmx-ml', 'sdmx-csv', 'sdmx-json'
    name: str  # as people write it: 'SDMX-ML'
    read: DataReader = field(compare=False, repr=False)


_READERS: dict[str, Reader] = {}


def register_reader(reader: Reader) -> Reader:
    """Add `reader` to the registry (its kind must be new)."""
    if reader.kind in _READERS:
        raise ValueError(f"a reader of {reader.kind!r} is registered already")
    _READERS[reader.kind] = reader
    return reader


def find_reader(kind: str) -> Reader | None:
    """The reader registered for `kind`, None if there is none."""
    return _READERS.get(kind)


class MetadataReader(Protocol):
    """Streams the metadata sets of a (decompressed) reference-metadata message."""

    def __call__(self, stream: BinaryIO, *, source: str = "message") -> Iterator[Any]:
        """The `formats.metadata.MetadataSet`s of a message read from `stream`."""


_METADATA_READERS: dict[str, MetadataReader] = {}


def register_metadata_reader(kind: str, read: MetadataReader) -> MetadataReader:
    """Register the reader of the metadata messages of an input kind ('sdmx-ml',
    'sdmx-json'): the kind `metadata` of the registry, beside data and structure."""
    if kind in _METADATA_READERS:
        raise ValueError(f"a metadata reader of {kind!r} is registered already")
    _METADATA_READERS[kind] = read
    return read


def find_metadata_reader(kind: str) -> MetadataReader | None:
    """The metadata reader registered for `kind`, None if there is none."""
    from sdmxnode.formats.registry import metadata as _registered  # noqa: F401

    return _METADATA_READERS.get(kind)


@dataclass(frozen=True)
class _Range:
    media_type: str
    params: Mapping[str, str]
    q: float
    order: int


_PARAM = re.compile(r'\s*([^=;\s]+)\s*=\s*("([^"]*)"|[^;,\s]*)\s*')


def parse_accept(header: str) -> list[_Range]:
    """The media ranges of an Accept header, best first (by q, then specificity, then order)."""
    ranges: list[_Range] = []
    for order, part in enumerate(_split_accept(header)):
        pieces = part.split(";")
        media_type = pieces[0].strip().lower()
        if not media_type:
            continue
        params: dict[str, str] = {}
        q = 1.0
        for piece in pieces[1:]:
            match = _PARAM.fullmatch(piece)
            if not match:
                continue
            key = match.group(1).lower()
            value = match.group(3) if match.group(3) is not None else match.group(2)
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            else:
                params[key] = value
        if "/" not in media_type and media_type not in _other_media_types():
            continue
        ranges.append(_Range(media_type, params, q, order))
    return sorted(
        ranges,
        key=lambda r: (-r.q, r.media_type.count("*"), -len(r.params), r.order),
    )


def _other_media_types() -> set[str]:
    return {name for f in _REGISTRY.values() for name in f.other_media_types}


def _split_accept(header: str) -> Iterable[str]:
    # Commas inside quoted parameter values do not separate ranges.
    part: list[str] = []
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            yield "".join(part)
            part = []
        else:
            part.append(char)
    yield "".join(part)


def _same_version(wanted: str, offered: str) -> bool:
    # '3.0' asks for 3.0.0, '1.0' for 1.0.0; a trailing '+' (2.1+ semver ranges) accepts newer.
    def parts(v: str) -> tuple[int, ...]:
        nums = [int(p) for p in re.findall(r"\d+", v)]
        while nums and nums[-1] == 0:
            nums.pop()
        return tuple(nums)

    if wanted.endswith("+"):
        return parts(offered) >= parts(wanted[:-1])
    return parts(wanted) == parts(offered)


def negotiate(
    accept: str | None,
    offered: list[Format],
    default: Format,
    generic: Mapping[str, Format] | None = None,
) -> Format:
    """The format for an Accept header among `offered`; `default` for none or `*/*`.

    `generic` maps plain media types (`application/xml`, `application/json`, `text/csv`)
    to the format the node answers them with: what the specs say SDMX services return for
    a generic type. Raises NotAcceptable listing what is offered.
    """
    if not accept or not accept.strip():
        return default
    generic = generic or {}
    for rng in parse_accept(accept):
        if rng.q <= 0:
            continue
        if rng.media_type in ("*/*", "application/*"):
            return default
        if rng.media_type in generic:
            return generic[rng.media_type]
        candidates = [
            f
            for f in offered
            if rng.media_type == f.media_type or rng.media_type in f.other_media_types
        ]
        wanted = rng.params.get("version")
        if wanted is not None:
            candidates = [f for f in candidates if _same_version(wanted, f.version)]
        else:
            # Without a version, a format's own media type before another's other spelling.
            candidates = [f for f in candidates if f.media_type == rng.media_type] or candidates
        if candidates:
            # Without a version the newest of that media type is meant.
            return max(candidates, key=_version_number)
    raise NotAcceptable(
        f"none of the requested representations is offered: {accept}",
        offered=[f.content_type for f in offered],
    )


def choose_format(
    args: Mapping[str, Any],
    accept: str | None,
    offered: list[Format],
    default: Format,
    generic: Mapping[str, Format] | None = None,
    prefer: Sequence[Format] = (),
) -> Format:
    """The format asked for by `format=` (and `formatVersion=`) if given, else by `Accept`.

    Query parameters take priority over headers (SDMX-REST 2.x `extend.md`). A `format`
    name several formats answer to (`csvdata`) picks, without `formatVersion`, the one in
    `prefer` (the API line's own version), else the default, else the newest.
    """
    name = args.get("format")
    if name is None:
        return negotiate(accept, offered, default, generic)
    name = str(name).strip().lower()
    version = args.get("formatVersion")
    matches = [f for f in offered if name == f.name or name in f.aliases]
    if version is not None:
        matches = [f for f in matches if _same_version(str(version), f.version)]
    if not matches:
        if any(name == f.name or name in f.aliases for f in _REGISTRY.values()):
            raise NotAcceptable(
                f"format {name!r} is not offered for this resource",
                offered=[f.name for f in offered],
            )
        raise BadRequest(
            f"unknown format {name!r}; offered: {', '.join(f.name for f in offered)}",
            where="format",
        )
    for fmt in (*prefer, default):
        if fmt in matches:
            return fmt
    return max(matches, key=_version_number)


def _version_number(fmt: Format) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", fmt.version))
