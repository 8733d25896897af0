"""The format registry: what every data writer is told (WriteOptions)."""

from __future__ import annotations

from datetime import datetime

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registry.data import CSV_20, JSON_20, WriteOptions
from sdmxnode.formats.sdmxcsv.writer import write_csv_20
from sdmxnode.formats.sdmxjson.data.writer import write_json_20
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
