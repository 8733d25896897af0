"""Validating a message without storing it: what `POST /validate` and `sdmxnode validate` do.

Data messages go through the same engine as a load (schema stage, then every structure
rule against the structures of the node, or of the structure files given); structure
messages are checked against their official XSD (SDMX-JSON ones against their JSON Schema)
and, given a node, against the rules of structure maintenance as a load would apply them.
Reference-metadata messages are checked by the metadata rules against the node's
metadataflows and MSDs (`services.metadata.checking`). Error messages, metadata messages
the node does not read, and footers are told apart by `message_kinds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sdmxnode.config import Settings
from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.input import DEFAULT_MAX_BYTES, OpenedMessage, open_message, read_data
from sdmxnode.formats.rows import DatasetRows, StructureResolver
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.metadata.checking import check_metadata_message, is_metadata_message
from sdmxnode.validation.findings import ERROR, Finding, finding_from_error
from sdmxnode.validation.json_schema import is_json_structure_message
from sdmxnode.validation.message_kinds import (
    TAIL_BYTES,
    footer_findings,
    not_a_submission,
    root_name,
)
from sdmxnode.validation.report import Report
from sdmxnode.validation.rules import check_datasets
from sdmxnode.validation.schema import validate_schema

if TYPE_CHECKING:
    from sdmxnode.services.node import Node


def validate_message(
    resolve: StructureResolver,
    data: bytes | Path,
    *,
    source: str = "message",
    kind: str | None = None,
    max_findings: int = 1000,
    max_bytes: int = DEFAULT_MAX_BYTES,
    settings: Settings | None = None,
    maintenance: Callable[[], Node] | None = None,
    metadata: Callable[[], Node] | None = None,
    metadata_structure: ArtefactRef | None = None,
    structure_map: ArtefactRef | None = None,
) -> Report:
    """The report on one message; nothing is stored. With `settings`, the data sets of the
    dataflows its AGGREGATE_CHECKS names also get the aggregate rule (warnings). With
    `maintenance`, an SDMX-ML structure message is also checked against the rules of
    structure maintenance (references, final artefacts, stored data) on the node it makes
    (made only when a structure message needs it). A reference-metadata message is checked
    against the metadataflows and MSDs of the node `metadata` makes (else the one of
    `maintenance`); `metadata_structure` names the one to check against instead of the one
    the message names. With `structure_map` the data sets are converted through that
    StructureMap (of the node `maintenance` makes, else `metadata`'s) before the structure
    rules, which then apply to the converted rows (as a load through the map would)."""
    report = Report(max_findings=max_findings)
    try:
        message = open_message(data, max_bytes=max_bytes)
        kind = kind or message.kind
        metadata_node = metadata or maintenance
        if metadata_node is not None and is_metadata_message(message):
            check_metadata_message(
                metadata_node().store,
                message,
                report,
                source=source,
                structure=metadata_structure,
            )
            return report
        footer = _check_envelope(message, data, kind, source, report, maintenance)
    except SdmxNodeError as exc:
        if exc.ends_request:
            raise  # a limit of the node (size, time) answers as an error, not as a finding
        report.add(finding_from_error(exc))
        return report
    if footer is None:
        return report
    if report.errors:
        return report  # as a load does: no structure rules on a message the schema refuses
    datasets = read_data(message, resolve, source=source, kind=kind, max_bytes=max_bytes)
    if structure_map is not None:
        converted = _converted(datasets, resolve, structure_map, maintenance or metadata, report)
        if converted is None:
            return report
        datasets = converted
    datasets = check_datasets(
        datasets,
        report,
        # The node's and the files' resolvers can list the structures they hold.
        getattr(resolve, "held_structures", None),
    )
    if settings is not None and settings.aggregate_checks.strip():
        # Imported here: it needs the store's code lists, which plain validation does not.
        from sdmxnode.services.checks.aggregates import watch_aggregates

        datasets = watch_aggregates(datasets, report, settings)
    for dataset in datasets:
        for _row in dataset.rows:
            pass
    if footer and not report.datasets:
        report.error(
            "NOT_A_SUBMISSION",
            f"{source} holds a footer but no data set: a service's answer, not a submission",
        )
    return report


def _converted(
    datasets: Iterator[DatasetRows],
    resolve: StructureResolver,
    structure_map: ArtefactRef,
    node: Callable[[], Node] | None,
    report: Report,
) -> Iterator[DatasetRows] | None:
    """The data sets converted through the StructureMap of `node`'s store, or None when the
    map cannot be used (its finding is in `report`)."""
    # Imported here: plain validation from files does not load the store's code.
    from sdmxnode.services.mapping import convert_datasets, plan_conversion

    if node is None:
        raise ValueError("a conversion through a map needs the node that holds the map")
    try:
        plan = plan_conversion(node().store, resolve, structure_map)
    except SdmxNodeError as exc:
        if exc.ends_request:
            raise
        report.add(finding_from_error(exc))
        return None
    return convert_datasets(datasets, plan, report)


def _check_envelope(
    message: OpenedMessage,
    data: bytes | Path,
    kind: str | None,
    source: str,
    report: Report,
    maintenance: Callable[[], Node] | None = None,
) -> list[Finding] | None:
    """What is checked before the data sets: not a service's answer, the schema, the
    footer. The footer's findings (also added to `report`), or None when the report is
    complete already (a refused message, a structure message)."""
    if kind == "sdmx-ml":
        refused = not_a_submission(message.head, source)  # head: the first 4096 bytes
        if refused is not None:
            report.add(refused)
            return None
        if root_name(message.head) == "Structure" and maintenance is not None:
            from sdmxnode.services.structures.messages import check_structure_message

            for finding in check_structure_message(maintenance(), message, source=source):
                report.add(finding)
            return None
        if root_name(message.head) == "Structure":
            _validate_structure_message(data, source, report)
            return None
    if kind in ("sdmx-ml", "sdmx-json"):
        with message.open() as stream:
            for finding in validate_schema(stream, kind):
                report.add(finding)
    if kind == "sdmx-json" and is_json_structure_message(_content(message)):
        return None  # the JSON Schema is all there is to check: the node stores none
    footer = footer_findings(_tail(message)) if kind == "sdmx-ml" else []
    for finding in footer:
        report.add(finding)
    return footer


def _content(message: OpenedMessage) -> bytes:
    """The whole message, decompressed as a load would read it."""
    with message.open() as stream:
        return stream.read()


def _tail(message: OpenedMessage) -> bytes:
    """The last TAIL_BYTES of a message, decompressed as a load would read it."""
    tail = b""
    with message.open() as stream:
        while chunk := stream.read(1 << 20):
            tail = (tail + chunk)[-TAIL_BYTES:]
    return tail


def _validate_structure_message(data: bytes | Path, source: str, report: Report) -> Report:
    from sdmxnode.services.structures.loading import read_structure_records

    content = data if isinstance(data, bytes) else data.read_bytes()
    try:
        read_structure_records(content, source=source)
    except SdmxNodeError as exc:
        code = (
            "UNREADABLE" if "well-formed" in exc.message or "DOCTYPE" in exc.message else "SCHEMA"
        )
        report.add(Finding(code, ERROR, exc.text))
    return report
