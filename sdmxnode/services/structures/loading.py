"""Loading SDMX-ML structure messages into the store: schema check, split, one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import message_version, parse_xml
from sdmxnode.formats.sdmxml.elements import split_structure_message
from sdmxnode.formats.sdmxml.version31 import AVAILABILITY_CONSTRAINT
from sdmxnode.refs import ArtefactRecord
from sdmxnode.services.structures.files import structure_files
from sdmxnode.storage.structures import PutResult, StructureStore
from sdmxnode.validation.schema import VALIDATORS_BY_VERSION

log = logging.getLogger(__name__)

__all__ = ["load_structure_files", "load_structures", "read_structure_records", "structure_files"]

MAX_REPORTED_ERRORS = 10


def read_structure_records(
    data: bytes, *, source: str = "message", strict: bool = True
) -> list[ArtefactRecord]:
    """The artefacts of one SDMX-ML 2.1, 3.0 or 3.1 structure message, after checking it
    against its XSD (SDMX-ML 3.1 artefacts are stored as received, read as 3.0 ones).

    With `strict=False` schema errors are logged, not fatal: for harvesting real agency
    output that strays from the official schemas (the message must still be well-formed
    SDMX-ML of a known version).
    """
    # parse_xml says 'the {what}': a source that has its article already loses it there
    tree = parse_xml(data, what=source.removeprefix("the "))
    version = message_version(tree.getroot())
    errors = VALIDATORS_BY_VERSION[version](data)
    if errors and not strict:
        log.warning("%s: %d schema errors, loaded anyway: %s", source, len(errors), errors[0])
    elif errors:
        shown = "; ".join(errors[:MAX_REPORTED_ERRORS])
        more = f" (and {len(errors) - MAX_REPORTED_ERRORS} more)" if len(errors) > 10 else ""
        raise Invalid(
            f"{source} is not valid SDMX-ML {version}: {shown}{more}",
            where=errors[0].split(":", 1)[0],
        )
    split = split_structure_message(tree)
    records = [r for r in split.records if r.ref.type != AVAILABILITY_CONSTRAINT]
    if len(records) < len(split.records):
        # SDMX 3.1: the actual content of a dataflow, which the node computes from its data
        log.warning(
            "%s: %d availability constraints not stored (not maintainable; the node answers "
            "availability from its data)",
            source,
            len(split.records) - len(records),
        )
    if not records:
        raise Invalid(f"{source} holds no structures")
    return records


def load_structures(
    store: StructureStore, data: bytes, *, source: str = "message", strict: bool = True
) -> PutResult:
    """Validate and store one structure message; nothing is stored if any part is wrong."""
    return store.put_artefacts(read_structure_records(data, source=source, strict=strict))


def load_structure_files(store: StructureStore, paths: Iterable[Path]) -> PutResult:
    """Validate every file first, then store all their artefacts in one transaction."""
    records: list[ArtefactRecord] = []
    for path in paths:
        records.extend(read_structure_records(path.read_bytes(), source=path.name))
    result = store.put_artefacts(records)
    log.info(
        "structures: %d created, %d updated, %d unchanged",
        result.created,
        result.updated,
        result.unchanged,
    )
    return result
