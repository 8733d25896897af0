"""Data input: decompression, format sniffing, dispatch, and refusal of hostile input."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from sdmxnode.errors import Invalid
from sdmxnode.formats.input import (
    OpenedMessage,
    detect_kind,
    detect_version,
    open_data,
    open_message,
    read_data,
)
from sdmxnode.formats.rows import StructureInfo, StructureResolver
from sdmxnode.refs import ArtefactRef

PROJECT = Path(__file__).resolve().parents[2]
SMALL = PROJECT / "fixtures" / "data" / "small"
SMALL_XML = SMALL / "small-structurespecific-21.xml"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"


def never_resolve(ref: ArtefactRef) -> StructureInfo:
    raise AssertionError(f"hostile input must be refused before resolving {ref}")


def read_everything(data: bytes | Path, resolve: StructureResolver = never_resolve) -> int:
    count = 0
    for dataset in read_data(data, resolve):
        count += sum(1 for _ in dataset.rows)
    return count


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


# --- decompression and sniffing --------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["small-structurespecific-21.xml.gz", "small-structurespecific-21.zip"]
)
def test_compressed_fixtures_open_to_the_plain_bytes(name: str):
    stream, kind = open_data(SMALL / name)
    with stream:
        assert stream.read() == SMALL_XML.read_bytes()
    assert kind == "sdmx-ml"


def test_compression_is_found_from_magic_bytes_without_a_name():
    plain = SMALL_XML.read_bytes()
    for data in (gzip.compress(plain), zipped(("data.xml", plain))):
        stream, kind = open_data(data)
        assert (stream.read(), kind) == (plain, "sdmx-ml")


def test_zip_members_that_are_not_data_are_ignored():
    plain = SMALL_XML.read_bytes()
    data = zipped(("README.txt", b"read me"), ("__MACOSX/._x.xml", b"<junk/>"), ("d.xml", plain))
    stream, _ = open_data(data)
    assert stream.read() == plain


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b'<?xml version="1.0"?><m:StructureSpecificData/>', "sdmx-ml"),
        (b"\xef\xbb\xbf  <m:GenericData/>", "sdmx-ml"),
        ('<?xml version="1.0" encoding="UTF-16"?><x/>'.encode("utf-16"), "sdmx-ml"),
        (b'\n {"meta": {}, "data": {}}', "sdmx-json"),
        (b"DATAFLOW,FREQ,TIME_PERIOD,OBS_VALUE\nIMDX:DF(1.0),A,2000,1\n", "sdmx-csv"),
        (b"\xef\xbb\xbfSTRUCTURE,STRUCTURE_ID,ACTION,FREQ\n", "sdmx-csv"),
        (b'"STRUCTURE";"STRUCTURE_ID"\n', "sdmx-csv"),
        (b"STRUCTURE[;],STRUCTURE_ID,ACTION\n", "sdmx-csv"),
        (b"FREQ,TIME_PERIOD,OBS_VALUE\n", None),
        (b"%PDF-1.4", None),
    ],
)
def test_detect_kind(head: bytes, kind: str | None):
    assert detect_kind(head) == kind


def test_declared_kind_must_match_the_content():
    with pytest.raises(Invalid, match="sdmx-csv.*looks like sdmx-ml"):
        list(read_data(SMALL_XML.read_bytes(), never_resolve, kind="sdmx-csv"))


# --- hostile input: each refused with Invalid and a message that says why ------------------


def _message_with_doctype(doctype: str, body: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<m:GenericData xmlns:m="{MES}">'
        f"<m:Header><m:ID>{body}</m:ID></m:Header></m:GenericData>"
    ).encode()


def test_external_entity_is_refused_and_never_read():
    data = _message_with_doctype(
        '<!DOCTYPE m:GenericData [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"
    )
    with pytest.raises(Invalid, match="DOCTYPE") as caught:
        read_everything(data)
    text = f"{caught.value.text} {caught.value.__cause__}"
    assert "root:" not in text


def test_billion_laughs_is_refused():
    entities = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    data = _message_with_doctype(f"<!DOCTYPE m:GenericData [{''.join(entities)}]>", "&l9;")
    with pytest.raises(Invalid, match="DOCTYPE|entity expansion refused"):
        read_everything(data)


def test_external_dtd_is_refused():
    data = _message_with_doctype('<!DOCTYPE m:GenericData SYSTEM "http://127.0.0.1:9/evil.dtd">')
    with pytest.raises(Invalid, match="DOCTYPE"):
        read_everything(data)


def test_absurd_nesting_is_refused():
    depth = 10_000
    data = (
        f'<m:GenericData xmlns:m="{MES}"><m:Header>'
        + "<a>" * depth
        + "</a>" * depth
        + "</m:Header></m:GenericData>"
    ).encode()
    with pytest.raises(Invalid, match="nested too deeply"):
        read_everything(data)


def _gzip_bomb(size: int) -> bytes:
    """gzip of an XML message padded to `size` bytes, built member by member (a gzip file
    may hold many members) so that 10 GB costs milliseconds to build. The padding is
    well-formed (short text nodes between empty elements), so only the size limit stops it."""
    unit = 1 << 20
    member = gzip.compress((b" " * 1020 + b"<x/>") * (unit // 1024), mtime=0)
    head = gzip.compress(f'<m:GenericData xmlns:m="{MES}">'.encode(), mtime=0)
    return head + member * (size // unit)


def test_gzip_bomb_is_stopped_as_it_is_read():
    bomb = _gzip_bomb(10 * 1024**3)  # 10 GiB once decompressed
    assert len(bomb) < 32 * 1024**2  # a ratio of about 450:1
    stream, kind = open_data(bomb, max_bytes=32 * 1024**2)
    assert kind == "sdmx-ml"
    with pytest.raises(Invalid, match="larger than 33,554,432 bytes"):
        while stream.read(1 << 20):
            pass


def test_gzip_bomb_through_the_reader():
    with pytest.raises(Invalid, match="compression bomb"):
        for _ in read_data(_gzip_bomb(10 * 1024**3), never_resolve, max_bytes=64 * 1024**2):
            pass


def _zip_bomb(size: int) -> bytes:
    head = f'<m:GenericData xmlns:m="{MES}">'.encode()
    return zipped(("bomb.xml", head + b" " * size))


def test_zip_bomb_is_refused_on_its_declared_size():
    with pytest.raises(Invalid, match="declares"):
        open_data(_zip_bomb(64 * 1024**2), max_bytes=16 * 1024**2)


def _patch_declared_size(archive: bytes, size: int) -> bytes:
    """Make the central directory and local header lie about the uncompressed size."""
    data = bytearray(archive)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, size)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


def test_zip_bomb_that_lies_about_its_size_is_refused_when_read():
    bomb = _patch_declared_size(_zip_bomb(64 * 1024**2), 1000)
    with pytest.raises(Invalid):
        stream, _ = open_data(bomb, max_bytes=16 * 1024**2)
        while stream.read(1 << 20):
            pass


# --- a message opened once --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "version", "compression"),
    [
        ("small-csv10-21.csv", "sdmx-csv", "1.0", None),
        ("small-csv20-21.csv", "sdmx-csv", "2.0", None),
        ("small-generic-21.xml", "sdmx-ml", "2.1", None),
        ("small-structurespecific-30.xml", "sdmx-ml", "3.0", None),
        ("small-structurespecific-21.xml.gz", "sdmx-ml", "2.1", "gzip"),
        ("small-structurespecific-21.zip", "sdmx-ml", "2.1", "zip"),
        ("small-json20-21.json", "sdmx-json", None, None),  # no schema URL in its meta
    ],
)
def test_open_message_sniffs_once_and_reads_again(
    name: str, kind: str, version: str | None, compression: str | None
):
    message = open_message(SMALL / name)
    assert (message.kind, message.version, message.compression) == (kind, version, compression)
    stream, _ = open_data(SMALL / name)
    with stream:
        content = stream.read()
    assert message.head == content[:4096]
    for _ in range(2):
        with message.open() as again:
            assert again.read() == content


def test_an_opened_zip_reads_the_member_it_found():
    plain = SMALL_XML.read_bytes()
    message = open_message(zipped(("README.txt", b"read me"), ("d.xml", plain)))
    assert message.member == 1
    with message.open() as stream:
        assert stream.read() == plain


def test_an_opened_message_keeps_its_limit():
    message = open_message(_gzip_bomb(1024**3), max_bytes=8 * 1024**2)
    with pytest.raises(Invalid, match="larger than 8,388,608 bytes"), message.open() as stream:
        while stream.read(1 << 20):
            pass
    with pytest.raises(Invalid, match="compression bomb"):
        for _ in read_data(message, never_resolve):
            pass


def test_read_data_checks_the_kind_of_an_opened_message():
    message = open_message(SMALL_XML)
    assert isinstance(message, OpenedMessage)
    with pytest.raises(Invalid, match="sent as sdmx-csv but its content looks like sdmx-ml"):
        list(read_data(message, never_resolve, kind="sdmx-csv"))


@pytest.mark.parametrize(
    ("kind", "head", "version"),
    [
        ("sdmx-ml", f'<m:StructureSpecificData xmlns:m="{MES}">'.encode(), "2.1"),
        ("sdmx-ml", b"<?xml version='1.0'?>\n<Data>", None),
        ("sdmx-csv", b'"DATAFLOW";"FREQ"', "1.0"),
        ("sdmx-csv", b"STRUCTURE,STRUCTURE_ID,ACTION", "2.0"),
        (
            "sdmx-json",
            b'{"meta":{"schema":"https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/'
            b'data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json"}',
            "2.0",
        ),
        ("sdmx-json", b'{"data":{}}', None),
    ],
)
def test_detect_version(kind: str, head: bytes, version: str | None):
    assert detect_version(kind, head) == version


def test_zip_with_several_data_members_is_refused():
    plain = SMALL_XML.read_bytes()
    with pytest.raises(Invalid, match="several data messages"):
        open_data(zipped(("a.xml", plain), ("b.xml", plain)))


def test_encrypted_zip_member_is_refused():
    data = bytearray(zipped(("a.xml", SMALL_XML.read_bytes())))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature) + offset
        data[position] |= 0x01
    with pytest.raises(Invalid, match="encrypted"):
        open_data(bytes(data))


def test_invalid_utf8_is_refused():
    data = SMALL_XML.read_bytes().replace(b"<mes:ID>", b"<mes:ID>\xff\xfe\xc3(", 1)
    with pytest.raises(Invalid, match="not well-formed") as caught:
        read_everything(data)
    assert caught.value.where and caught.value.where.startswith("line ")


def test_truncated_gzip_is_refused():
    data = gzip.compress(SMALL_XML.read_bytes())
    with pytest.raises(Invalid, match="cannot be decompressed|not well-formed"):
        read_everything(data[: len(data) // 2])


def test_truncated_xml_is_refused(migration_resolver: StructureResolver):
    data = SMALL_XML.read_bytes()
    with pytest.raises(Invalid, match="not well-formed"):
        read_everything(data[: len(data) - 40], migration_resolver)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", gzip.compress(b"", mtime=0), zipped(("e.xml", b""))],
    ids=["empty", "blank", "gzip", "zip"],
)
def test_empty_input_is_refused(data: bytes):
    with pytest.raises(Invalid, match="empty|no SDMX"):
        read_everything(data)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.4 binary", "neither SDMX-ML, SDMX-CSV nor SDMX-JSON"),
        (b"<html><body>hello</body></html>", "not an SDMX-ML 2.1, 3.0 or 3.1 data message"),
        (
            b'<m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"/>',
            "not an SDMX-ML 2.1, 3.0 or 3.1 data message",
        ),
        (zlib.compress(b"<x/>"), "neither SDMX-ML"),
    ],
)
def test_not_sdmx_is_refused(data: bytes, words: str):
    with pytest.raises(Invalid) as caught:
        read_everything(data)
    assert words in caught.value.message


def test_unreadable_file_is_invalid(tmp_path: Path):
    with pytest.raises(Invalid, match="cannot open"):
        open_data(tmp_path / "absent.xml")
