"""The data formats: SDMX-ML 2.1 generic and structure-specific (and their time-series
variants), SDMX-ML 3.0 and 3.1, SDMX-CSV 1.0, 2.0 and 2.1, SDMX-JSON 1.0 (and its draft layout),
2.0 and 2.1, and the schema (XSD);
and the readers of SDMX-ML, SDMX-CSV and SDMX-JSON data messages.

Every data writer is called the same way: `write(result, header, options)`, yielding bytes;
`options` (`WriteOptions`) holds the SDMX-CSV media-type parameters (`labels`, `timeFormat`,
`keys`) and, for SDMX-JSON, `rows_again` (a second pass over the rows).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sdmxnode.formats.columnar import ARROW_MEDIA_TYPE, PARQUET_MEDIA_TYPE
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registry import Format, Reader, register, register_reader
from sdmxnode.formats.rows import DataResult
from sdmxnode.formats.sdmxcsv.reader import read_sdmxcsv_data
from sdmxnode.formats.sdmxcsv.writer import write_csv_10, write_csv_20, write_csv_21
from sdmxnode.formats.sdmxjson.data import DRAFT_NAME
from sdmxnode.formats.sdmxjson.data.reader import read_sdmxjson_data
from sdmxnode.formats.sdmxml.data.reader import read_sdmxml_data
from sdmxnode.formats.sdmxml.data.writers.generic21 import write_generic_21
from sdmxnode.formats.sdmxml.data.writers.specific21 import write_structure_specific_21
from sdmxnode.formats.sdmxml.data.writers.specific30 import write_structure_specific_30
from sdmxnode.formats.spreadsheet import XLSX_MEDIA_TYPE

if TYPE_CHECKING:
    from sdmxnode.formats.sdmxjson.data.writer import RowsAgain


@dataclass(frozen=True)
class WriteOptions:
    """What a data writer is told besides the result and the header: the SDMX-CSV
    media-type parameters, and for SDMX-JSON a fresh pass over the result's rows (without
    it the JSON writers keep the rows in memory between their two passes)."""

    labels: str = "id"
    time_format: str = "original"
    keys: str = "none"
    rows_again: RowsAgain | None = None
    #: The URL the answer is for (named in the notes of an Excel workbook).
    source_url: str = ""

    @classmethod
    def from_parameters(
        cls,
        parameters: Mapping[str, str],
        rows_again: RowsAgain | None = None,
        source_url: str = "",
    ) -> WriteOptions:
        """From the SDMX-CSV parameters as a request spells them (`labels`, `timeFormat`,
        `keys`); those not given keep their defaults."""
        return cls(
            labels=parameters.get("labels", "id"),
            time_format=parameters.get("timeFormat", "original"),
            keys=parameters.get("keys", "none"),
            rows_again=rows_again,
            source_url=source_url,
        )


DataWriter = Callable[[DataResult, MessageHeader, WriteOptions], Iterator[bytes]]


def _csv_10(result: DataResult, header: MessageHeader, options: WriteOptions):
    return write_csv_10(result, labels=options.labels, time_format=options.time_format)


def _csv_20(result: DataResult, header: MessageHeader, options: WriteOptions):
    return write_csv_20(
        result, labels=options.labels, time_format=options.time_format, keys=options.keys
    )


def _csv_21(result: DataResult, header: MessageHeader, options: WriteOptions):
    return write_csv_21(
        result, labels=options.labels, time_format=options.time_format, keys=options.keys
    )


def _xml(writer: Callable[..., Iterator[bytes]], **kwargs: Any) -> DataWriter:
    def write(result: DataResult, header: MessageHeader, options: WriteOptions):
        return writer(result, header, **kwargs)

    return write


def _json(name: str) -> DataWriter:
    """The SDMX-JSON writer `name`, imported on first use: its module needs sdmx1's model
    (and so pandas), which reading and validating data never do."""

    def write(result: DataResult, header: MessageHeader, options: WriteOptions):
        writer = getattr(importlib.import_module("sdmxnode.formats.sdmxjson.data.writer"), name)
        return writer(result, header, options.rows_again)

    return write


GENERIC_21 = register(
    Format(
        "genericdata-2.1",
        "application/vnd.sdmx.genericdata+xml",
        "2.1",
        "data",
        sdmx_ml="2.1",
        writer=_xml(write_generic_21),
        aliases=("genericdata",),
    )
)
GENERIC_TS_21 = register(
    Format(
        "generictimeseriesdata-2.1",
        "application/vnd.sdmx.generictimeseriesdata+xml",
        "2.1",
        "data",
        sdmx_ml="2.1",
        writer=_xml(write_generic_21, time_series=True),
        aliases=("generictimeseriesdata",),
    )
)
STRUCTURE_SPECIFIC_21 = register(
    Format(
        "structurespecificdata-2.1",
        "application/vnd.sdmx.structurespecificdata+xml",
        "2.1",
        "data",
        sdmx_ml="2.1",
        writer=_xml(write_structure_specific_21),
        aliases=("structurespecificdata",),
    )
)
STRUCTURE_SPECIFIC_TS_21 = register(
    Format(
        "structurespecifictimeseriesdata-2.1",
        "application/vnd.sdmx.structurespecifictimeseriesdata+xml",
        "2.1",
        "data",
        sdmx_ml="2.1",
        writer=_xml(write_structure_specific_21, time_series=True),
        aliases=("structurespecifictimeseriesdata",),
    )
)
DATA_30 = register(
    Format(
        "data-3.0",
        "application/vnd.sdmx.data+xml",
        "3.0.0",
        "data",
        sdmx_ml="3.0",
        writer=_xml(write_structure_specific_30),
        aliases=("structurespecificdata", "xml", "sdmx-ml"),
    )
)
#: SDMX-ML 3.1 (SDMX 3.1, SDMX-REST 2.2 `data+xml;version=3.1.0`): asked for by its version;
#: 3.0 stays the 2.x default. The `structurespecificdata+xml` spelling with version 3.1.0 is
#: taken too (SDMX-ML 3.x data are all structure-specific).
DATA_31 = register(
    Format(
        "data-3.1",
        "application/vnd.sdmx.data+xml",
        "3.1.0",
        "data",
        sdmx_ml="3.1",
        writer=_xml(write_structure_specific_30, version="3.1"),
        aliases=("structurespecificdata", "xml", "sdmx-ml"),
        other_media_types=("application/vnd.sdmx.structurespecificdata+xml",),
    )
)
CSV_10 = register(
    Format(
        "csvdata-1.0",
        "application/vnd.sdmx.data+csv",
        "1.0.0",
        "data",
        writer=_csv_10,
        aliases=("csvdata", "csv", "sdmx-csv"),
    )
)
CSV_20 = register(
    Format(
        "csvdata-2.0",
        "application/vnd.sdmx.data+csv",
        "2.0.0",
        "data",
        writer=_csv_20,
        aliases=("csvdata", "csv", "sdmx-csv"),
    )
)
#: SDMX-CSV 2.1 (SDMX 3.1): asked for by its version; 2.0 stays the 2.x default.
CSV_21 = register(
    Format(
        "csvdata-2.1",
        "application/vnd.sdmx.data+csv",
        "2.1.0",
        "data",
        writer=_csv_21,
        aliases=("csvdata", "csv", "sdmx-csv"),
    )
)
JSON_10 = register(
    Format(
        "jsondata-1.0",
        "application/vnd.sdmx.data+json",
        "1.0.0",
        "data",
        writer=_json("write_json_10"),
        aliases=("jsondata", "json", "sdmx-json"),
    )
)
JSON_20 = register(
    Format(
        "jsondata-2.0",
        "application/vnd.sdmx.data+json",
        "2.0.0",
        "data",
        writer=_json("write_json_20"),
        aliases=("jsondata", "json", "sdmx-json"),
    )
)
#: SDMX-JSON 2.1 (SDMX 3.1, SDMX-REST 2.2): asked for by its version; 2.0 stays the 2.x default.
JSON_21 = register(
    Format(
        "jsondata-2.1",
        "application/vnd.sdmx.data+json",
        "2.1.0",
        "data",
        writer=_json("write_json_21"),
        aliases=("jsondata", "json", "sdmx-json"),
    )
)
#: The SDMX-JSON 1.0 draft layout (`{header, structure, dataSets}`) that ECB and OECD.Stat
#: send and sdmx1 and pandasdmx read; the released 1.0 (`JSON_10`) stays the default.
JSON_10_DRAFT = register(
    Format(
        "jsondata-1.0-draft",
        f"application/vnd.sdmx.{DRAFT_NAME}+json",
        "1.0.0",
        "data",
        writer=_json("write_json_10_draft"),
        aliases=(DRAFT_NAME,),
        other_media_types=(DRAFT_NAME,),
    )
)
SCHEMA_21 = register(
    Format("schema-2.1", "application/vnd.sdmx.schema+xml", "2.1", "schema", aliases=("schema",))
)
SCHEMA_30 = register(
    Format("schema-3.0", "application/vnd.sdmx.schema+xml", "3.0.0", "schema", aliases=("schema",))
)
#: The structure-specific XSD of SDMX-ML 3.1 data (SDMX-REST 2.2 `schema+xml;version=3.1.0`).
SCHEMA_31 = register(
    Format("schema-3.1", "application/vnd.sdmx.schema+xml", "3.1.0", "schema", aliases=("schema",))
)
#: The JSON Schema of SDMX-JSON 2.0 data (2.x `schema.md`'s default).
SCHEMA_JSON_20 = register(
    Format(
        "schema-json-2.0",
        "application/vnd.sdmx.schema+json",
        "2.0.0",
        "schema",
        aliases=("jsonschema",),
    )
)

#: What a schema query answers besides structure messages: the XSDs and the JSON Schema.
SCHEMA_FORMATS = [SCHEMA_21, SCHEMA_30, SCHEMA_31, SCHEMA_JSON_20]


def _columnar(name: str) -> DataWriter:
    """The Parquet or Arrow writer, imported on first use (pyarrow is large)."""

    def write(result: DataResult, header: MessageHeader, options: WriteOptions):
        writer = getattr(importlib.import_module("sdmxnode.formats.columnar.writers"), name)
        return writer(result, labels=options.labels)

    return write


#: Columnar downloads for analysts (not SDMX formats): the SDMX-CSV 2.0 columns in Apache
#: Parquet and as an Arrow IPC stream; their media types have no version parameter.
PARQUET = register(
    Format(
        "parquet",
        PARQUET_MEDIA_TYPE,
        "",
        "data",
        writer=_columnar("write_parquet"),
        compressed=True,
    )
)
ARROW = register(Format("arrow", ARROW_MEDIA_TYPE, "", "data", writer=_columnar("write_arrow")))


def _xlsx(result: DataResult, header: MessageHeader, options: WriteOptions):
    from sdmxnode.formats.spreadsheet.xlsx import write_xlsx

    return write_xlsx(result, source_url=options.source_url, sender=header.sender)


#: An Excel workbook for people (not an SDMX format): data and notes, codes and names.
XLSX = register(
    Format("xlsx", XLSX_MEDIA_TYPE, "", "data", writer=_xlsx, aliases=("excel",), compressed=True)
)

DATA_FORMATS = [
    GENERIC_21,
    GENERIC_TS_21,
    STRUCTURE_SPECIFIC_21,
    STRUCTURE_SPECIFIC_TS_21,
    DATA_30,
    DATA_31,
    CSV_10,
    CSV_20,
    CSV_21,
    JSON_10,
    JSON_20,
    JSON_21,
    JSON_10_DRAFT,  # not the standard's, kept for the clients that read only it
    PARQUET,
    ARROW,
    XLSX,
]
_EXTENSIONS = {
    PARQUET_MEDIA_TYPE: "parquet",
    ARROW_MEDIA_TYPE: "arrows",  # the Arrow IPC stream format's extension
    XLSX_MEDIA_TYPE: "xlsx",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._+@-]+")


def file_extension(fmt: Format) -> str:
    """The file name extension of an answer in `fmt` (csv, xml, json, parquet, ...)."""
    if fmt.media_type in _EXTENSIONS:
        return _EXTENSIONS[fmt.media_type]
    return fmt.media_type.rsplit("+", 1)[-1] if "+" in fmt.media_type else "dat"


def file_name(fmt: Format, *parts: str) -> str:
    """A file name of `parts` joined by '-' (characters a file name should not hold become
    '_', the whole kept under 150 characters) and the extension of `fmt`."""
    stem = "-".join(_UNSAFE.sub("_", part) for part in parts if part)[:150]
    return f"{stem or 'data'}.{file_extension(fmt)}"


def data_file_name(
    fmt: Format, agency: str, id: str, version: str, key: str, part: bool = False
) -> str:
    """The file name of a data answer: `AGENCY-ID-VERSION-KEY[-part].ext`, the key with '_'
    for a wildcard position and trailing wildcards left out (`A.FRA......` -> `A.FRA`),
    several keys joined by ','."""
    keys = [".".join(p or "_" for p in k.split(".")).rstrip("._") for k in key.split(",")]
    return file_name(fmt, agency, id, version, ",".join(keys) or "all", "part" if part else "")


#: The data formats a submission may be in (the node reads SDMX-ML, SDMX-CSV, SDMX-JSON).
SUBMITTED_DATA_FORMATS = [
    f
    for f in DATA_FORMATS
    if f.media_type not in (PARQUET_MEDIA_TYPE, ARROW_MEDIA_TYPE, XLSX_MEDIA_TYPE)
]
#: The data readers, in the order the input names them (one reader reads every version).
DATA_READERS = [
    register_reader(Reader("sdmx-ml", "SDMX-ML", read_sdmxml_data)),
    register_reader(Reader("sdmx-csv", "SDMX-CSV", read_sdmxcsv_data)),
    register_reader(Reader("sdmx-json", "SDMX-JSON", read_sdmxjson_data)),
]
