"""SDMX-ML 3.1 generic metadata (SDMX 3.1): the 3.0 message in the 3.1 namespaces, valid
against the official 3.1 XSDs, with Merge written as Merge, and read back by the node's
reader to the sets written (the 3.1 input path)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml.metadata.reader import read_metadata_ml
from sdmxnode.formats.sdmxml.metadata.writer30 import (
    stream_metadata_message_31,
    write_metadata_message,
)
from sdmxnode.validation.schema import validate_ml31, validate_schema
from tests.formats.metadata_sets import sdmx30_set

HEADER = MessageHeader("IDREF1", "IMDX", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
V31 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_1/"


def _write_31(*sets) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(stream_metadata_message_31(list(sets), HEADER))


def test_the_31_message_is_valid_and_in_the_31_namespaces_only() -> None:
    xml = _write_31(sdmx30_set(), replace(sdmx30_set("MDS_FRA"), action="Merge"))

    assert validate_ml31(xml) == []
    assert validate_schema(xml, "sdmx-ml") == []
    root = etree.fromstring(xml)
    namespaces = {etree.QName(node).namespace for node in root.iter() if isinstance(node.tag, str)}
    assert {ns for ns in namespaces if "sdmxml" in (ns or "")} == {
        V31 + "message",
        V31 + "common",
        V31 + "metadata/generic",
    }
    sets = root.findall(f"{{{V31}message}}MetadataSet")
    assert [(s.get("id"), s.get("action")) for s in sets] == [
        ("MDS_KEN", "Replace"),
        ("MDS_FRA", "Merge"),
    ]


def test_the_31_message_says_what_the_30_one_says() -> None:
    sets = [sdmx30_set(), sdmx30_set("MDS_FRA")]

    from_31 = list(read_metadata_ml(io.BytesIO(_write_31(*sets))))
    from_30 = list(read_metadata_ml(io.BytesIO(write_metadata_message(sets, HEADER))))

    assert from_31 == from_30
    assert [s.reports for s in from_31] == [s.reports for s in sets]
