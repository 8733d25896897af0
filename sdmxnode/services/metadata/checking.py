"""Checking a reference-metadata message: schema first, then every set against its structures.

What `sdmxnode validate`, `POST /validate` and a load share: the message is sniffed and
opened as data is (`formats.input`), checked against the official XSD or JSON Schema, read
by the registered metadata reader of its kind, and each set checked by the metadata rules
(`validation.metadata`) against the structures the node holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.input import OpenedMessage
from sdmxnode.formats.metadata import MetadataSet
from sdmxnode.formats.registry import find_metadata_reader
from sdmxnode.formats.sdmxml.metadata.reader import METADATA_ROOTS
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.findings import finding_from_error
from sdmxnode.validation.message_kinds import root_name
from sdmxnode.validation.metadata import MetadataChecker
from sdmxnode.validation.report import Report
from sdmxnode.validation.schema import validate_schema

if TYPE_CHECKING:  # the store (SQLAlchemy) is not imported by a cached `validate`
    from sdmxnode.storage.structures import StructureStore

_ROOT_NAMES = frozenset(name for _, name in METADATA_ROOTS)


def is_metadata_message(message: OpenedMessage) -> bool:
    """Whether an opened message is a reference-metadata message the node reads."""
    if message.kind == "sdmx-ml":
        return root_name(message.head) in _ROOT_NAMES
    if message.kind == "sdmx-json":
        from sdmxnode.formats.sdmxjson.metadata.reader import is_json_metadata

        return is_json_metadata(message.head)
    return False


@dataclass(frozen=True)
class StoredArtefacts:
    """The structures of a store, as the metadata rules look them up (`ArtefactSource`).

    One instance serves one message: the artefacts it finds are remembered, since the 232
    sets of a message name the same few structures (and on PostgreSQL each look-up is a
    round trip). The store does not change while a message is checked.
    """

    store: StructureStore
    _found: dict[ArtefactRef, tuple[ArtefactRef, bytes] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def find_xml(self, ref: ArtefactRef) -> tuple[ArtefactRef, bytes] | None:
        """The artefact with this identity; the latest version for version '' or '~'."""
        if ref not in self._found:
            self._found[ref] = self._find_xml(ref)
        return self._found[ref]

    def _find_xml(self, ref: ArtefactRef) -> tuple[ArtefactRef, bytes] | None:
        if ref.version not in ("", "~", "latest"):
            found = self.store.find_artefact(ref)
        else:
            versions = self.store.find_by_identity([(ref.type, ref.agency_id, ref.id)])
            found = max(versions, key=lambda a: _version_key(a.ref.version), default=None)
        if found is None:
            return None
        return found.ref, self.store.read_one_xml(found)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def check_metadata_message(
    store: StructureStore,
    message: OpenedMessage,
    report: Report,
    *,
    source: str = "message",
    structure: ArtefactRef | None = None,
) -> list[MetadataSet]:
    """The sets of a metadata message, each checked; the findings go to `report`.

    `structure`: the metadataflow or MSD to check against instead of the one the message
    names. Nothing is read past a schema error (as for data).
    """
    with message.open() as stream:
        for finding in validate_schema(stream, message.kind):
            report.add(finding)
    if report.errors:
        return []
    reader = find_metadata_reader(message.kind)
    if reader is None:
        report.error("UNREADABLE", f"{message.kind} metadata cannot be read by this node")
        return []
    checker = MetadataChecker(StoredArtefacts(store), structure=structure)
    sets: list[MetadataSet] = []
    try:
        with message.open() as stream:
            for metadata_set in reader(stream, source=source):
                checker.check(metadata_set, report)
                report.datasets += 1
                sets.append(metadata_set)
    except SdmxNodeError as exc:
        if exc.ends_request:
            raise
        report.add(finding_from_error(exc))
        report.stopped = True
    return sets
