"""Bulk files: each dataflow's full Parquet and Arrow download kept on disk per version of its
data and served from there, as Eurostat's bulk download service serves prepared files.

A whole-dataflow columnar answer (`is_whole_dataflow`) is written once per version: the first
download builds it as any answer is built, streaming it while the same bytes go to a
temporary file, which takes the kept file's place (`os.replace`, atomic) only when the whole
answer was written and the dataflow's data state, read again, is still the one the answer
was planned from. Later downloads stream the file. The file name holds everything the bytes
depend on: the store, the dataflow (pk, digest), its data version (last load, time of
change, data mark), the structure store's generation (names, structures), the format, its
options and the language of the names, and the writer (sdmxnode, pyarrow, row group size).
Nothing in the bytes is per request: the columnar writers write no message id, prepared
time or sender.

The files are a cache: a failure to read or write them (a missing or read-only folder, a
full disk) is logged and the answer is built as without them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from sdmxnode import __version__
from sdmxnode.formats.columnar import COLUMNAR_MEDIA_TYPES
from sdmxnode.formats.registry import Format
from sdmxnode.formats.registry.data import WriteOptions, file_extension
from sdmxnode.formats.rows import DataResult
from sdmxnode.services.data.answers import DataAnswer
from sdmxnode.services.data.queries import DataPlan, held_observations
from sdmxnode.services.node import Node
from sdmxnode.services.structures.info import StructureInfoBuilder

log = logging.getLogger(__name__)

#: The BULK_DIR value that turns the files off.
OFF = "off"
#: Bytes read from a kept file per chunk of the answer.
CHUNK_BYTES = 1 << 20
#: Raise when what the columnar writers put in a file changes without a new version of
#: sdmxnode or pyarrow: files written before then are then no longer served.
LAYOUT = 1
#: Seconds after which a temporary file nobody writes any more is taken as abandoned (its
#: builder died) and removed when a file is put in place beside it.
STALE_TEMPORARY = 3600.0

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")
#: The part of a kept file's name after its stem:
#: `<download>.g<generation>.l<load>.<version>.<ext>`.
_VERSION = re.compile(r"[0-9a-f]+\.g(\d+)\.l(\d+)\.[0-9a-f]+\.[a-z]+")


@dataclass(frozen=True)
class Download:
    """A data answer's bytes, with their size when known before they are sent (a kept file)
    and the language of the names they carry (None: none)."""

    chunks: Iterator[bytes]
    size: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class KeptFile:
    """Where the kept file of one download of one version of the data lives.

    `stem` names the dataflow (of its store): the files of every download of the dataflow
    share it, and those of older versions (`version` lower) are removed when this one is put
    in place."""

    path: Path
    stem: str
    version: tuple[int, int]  # (the structure store's generation, the last load)


def bulk_folder(node: Node) -> Path | None:
    """The folder of the kept downloads (SDMXNODE_BULK_DIR); None when they are off."""
    setting = node.settings.bulk_dir.strip()
    if setting.lower() == OFF:
        return None
    if setting:
        return Path(setting)
    database = node.store.sqlite_file()
    if database is not None:
        return database.with_name(f"{database.name}.bulk")
    return Path("sdmxnode-bulk")


def is_whole_dataflow(answer: DataAnswer) -> bool:
    """Whether the answer is its dataflow's full data as it stands, with nothing that narrows
    or varies it but the format and its options: no key (or only wildcards), component
    filter, period, provider, updatedAfter, first/lastNObservations, asOf or history, and
    every column at the default dimensionAtObservation."""
    query, plan = answer.query, answer.plan
    selection = plan.selection
    return (
        plan.state is not None
        and plan.state.last_load is not None
        and not query.include_history
        and query.as_of is None
        and query.updated_after is None
        and query.first_n is None
        and query.last_n is None
        and query.start_period is None
        and query.end_period is None
        and not query.filters
        and not query.providers
        and query.context != "provisionagreement"
        and query.dimension_at_observation is None
        and not plan.series_only
        and plan.row_filter is None
        and plan.columns == plan.structure.columns
        and selection.providers is None
        and selection.start is None
        and selection.end is None
        and (selection.keys is None or all(v is None for key in selection.keys for v in key))
    )


def bulk_download(
    answer: DataAnswer, fmt: Format, options: WriteOptions, languages: Sequence[str] = ()
) -> Download | None:
    """The answer in `fmt` from its kept file, or built while it is kept (see the module);
    None when it is not one to keep (not Parquet or Arrow, not the whole dataflow, files
    off, or larger than the node sends): the caller builds it as any other."""
    if fmt.media_type not in COLUMNAR_MEDIA_TYPES or not is_whole_dataflow(answer):
        return None
    node, plan = answer.node, answer.plan
    folder = bulk_folder(node)
    if folder is None:
        return None
    limit = node.settings.max_response_observations
    if limit and held_observations(node, plan) > limit:
        return None  # refused as any answer over the limit is
    language = None
    if options.labels != "id":  # the names are in the bytes
        builder = StructureInfoBuilder(node.store, node.cache)
        language = builder.labels(plan.structure_ref, languages, plan.generation).language
    kept = kept_file(node, plan, fmt, options, language, folder)
    found = _open(kept.path)
    if found is not None:
        handle, size = found
        return Download(_file_chunks(handle), size, language)
    built = written(answer, fmt, answer.result(languages), options)
    return replace(built, chunks=_keeping(built.chunks, kept, lambda: is_current(node, plan)))


def written(answer: DataAnswer, fmt: Format, result: DataResult, options: WriteOptions) -> Download:
    """`result` (the answer's, or a page of it) written in `fmt` as it streams, with the
    language of the names it carries."""
    writer = fmt.writer
    assert writer is not None
    language = result.labels.language if result.labels is not None else None
    return Download(writer(result, answer.node.header(), options), None, language)


def kept_file(
    node: Node,
    plan: DataPlan,
    fmt: Format,
    options: WriteOptions,
    language: str | None,
    folder: Path,
) -> KeptFile:
    """The kept file of the plan's whole-dataflow answer in `fmt` (named in `language`)."""
    import pyarrow

    from sdmxnode.formats.columnar.writers import GROUP_ROWS

    state = plan.state
    assert state is not None and state.last_load is not None
    ref = plan.dataflow.ref
    dataflow = (node.store.location(), str(plan.dataflow.pk))
    download = (
        fmt.name,
        options.labels,
        options.time_format,
        options.keys,
        language or "",
        f"sdmxnode {__version__} pyarrow {pyarrow.__version__} layout {LAYOUT} rows {GROUP_ROWS}",
    )
    generation = int(state.generation if state.generation is not None else plan.generation or 0)
    version = (
        plan.dataflow.digest,
        str(state.updated),
        str(state.last_load),
        str(generation),
        state.mark or "",  # two loads committed out of the order of their numbers differ here
    )
    name = "-".join(_UNSAFE.sub("_", part) for part in (ref.agency_id, ref.id, ref.version))
    stem = f"{name}.{_digest(dataflow, 8)}"
    file_name = (
        f"{stem}.{_digest(download, 12)}.g{generation}.l{state.last_load}."
        f"{_digest(version, 12)}.{file_extension(fmt)}"
    )
    return KeptFile(folder / file_name, stem, (generation, state.last_load))


def is_current(node: Node, plan: DataPlan) -> bool:
    """Whether the dataflow's data state is still the one the plan was made from: no load
    finished and no structure changed since (read again from the store)."""
    before = plan.state
    now = node.data.data_state(plan.dataflow.pk)
    return (
        before is not None
        and now is not None
        and (now.last_load, now.updated, now.generation, now.mark)
        == (before.last_load, before.updated, before.generation, before.mark)
    )


def _digest(parts: Sequence[str], length: int) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]


def _open(path: Path) -> tuple[BinaryIO, int] | None:
    """The kept file at `path`, open, and its size; None when there is none (or it cannot
    be read: logged)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by _file_chunks
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("the kept download %s cannot be read (%s): building the answer", path, exc)
        return None
    try:
        size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        handle.close()
        log.warning("the kept download %s cannot be read (%s): building the answer", path, exc)
        return None
    if not size:
        handle.close()
        return None
    return handle, size


def _file_chunks(handle: BinaryIO) -> Iterator[bytes]:
    """The bytes of an open file, CHUNK_BYTES at a time; the file closed at the end."""
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _keeping(
    chunks: Iterator[bytes], kept: KeptFile, current: Callable[[], bool]
) -> Iterator[bytes]:
    """`chunks`, each also written to a temporary file that takes `kept`'s place when all
    were given and `current()` says the data did not change meanwhile; removed otherwise
    (the client went away, the writer failed, a load finished)."""
    build: _Build | None = None
    whole = False
    try:
        for chunk in chunks:
            if build is None:  # from the first chunk on: an answer refused keeps nothing
                build = _Build(kept)
            build.write(chunk)
            yield chunk
        whole = True
    finally:
        if build is not None:
            if whole:
                build.finish(current)
            else:
                build.abandon()


class _Build:
    """One temporary file written beside its kept file's place, named for this process and
    thread (builders of the same file never share one)."""

    def __init__(self, kept: KeptFile) -> None:
        self.kept = kept
        unique = f"{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}"
        self.temporary = kept.path.with_name(f".{kept.path.name}.{unique}.tmp")
        self.handle: BinaryIO | None = None
        try:
            kept.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.temporary, "xb")  # noqa: SIM115 - closed by finish/abandon
        except OSError as exc:
            log.warning("the download cannot be kept in %s: %s", kept.path.parent, exc)

    def write(self, chunk: bytes) -> None:
        if self.handle is None:
            return
        try:
            self.handle.write(chunk)
        except OSError as exc:
            log.warning("the download cannot be kept as %s: %s", self.kept.path, exc)
            self.abandon()

    def abandon(self) -> None:
        """Close and remove the temporary file."""
        handle, self.handle = self.handle, None
        if handle is None:
            return
        try:
            handle.close()
        except OSError as exc:
            log.warning("closing %s failed: %s", self.temporary, exc)
        _remove(self.temporary)

    def finish(self, current: Callable[[], bool]) -> bool:
        """Put the written file in place if the data are still those it holds (`current`),
        then remove the files of older versions; whether it was put in place."""
        handle = self.handle
        if handle is None:
            return False
        try:
            handle.flush()
            os.fsync(handle.fileno())  # whole on disk before its name is
            handle.close()
        except OSError as exc:
            log.warning("the download cannot be kept as %s: %s", self.kept.path, exc)
            self.abandon()
            return False
        self.handle = None
        try:
            unchanged = current()
        except Exception as exc:  # noqa: BLE001 - a cache: the answer was sent, keep nothing
            log.warning("the data state of %s could not be read again: %s", self.kept.path, exc)
            unchanged = False
        if not unchanged:
            log.info("the data changed while %s was written: not kept", self.kept.path.name)
            _remove(self.temporary)
            return False
        try:
            os.replace(self.temporary, self.kept.path)
        except OSError as exc:
            log.warning("the download cannot be kept as %s: %s", self.kept.path, exc)
            _remove(self.temporary)
            return False
        _remove_older(self.kept)
        return True


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("%s cannot be removed: %s", path, exc)


def _remove_older(kept: KeptFile) -> None:
    """Remove the files of older versions of `kept`'s dataflow (every download of it), and
    temporary files their builders abandoned (best effort: two processes may both try)."""
    folder = kept.path.parent
    try:
        names = os.listdir(folder)
    except OSError as exc:
        log.warning("%s cannot be listed: %s", folder, exc)
        return
    stale = time.time() - STALE_TEMPORARY
    for name in names:
        path = folder / name
        if name.startswith(f"{kept.stem}."):
            found = _VERSION.fullmatch(name[len(kept.stem) + 1 :])
            if found and (int(found[1]), int(found[2])) < kept.version:
                _remove(path)
        elif name.startswith(".") and name.endswith(".tmp"):
            try:
                abandoned = path.stat().st_mtime < stale
            except OSError:
                continue  # gone meanwhile
            if abandoned:
                _remove(path)
