"""Structures from files, for `sdmxnode validate`: resolved once, then kept on disk.

`sdmxnode validate` checks data against structure messages on disk (the project's `dsd/` and
`codelists/` and any `--structure` file), not against a store. Reading them all (132
artefacts) and building a StructureInfo through sdmx1 costs more than validating a small
message, so each StructureInfo is written to a cache folder under a key made of the
structure files (path, size, modification time), the code that builds it and the reference
asked for. The next run with the same files loads it back without importing the store,
sdmx1 or pandas. A changed file changes the key; a cache entry that cannot be read is built
again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sdmxnode
from sdmxnode.formats.rows import StructureInfo
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.structure_fit import HeldStructure

if TYPE_CHECKING:
    from sdmxnode.config import Settings
    from sdmxnode.services.node import Node
    from sdmxnode.services.structures.info import StructureInfoBuilder

log = logging.getLogger(__name__)

#: Bump when what a cached StructureInfo holds changes meaning (the sources of the modules
#: that build it are part of the key too, so that a development checkout never reads stale
#: entries).
CACHE_FORMAT = 1
_PACKAGE = Path(sdmxnode.__file__).resolve().parent
#: The modules whose code decides what a StructureInfo holds.
_BUILDING_CODE = (
    _PACKAGE / "formats" / "rows.py",
    _PACKAGE / "services" / "structures" / "info.py",
    _PACKAGE / "services" / "structures" / "files.py",
)


def structure_files(folders: Iterable[Path]) -> list[Path]:
    """The SDMX-ML files (*.xml) of the given folders, in a stable order."""
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.xml")))
    return files


def default_cache_dir(setting: str) -> Path | None:
    """The cache folder the VALIDATE_CACHE setting names: empty for the user's cache folder
    ($XDG_CACHE_HOME/sdmxnode, else ~/.cache/sdmxnode), `off` for none."""
    if setting.strip().lower() == "off":
        return None
    if setting.strip():
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sdmxnode"


def _fingerprint(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"{CACHE_FORMAT}:{sdmxnode.__version__}".encode())
    for path in (*_BUILDING_CODE, *paths):
        stat = path.stat()
        digest.update(f"\n{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


class FileStructures:
    """A StructureResolver over structure files, with the on-disk cache described above.

    The store behind it (a temporary SQLite file) is only built on a cache miss.
    """

    def __init__(self, paths: Sequence[Path], cache_dir: Path | None, stack: ExitStack) -> None:
        self.paths = list(paths)
        self.cache_dir = cache_dir
        self._stack = stack
        self._fingerprint = _fingerprint(self.paths) if cache_dir is not None else ""
        self._build: StructureInfoBuilder | None = None
        self._memory: dict[str, StructureInfo] = {}

    def __call__(self, ref: ArtefactRef) -> StructureInfo:
        """The StructureInfo of `ref`: from memory, the cache folder, or built and cached."""
        key = repr((ref.type, ref.agency_id, ref.id, ref.version))
        if key in self._memory:
            return self._memory[key]
        entry = self._entry(key)
        info = self._read(entry) if entry is not None else None
        if info is None:
            info = self._builder()(ref)
            if entry is not None:
                self._write(entry, info)
        self._memory[key] = info
        return info

    def held_structures(self) -> list[HeldStructure]:
        """The dataflows of the structure files, for OTHER_STRUCTURE (read on demand: a
        message that needs it is already invalid)."""
        return self._builder().held_structures()

    def scratch_node(self, settings: Settings) -> Node:
        """A node over the store of these structure files (no data): what structure messages
        are checked against by `sdmxnode validate`."""
        from sdmxnode.services.node import Node
        from sdmxnode.storage.data import DataStore

        builder = self._builder()
        return Node(settings, builder.store, DataStore.sharing(builder.store), builder.cache)

    def _entry(self, key: str) -> Path | None:
        if self.cache_dir is None:
            return None
        name = hashlib.sha256(f"{self._fingerprint}\n{key}".encode()).hexdigest()
        return self.cache_dir / "structure-info" / f"{name}.pickle"

    @staticmethod
    def _read(entry: Path) -> StructureInfo | None:
        try:
            with entry.open("rb") as stream:
                info = pickle.load(stream)  # noqa: S301 - the node's own cache folder
        except FileNotFoundError:
            return None
        except Exception as exc:  # a torn or foreign file: build it again
            log.warning("validation cache entry %s unreadable (%s): rebuilt", entry, exc)
            return None
        return info if isinstance(info, StructureInfo) else None

    @staticmethod
    def _write(entry: Path, info: StructureInfo) -> None:
        """Write the entry atomically (a temporary file renamed); a cache that cannot be
        written only costs time."""
        try:
            entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.NamedTemporaryFile(dir=entry.parent, delete=False) as stream:
                pickle.dump(info, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(stream.name, entry)
        except OSError as exc:
            log.warning("validation cache %s not written: %s", entry.parent, exc)

    def _builder(self) -> StructureInfoBuilder:
        if self._build is None:
            # Imported here: the store, sdmx1 and pandas are what a cache hit saves.
            from sdmxnode.services.structures.cache import ModelCache
            from sdmxnode.services.structures.info import StructureInfoBuilder
            from sdmxnode.services.structures.loading import load_structure_files
            from sdmxnode.storage.structures import StructureStore

            folder = self._stack.enter_context(
                tempfile.TemporaryDirectory(prefix="sdmxnode-validate-")
            )
            store = StructureStore.open(f"sqlite:///{Path(folder) / 'structures.db'}")
            self._stack.callback(store.dispose)
            store.create_schema()
            load_structure_files(store, self.paths)
            self._build = StructureInfoBuilder(store, ModelCache())
        return self._build


@contextmanager
def structures_resolver(
    files: Sequence[Path], folders: Sequence[Path] = (), cache_dir: Path | None = None
) -> Iterator[FileStructures]:
    """A resolver over the structures of `folders` and `files` (cached in `cache_dir`)."""
    with ExitStack() as stack:
        yield FileStructures([*structure_files(folders), *files], cache_dir, stack)
