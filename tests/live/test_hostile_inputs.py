"""The hostile-input suite: over a hundred malicious or broken requests against a live node.

Every case must get a 4xx answer carrying an SDMX error message (XML or JSON as
negotiated) within the client's timeout; POST /validate, which reports on messages rather
than refusing them, may instead answer its 200 report saying the message is not valid.
After all cases the store is unchanged (artefact count, a digest of the data and of the
structures), the node process grew by less than MEMORY_BOUND_MIB at its peak, and it
still answers a known figure correctly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from lxml import etree

from sdmxnode.config import load_settings
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from tests.conftest import fresh_database
from tests.live.conftest import LiveNode, start_node
from tests.live.hostile_payloads import (
    MARKER,
    PASSWD_MARKER,
    csv_payloads,
    data_message,
    deflate_bomb,
    gzip_bomb,
    json_payloads,
    series,
    xml_payloads,
    zip_bomb,
)

pytestmark = pytest.mark.live

TIMEOUT = 20  # seconds a client waits for any answer
REQUEST_TIMEOUT = 4  # SDMXNODE_REQUEST_TIMEOUT of the node under test
MAX_REQUEST_BYTES = 8 * 1024 * 1024
MAX_URL_LENGTH = 4000
MAX_RESPONSE_OBSERVATIONS = 3000
MEMORY_BOUND_MIB = 500
FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
WORLD_1990 = f"/rest/data/{FLOW}/A.1.STOCK.FB._T._T._T._T?startPeriod=1990&endPeriod=1990"
CSV = "application/vnd.sdmx.data+csv;version=2.0.0"

#: The write endpoints a hostile body is sent to (with a valid admin token).
DATA_WRITES = (
    ("POST", f"/rest/data/{FLOW}"),
    ("PUT", "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"),
)
STRUCTURE_WRITES = (
    ("POST", "/rest/v2/structure"),
    ("PUT", "/rest/v2/structure/codelist/IMDX/CL_HOSTILE/1.0.0"),
)
#: Payloads that are legal XML (UTF-16 is detected without a BOM, XInclude is not processed,
#: an id has no length limit in the SDMX-ML schemas): /validate may call them valid, so
#: they are not sent to the write endpoints, which could store them.
LEGAL_XML = ("xinclude", "utf16-without-bom", "huge-ids")


@dataclass
class Case:
    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    files: dict | None = None
    authorised: bool = False
    raw: Callable[[LiveNode], bytes] | None = None  # a raw-socket exchange instead
    chunked: bool = False  # send the body with Transfer-Encoding: chunked


@dataclass
class Hostile:
    node: LiveNode
    token: str
    marker_file: Path
    before: dict[str, str]
    worker_pid: int
    peak_before_kib: int


def _worker_pid(master: int) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for task in Path(f"/proc/{master}/task").iterdir():
            children = (task / "children").read_text().split()
            if children:
                return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("the gunicorn worker did not start")


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _structure_digest(xml: bytes) -> str:
    root = etree.fromstring(xml)
    for header in root.findall("{*}Header"):
        root.remove(header)
    return hashlib.sha256(etree.tostring(root, method="c14n")).hexdigest()


def store_snapshot(url: str) -> dict[str, str]:
    """The artefact count, a digest of every artefact, and a digest of the demo data."""
    get = requests.Session().get
    snapshot = {"artefacts": str(get(f"{url}/health", timeout=TIMEOUT).json()["artefacts"])}
    for kind in ("codelist", "conceptscheme", "datastructure", "dataflow"):
        answer = get(f"{url}/rest/{kind}/all/all/all", timeout=TIMEOUT)
        assert answer.status_code == 200, kind
        snapshot[kind] = _structure_digest(answer.content)
    for start, end in (("1990", "2000"), ("2001", "2010"), ("2011", "2020")):
        answer = get(
            f"{url}/rest/data/{FLOW}?startPeriod={start}&endPeriod={end}",
            headers={"Accept": CSV},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200, answer.text[:300]
        lines = sorted(answer.text.splitlines())
        snapshot[f"data {start}-{end}"] = (
            f"{len(lines)} " + hashlib.sha256("\n".join(lines).encode()).hexdigest()
        )
    return snapshot


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    folder = tmp_path_factory.mktemp("hostile")
    database_url = fresh_database(folder)
    marker_file = folder / "secret.txt"
    marker_file.write_text(f"{MARKER}\n")
    env = {
        "SDMXNODE_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT),
        "SDMXNODE_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
        "SDMXNODE_MAX_URL_LENGTH": str(MAX_URL_LENGTH),
        "SDMXNODE_MAX_RESPONSE_OBSERVATIONS": str(MAX_RESPONSE_OBSERVATIONS),
    }
    generator = start_node(database_url, None, folder / "node.log", env)
    live = next(generator)
    try:
        node = Node.from_settings(load_settings({"DATABASE_URL": database_url}))
        token = create_token(node, role="admin", label="hostile suite")
        node.store.engine.dispose()
        worker = _worker_pid(live.pid)
        before = store_snapshot(live.url)
        yield Hostile(live, token, marker_file, before, worker, _peak_kib(worker))
    finally:
        generator.close()


# -- the cases -------------------------------------------------------------------------------


def _raw_exchange(request: bytes, trickle: bytes = b"", pause: float = 0.0):
    """A raw-socket exchange: send `request`, then `trickle` byte by byte, read the answer."""

    def run(node: LiveNode) -> bytes:
        parts = urlsplit(node.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as sock:
            sock.sendall(request)
            for byte in trickle:
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break  # the node answered and closed: what we want
                time.sleep(pause)
            chunks = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)

    return run


def _http(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _cases() -> list[Case]:
    cases: list[Case] = []
    marker_placeholder = Path("/nonexistent/marker")  # replaced per node in the test
    xml = xml_payloads(marker_placeholder)
    xml_type = {"Content-Type": "application/xml"}
    for name, (data, structure) in xml.items():
        cases.append(Case(f"validate-{name}", "POST", "/validate", data, xml_type))
        cases.append(Case(f"validate-structure-{name}", "POST", "/validate", structure, xml_type))
        if name in LEGAL_XML:
            continue  # a well-formed message: a write could store it
        for method, path in DATA_WRITES:
            cases.append(Case(f"{method}-data-{name}", method, path, data, xml_type, None, True))
        for method, path in STRUCTURE_WRITES:
            cases.append(
                Case(f"{method}-structure-{name}", method, path, structure, xml_type, None, True)
            )

    head = data_message("").split(b"</mes:DataSet>")[0]
    bomb = gzip_bomb(1 << 30, head)  # 1 GiB once inflated, about 1 MB sent
    gz = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
    cases.append(Case("validate-gzip-encoded-bomb", "POST", "/validate", bomb, gz))
    cases.append(
        Case(
            "validate-gz-upload-bomb",
            "POST",
            "/validate",
            files={"file": ("bomb.xml.gz", bomb, "application/gzip")},
        )
    )
    cases.append(
        Case(
            "validate-gz-body-bomb", "POST", "/validate", bomb, {"Content-Type": "application/gzip"}
        )
    )
    deflated = deflate_bomb(256 << 20, head)
    cases.append(
        Case(
            "validate-deflate-bomb", "POST", "/validate", deflated, {"Content-Encoding": "deflate"}
        )
    )
    zipped = zip_bomb(64 << 20, head)
    cases.append(
        Case(
            "validate-zip-bomb",
            "POST",
            "/validate",
            files={"file": ("bomb.zip", zipped, "application/zip")},
        )
    )
    cut_gzip = gzip_bomb(4 << 20, head)[:-5000]
    cases.append(Case("validate-cut-gzip-encoded", "POST", "/validate", cut_gzip, gz))
    cases.append(Case("validate-not-gzip-encoded", "POST", "/validate", b"<not gzip/>" * 10, gz))
    cases.append(
        Case(
            "validate-brotli-encoded",
            "POST",
            "/validate",
            b"\x0b\x02\x80hello\x03",
            {"Content-Encoding": "br"},
        )
    )
    cases.append(
        Case(
            "validate-double-encoded",
            "POST",
            "/validate",
            bomb,
            {"Content-Encoding": "gzip, gzip"},
        )
    )
    for method, path in DATA_WRITES:
        cases.append(Case(f"{method}-data-gzip-encoded-bomb", method, path, bomb, gz, None, True))
        cases.append(
            Case(
                f"{method}-data-gz-file-bomb",
                method,
                path,
                bomb,
                {"Content-Type": "application/gzip"},
                None,
                True,
            )
        )
        cases.append(
            Case(
                f"{method}-data-zip-bomb",
                method,
                path,
                zipped,
                {"Content-Type": "application/zip"},
                None,
                True,
            )
        )
        cases.append(Case(f"{method}-data-cut-gzip", method, path, cut_gzip, gz, None, True))
    for method, path in STRUCTURE_WRITES:
        cases.append(
            Case(f"{method}-structure-gzip-encoded-bomb", method, path, bomb, gz, None, True)
        )
    oversize = data_message(series("1") * 80_000)  # about 28 MB, over the 8 MiB limit
    cases.append(Case("validate-oversized-body", "POST", "/validate", oversize, xml_type))
    cases.append(
        Case("validate-oversized-chunked", "POST", "/validate", oversize, xml_type, chunked=True)
    )
    for method, path in STRUCTURE_WRITES:
        cases.append(
            Case(
                f"{method}-structure-oversized-chunked",
                method,
                path,
                oversize,
                xml_type,
                authorised=True,
                chunked=True,
            )
        )
    cases.append(
        Case(f"{DATA_WRITES[0][0]}-data-oversized", *DATA_WRITES[0], oversize, xml_type, None, True)
    )

    for name, body in {**csv_payloads(), **json_payloads()}.items():
        kind = "text/csv" if name.startswith("csv") else "application/json"
        cases.append(Case(f"validate-{name}", "POST", "/validate", body, {"Content-Type": kind}))
        method, path = DATA_WRITES[0]
        cases.append(
            Case(f"{method}-data-{name}", method, path, body, {"Content-Type": kind}, None, True)
        )

    valid = data_message(series("1"))
    for label, headers in {
        "wrong-content-type": {"Content-Type": "image/png"},
        "missing-content-type": {},
        "form-without-file": {"Content-Type": "application/x-www-form-urlencoded"},
        "multipart-without-boundary": {"Content-Type": "multipart/form-data"},
    }.items():
        cases.append(Case(f"validate-{label}", "POST", "/validate", b"<x>&", headers))
        method, path = DATA_WRITES[0]
        body = b"<x>&" if label != "form-without-file" else b"a=1&b=2"
        cases.append(Case(f"{method}-data-{label}", method, path, body, headers, None, True))
    cases.append(Case("validate-empty-body", "POST", "/validate", b"", xml_type))

    # -- queries: keys, ids, parameters ------------------------------------------------------
    injections = [
        "'; DROP TABLE artefacts; --",
        "1' OR '1'='1",
        "A' UNION SELECT token_hash FROM tokens --",
        '1" OR ""="',
        "%27%3B%20DROP%20TABLE%20artefacts%3B%20--",
        "1);DELETE FROM observations;--",
    ]
    for number, text in enumerate(injections):
        cases.append(Case(f"sql-key-v1-{number}", "GET", f"/rest/data/{FLOW}/{text}"))
        cases.append(Case(f"sql-flow-v1-{number}", "GET", f"/rest/data/IMDX,{text},1.0.0"))
        cases.append(Case(f"sql-codelist-id-{number}", "GET", f"/rest/codelist/IMDX/{text}/latest"))
        cases.append(
            Case(
                f"sql-parameter-{number}",
                "GET",
                f"/rest/data/{FLOW}?startPeriod={text}&detail={text}",
            )
        )
        cases.append(
            Case(
                f"sql-v2-{number}",
                "GET",
                f"/rest/v2/data/dataflow/IMDX/{text}/1.0.0/*?c[REF_AREA]={text}",
            )
        )
    traversals = [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "..%252F..%252Fetc%252Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "....//....//etc/passwd",
        "..%5C..%5Cwindows%5Cwin.ini",
    ]
    for number, text in enumerate(traversals):
        cases.append(Case(f"traversal-codelist-{number}", "GET", f"/rest/codelist/IMDX/{text}"))
        cases.append(
            Case(f"traversal-schema-{number}", "GET", f"/rest/schema/dataflow/IMDX/{text}")
        )
        cases.append(
            Case(f"traversal-v2-{number}", "GET", f"/rest/v2/structure/codelist/IMDX/{text}/1.0")
        )
    cases.append(Case("huge-id", "GET", f"/rest/codelist/IMDX/{'C' * 3900}"))
    cases.append(Case("huge-key-414", "GET", f"/rest/data/{FLOW}/{'A.' * 100_000}"))
    cases.append(Case("url-over-setting-414", "GET", f"/rest/data/{FLOW}/{'X' * 4200}"))
    alternatives = "+".join(f"Z{i}" for i in range(700))
    cases.append(Case("many-plus-alternatives", "GET", f"/rest/data/{FLOW}/A.{alternatives}"))
    cases.append(
        Case("many-plus-over-limit", "GET", f"/rest/data/{FLOW}/A.{'+'.join(['1'] * 5000)}")
    )
    cases.append(
        Case(
            "many-comma-alternatives-v2",
            "GET",
            f"/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*"
            f"?c[REF_AREA]={','.join(f'Z{i}' for i in range(600))}",
        )
    )
    cases.append(Case("many-plus-empty", "GET", f"/rest/data/{FLOW}/{'+' * 3000}"))
    cases.append(Case("many-dots", "GET", f"/rest/data/{FLOW}/{'.' * 3000}"))
    cases.append(
        Case(
            "many-parameters",
            "GET",
            "/rest/dataflow/all?" + "&".join(f"p{i}=1" for i in range(400)),
        )
    )
    cases.append(Case("query-cost-v1", "GET", f"/rest/data/{FLOW}"))
    cases.append(
        Case("query-cost-v2", "GET", "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/*")
    )
    cases.append(Case("nul-in-path", "GET", f"/rest/data/{FLOW}/A%00.1"))
    cases.append(Case("invalid-utf8-in-path", "GET", "/rest/codelist/IMDX/%C3%28%FF"))

    # -- headers and raw exchanges ---------------------------------------------------------
    cases.append(Case("huge-header", "GET", "/rest/dataflow/all", headers={"X-Big": "a" * 100_000}))
    cases.append(
        Case(
            "many-headers",
            "GET",
            "/rest/dataflow/all",
            headers={f"X-H{i}": "1" for i in range(300)},
        )
    )
    cases.append(
        Case(
            "huge-authorization",
            *DATA_WRITES[0],
            valid,
            {"Authorization": "Bearer " + "x" * 7000, **xml_type},
        )
    )
    cases.append(
        Case(
            "content-length-larger-than-body",
            "POST",
            "/validate",
            raw=_raw_exchange(
                _http("POST", "/validate", {"Content-Length": "100000", **xml_type}, valid)
            ),
        )
    )
    cases.append(
        Case(
            "content-length-larger-than-gzip-body",
            "POST",
            "/validate",
            raw=_raw_exchange(
                _http("POST", "/validate", {"Content-Length": "100000", **gz}, bomb[:2000])
            ),
        )
    )
    cases.append(
        Case(
            "slow-body",
            "POST",
            "/validate",
            raw=_raw_exchange(
                _http("POST", "/validate", {"Content-Length": str(len(valid)), **xml_type}, b""),
                trickle=valid[:40],
                pause=0.25,
            ),
        )
    )
    cases.append(
        Case(
            "cut-chunked-body",
            "POST",
            "/validate",
            raw=_raw_exchange(
                _http("POST", "/validate", {"Transfer-Encoding": "chunked", **xml_type}, b"")
                + b"10000\r\n"
                + valid[:300]
            ),
        )
    )
    cases.append(
        Case(
            "bad-chunk-size",
            "POST",
            "/validate",
            raw=_raw_exchange(
                _http("POST", "/validate", {"Transfer-Encoding": "chunked"}, b"") + b"zz\r\nab\r\n"
            ),
        )
    )
    cases.append(
        Case(
            "request-line-over-gunicorn-limit",
            "GET",
            "/",
            raw=_raw_exchange(_http("GET", "/rest/data/" + "A" * 20_000, {}, b"")),
        )
    )
    return cases


CASES = _cases()


def test_there_are_over_a_hundred_cases() -> None:
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 1 << 20):
        yield body[start : start + (1 << 20)]


def _substitute_marker(case: Case, marker_file: Path) -> Case:
    placeholder = Path("/nonexistent/marker").as_uri().encode()
    if case.body is not None and placeholder in case.body:
        body = case.body.replace(placeholder, marker_file.as_uri().encode())
        return dataclasses.replace(case, body=body)
    return case


def _error_code(status: int, content_type: str, body: bytes) -> int:
    """The SDMX error code of an error answer; fails when the body is not one."""
    if "json" in content_type:
        document = json.loads(body)
        return int(document["errors"][0]["code"])
    assert "xml" in content_type, f"{status}: not an SDMX error body: {body[:300]!r}"
    root = etree.fromstring(body)
    assert etree.QName(root).localname == "Error", body[:300]
    return int(root.find("{*}ErrorMessage").get("code"))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_request_gets_a_4xx_sdmx_error(case: Case, hostile: Hostile) -> None:
    case = _substitute_marker(case, hostile.marker_file)
    if case.raw is not None:
        answer = case.raw(hostile.node)
        assert answer, "no answer at all"
        head, _, body = answer.partition(b"\r\n\r\n")
        status = int(head.split()[1])
        content_type = next(
            (
                line.split(b":", 1)[1].decode().strip()
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-type:")
            ),
            "",
        )
        text = answer
    else:
        headers = dict(case.headers)
        if case.authorised:
            headers.setdefault("Authorization", f"Bearer {hostile.token}")
            # a data write answers its submission report in JSON; as XML it is SDMX-ML
            headers.setdefault("Accept", "application/xml")
        if case.path == "/validate":
            # the verdict on an invalid message (422) is then an SDMX-ML Error message
            headers.setdefault("Accept", "application/xml")
        response = requests.request(
            case.method,
            hostile.node.url + case.path,
            data=_chunks(case.body) if case.chunked and case.body else case.body,
            files=case.files,
            headers=headers,
            timeout=TIMEOUT,
        )
        status, content_type, body = (
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.content,
        )
        text = body
    grown_mib = (_peak_kib(hostile.worker_pid) - hostile.peak_before_kib) / 1024
    assert grown_mib < MEMORY_BOUND_MIB, "the first case to pass the memory bound"
    assert MARKER.encode() not in text and PASSWD_MARKER.encode() not in text
    assert b"lollollol" not in text
    if case.path == "/validate" and status == 200:
        # only a message that is legal SDMX-ML may be found valid (LEGAL_XML); every other
        # case is an invalid message (422) or no message at all (400, 413, 415, ...)
        assert any(case.name.endswith(n) for n in LEGAL_XML), body[:500]
        return
    assert 400 <= status < 500, f"{status}: {body[:500]!r}"
    code = _error_code(status, content_type, body)
    if case.name.startswith("query-cost"):
        assert (status, code) == (413, 510)
    if "bomb" in case.name or "oversized" in case.name:
        assert (status, code) == (413, 510), body[:300]
    if "414" in case.name or "over-gunicorn" in case.name:
        assert status == 414


def test_the_node_is_unchanged_bounded_and_still_right(hostile: Hostile) -> None:
    """Runs after the cases (pytest keeps the file's order)."""
    assert store_snapshot(hostile.node.url) == hostile.before
    grown_mib = (_peak_kib(hostile.worker_pid) - hostile.peak_before_kib) / 1024
    assert grown_mib < MEMORY_BOUND_MIB
    answer = requests.get(hostile.node.url + WORLD_1990, headers={"Accept": CSV}, timeout=TIMEOUT)
    assert answer.status_code == 200
    rows = [line.split(",") for line in answer.text.splitlines()]
    value = rows[1][rows[0].index("OBS_VALUE")]
    assert value == "153011473"
