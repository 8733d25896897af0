"""The format registry: data readers registered beside the writers, and what every data
writer is told (WriteOptions)."""

from __future__ import annotations

from datetime import datetime

import pytest

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.input import DATA_KINDS
from sdmxnode.formats.registry import Reader, find_reader, register_reader
from sdmxnode.formats.registry.data import CSV_20, DATA_READERS, JSON_20, WriteOptions
from sdmxnode.formats.sdmxcsv.writer import write_csv_20
from sdmxnode.formats.sdmxjson.data.writer import write_json_20
from sdmxnode.formats.sdmxml.data.reader import read_sdmxml_data
from tests.formats.demo_result import DEMO_REF, demo_result, demo_rows

HEADER = MessageHeader("IMDX-DF_MIG_STOCK_IMS", "IMDX", datetime(2026, 1, 1, 12, 0), False)


def test_write_options_from_request_parameters() -> None:
    assert WriteOptions.from_parameters({}) == WriteOptions("id", "original", "none")
    options = WriteOptions.from_parameters({"labels": "both", "timeFormat": "normalized"})
    assert (options.labels, options.time_format, options.keys) == ("both", "normalized", "none")


def test_registered_writers_take_their_options(migration_resolver) -> None:
    structure = migration_resolver(DEMO_REF)
    passes = []

    def rows_again():
        passes.append(1)
        return iter(demo_rows(structure, 5))

    written = b"".join(
        JSON_20.writer(demo_result(structure, 5), HEADER, WriteOptions(rows_again=rows_again))
    )
    assert written == b"".join(write_json_20(demo_result(structure, 5), HEADER))
    assert passes == [1]
    csv = b"".join(CSV_20.writer(demo_result(structure, 5), HEADER, WriteOptions(keys="both")))
    assert csv == b"".join(write_csv_20(demo_result(structure, 5), keys="both"))


def test_every_sniffed_kind_has_a_registered_reader() -> None:
    assert DATA_KINDS == ("sdmx-ml", "sdmx-csv", "sdmx-json")
    assert [find_reader(kind) for kind in DATA_KINDS] == DATA_READERS
    sdmx_ml = find_reader("sdmx-ml")
    assert sdmx_ml is not None and sdmx_ml.read is read_sdmxml_data
    assert find_reader("sdmx-csv 3.0") is None


def test_a_kind_has_one_reader() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register_reader(Reader("sdmx-ml", "SDMX-ML", read_sdmxml_data))
