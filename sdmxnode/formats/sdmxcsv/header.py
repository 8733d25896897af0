"""The header row and structure cells of an SDMX-CSV 1.0 / 2.0 data message.

SDMX-CSV field guides (sdmx-twg/sdmx-csv), "Column headers (first row)": the first header
cell gives the version (`DATAFLOW`: 1.0, `STRUCTURE`: 2.0), the sub-field delimiter
(`STRUCTURE[;]`) and, by the character that follows it, the field delimiter.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from sdmxnode.errors import Invalid
from sdmxnode.formats.values import VALUE_SEPARATOR
from sdmxnode.refs import ArtefactRef

#: Field delimiters accepted after DATAFLOW / STRUCTURE.
DELIMITERS = ",;\t|"
#: SDMX-CSV structure types -> the types of what data are structured by.
STRUCTURE_TYPES = {
    "dataflow": "Dataflow",
    "datastructure": "DataStructure",
    "dataprovision": "ProvisionAgreement",
}
_STRUCTURE_ID = re.compile(
    r"(?P<agency>[A-Za-z0-9_@$\-]+(?:\.[A-Za-z0-9_@$\-]+)*):(?P<id>[A-Za-z0-9_@$\-]+)"
    r"(?:\((?P<version>[^()]*)\))?(?:: .*)?",
    re.DOTALL,
)
#: SDMX-CSV 1.0 columns of the format besides DATAFLOW ("Additional commonalities": series
#: key, action flags, validFrom / validTo), which are no component of a structure.
OWN_COLUMNS_10 = frozenset({"SERIES_KEY", "OBS_KEY", "ACTION", "VALID_FROM", "VALID_TO"})
_COMPONENT_HEADER = re.compile(r"(?P<id>[A-Za-z_@$][A-Za-z0-9_@$\-]*)(?:\[(?P<bracket>[^\]]*)\])?")
LABEL = ": "


@dataclass
class ComponentColumn:
    """A component's column in SDMX-CSV: its index, id, and whether it holds several values."""

    index: int
    id: str
    multi: bool = False
    languages: tuple[str, ...] = ()


@dataclass
class CsvHeader:
    """What the header row of an SDMX-CSV message says: version, delimiters and columns."""

    version: str  # '1.0' | '2.0'
    delimiter: str
    sub_delimiter: str
    width: int
    kind_index: int | None  # SDMX-CSV 2.0 STRUCTURE column
    id_index: int
    action_index: int | None
    labels_both: bool
    labels_name: bool
    components: list[ComponentColumn] = field(default_factory=list)
    #: (index, header) of columns that cannot name a component (custom, nested metadata)
    other: list[tuple[int, str]] = field(default_factory=list)


def read_structure_ref(kind_cell: str, id_cell: str, number: int) -> ArtefactRef:
    """The structure a row names in its first two cells (SDMX-CSV 2.0: type and id)."""
    type_ = STRUCTURE_TYPES.get(kind_cell.strip().lower())
    if type_ is None:
        raise Invalid(
            f"row {number}: structure type {kind_cell!r} is not dataflow, datastructure or "
            "dataprovision",
            where=f"row {number}",
        )
    match = _STRUCTURE_ID.fullmatch(id_cell.strip())
    if match is None:
        raise Invalid(
            f"row {number}: {id_cell!r} is not a structure id AGENCY:ID(VERSION)",
            where=f"row {number}",
        )
    return ArtefactRef(type_, match["agency"], match["id"], match["version"] or "")


def read_header(line: str) -> CsvHeader:
    """The header record: version, delimiters, special and component columns."""
    if not line.strip():
        raise Invalid("the SDMX-CSV message is empty: no header row", where="row 1")
    version, sub_delimiter, rest = _header_version(_unquote_first_field(line))
    delimiter = rest[:1]
    if delimiter not in DELIMITERS or not delimiter:
        raise Invalid(
            f"the header's first column is followed by {delimiter!r}, not a field delimiter "
            f"({' '.join(repr(d) for d in DELIMITERS)})",
            where="row 1",
        )
    try:
        fields = next(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise Invalid(f"the header row is not valid CSV: {exc}", where="row 1") from exc
    fields = [f.strip() for f in fields]
    header = CsvHeader(version, delimiter, sub_delimiter, len(fields), None, 0, None, False, False)
    position = _read_special_headers_20(header, fields) if version == "2.0" else 1
    _read_component_headers(header, fields, position)
    return header


def _unquote_first_field(line: str) -> str:
    """The header line with the quotes of its first field removed (`"DATAFLOW",...` as
    spreadsheets write it is `DATAFLOW,...`); the other fields are parsed as CSV later."""
    if not line.startswith('"'):
        return line
    end = 1
    while True:
        end = line.find('"', end)
        if end == -1:
            return line  # no closing quote: the CSV parse of the whole row reports it
        if line[end + 1 : end + 2] != '"':
            return line[1:end].replace('""', '"') + line[end + 1 :]
        end += 2


def _header_version(line: str) -> tuple[str, str, str]:
    """(SDMX-CSV version, sub-field delimiter, the line after the first header's name)."""
    upper = line[:9].upper()
    if upper.startswith("DATAFLOW"):
        return "1.0", VALUE_SEPARATOR, line[8:]
    if not upper.startswith("STRUCTURE"):
        raise Invalid(
            "the first header must be DATAFLOW (SDMX-CSV 1.0) or STRUCTURE (SDMX-CSV 2.0), "
            f"found {line[:30].strip()!r}",
            where="row 1",
        )
    rest = line[9:]
    if not rest.startswith("["):
        return "2.0", VALUE_SEPARATOR, rest
    # STRUCTURE[;] gives the sub-field delimiter, STRUCTURE[] none
    if rest[2:3] == "]" and rest[1:2] not in ("", "\n", "\r"):
        return "2.0", rest[1], rest[3:]
    if rest[1:2] == "]":
        return "2.0", VALUE_SEPARATOR, rest[2:]
    raise Invalid(
        f"the header {line[:30].strip()!r} does not give one sub-field delimiter in STRUCTURE[...]",
        where="row 1",
    )


def _read_special_headers_20(header: CsvHeader, fields: list[str]) -> int:
    """Read SDMX-CSV 2.0's own columns (STRUCTURE_ID, STRUCTURE_NAME, ACTION, SERIES_KEY,
    OBS_KEY); the position of the first component column."""
    if fields[1:2] != ["STRUCTURE_ID"]:
        raise Invalid("the second header of SDMX-CSV 2.0 must be STRUCTURE_ID", where="row 1")
    header.kind_index, header.id_index, position = 0, 1, 2
    if fields[position : position + 1] == ["STRUCTURE_NAME"]:
        header.labels_name, position = True, position + 1
    if fields[position : position + 1] == ["ACTION"]:
        header.action_index, position = position, position + 1
    for term in ("SERIES_KEY", "OBS_KEY"):
        if fields[position : position + 1] == [term]:
            position += 1
    return position


def _read_component_headers(header: CsvHeader, fields: list[str], start: int) -> None:
    seen: set[str] = set()
    for index in range(start, len(fields)):
        text, label, _ = fields[index].partition(LABEL)
        match = _COMPONENT_HEADER.fullmatch(text)
        if match is None:
            header.other.append((index, fields[index]))
            continue
        if label:
            header.labels_both = True
        component_id, bracket = match["id"], match["bracket"]
        if component_id in seen:
            raise Invalid(f"the header names {component_id} twice", where="row 1")
        seen.add(component_id)
        languages = tuple(bracket.split(header.sub_delimiter)) if bracket else ()
        header.components.append(
            ComponentColumn(index, component_id, bracket is not None, languages)
        )
