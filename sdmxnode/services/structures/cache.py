"""Parsed artefacts and what is derived from them, kept per process (`ModelCache`).

The cache itself needs no sdmx1: a process that only reads derived values (a load reading
a kept StructureInfo) imports no information model; parsing is `models.parse_artefact`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sdmxnode.errors import StorageError
from sdmxnode.storage.records import StoredArtefact

if TYPE_CHECKING:
    from sdmx.model import common

T = TypeVar("T")
_MISSING = object()


class ModelCache:
    """Parsed artefacts by (pk, digest), least recently used dropped first; thread-safe.

    The key changes whenever an artefact is replaced (its digest) or deleted and stored
    anew, so no process serves a stale artefact after a change made by another one. An
    artefact that could only be parsed with the artefacts it references (`context`) also
    depends on them: it is kept with their (pk, digest) and parsed again when they changed.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._objects: OrderedDict[
            tuple[int, str], tuple[common.MaintainableArtefact, frozenset[tuple[int, str]] | None]
        ] = OrderedDict()
        self._derived: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def derived(self, key: tuple, build: Callable[[], T]) -> T:
        """What `build` derives from many stored rows, kept under `key`, which must name
        everything it depends on, so that a change makes the next caller build it anew:
        the store's generation (`StructureStore.generation`) for what artefacts give, a
        dataflow's data version (its last load) for what its data give. The last
        `size` // 8 are kept."""
        with self._lock:
            found = self._derived.get(key, _MISSING)
            if found is not _MISSING:
                self._derived.move_to_end(key)
                return found
        value = build()
        self.remember(key, value)
        return value

    def remember(self, key: tuple, value: Any) -> None:
        """Keep `value` under `key` with what `derived` keeps (the last `size` // 8): a
        guess the caller checks before it relies on it, as `recall` gives it back."""
        with self._lock:
            self._derived[key] = value
            self._derived.move_to_end(key)
            while len(self._derived) > max(8, self.size // 8):
                self._derived.popitem(last=False)

    def recall(self, key: tuple) -> Any | None:
        """What `remember` (or `derived`) kept under `key`, or None."""
        with self._lock:
            found = self._derived.get(key, None)
            if found is not None:
                self._derived.move_to_end(key)
            return found

    def get(
        self,
        artefact: StoredArtefact,
        xml: bytes | Callable[[], bytes],
        context: Callable[[], Sequence[tuple[StoredArtefact, bytes]]] | None = None,
    ) -> common.MaintainableArtefact:
        """The parsed artefact; `context` gives artefacts it references, for sdmx1 to
        resolve against when the element alone cannot be read (asked only then). `xml` is
        the stored text, or what reads it: then it is read only when the artefact is parsed
        (a cached artefact costs no query)."""
        key = (artefact.pk, artefact.digest)
        with self._lock:
            found = self._objects.get(key)
            if found is not None:
                self._objects.move_to_end(key)
        if found is not None:
            obj, depends = found
            if depends is None:
                return obj
            if context is not None:
                others = context()
                if _versions_of(others) == depends:
                    return obj
                return self._store(key, _parse(artefact, _text(xml), others), others)
            return obj
        text = _text(xml)
        try:
            return self._store(key, _parse(artefact, text), None)
        except StorageError:
            if context is None:
                raise
        others = context()
        return self._store(key, _parse(artefact, text, others), others)

    def _store(
        self,
        key: tuple[int, str],
        obj: common.MaintainableArtefact,
        context: Sequence[tuple[StoredArtefact, bytes]] | None,
    ) -> common.MaintainableArtefact:
        depends = _versions_of(context) if context is not None else None
        with self._lock:
            self._objects[key] = (obj, depends)
            self._objects.move_to_end(key)
            while len(self._objects) > self.size:
                self._objects.popitem(last=False)
        return obj


def _parse(
    artefact: StoredArtefact, xml: bytes, context: Sequence[tuple[StoredArtefact, bytes]] = ()
) -> common.MaintainableArtefact:
    from sdmxnode.services.structures.models import parse_artefact  # imports sdmx1

    return parse_artefact(artefact, xml, context)


def _text(xml: bytes | Callable[[], bytes]) -> bytes:
    return xml() if callable(xml) else xml


def _versions_of(context: Sequence[tuple[StoredArtefact, bytes]]) -> frozenset[tuple[int, str]]:
    return frozenset((other.pk, other.digest) for other, _ in context)
