"""Data submission over HTTP: POST, PUT and DELETE of data, authorised, audited, atomic."""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.app import create_app
from sdmxnode.services.access import create_token
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.validation.schema import validate_ml21
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"
FLOW = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
V1 = "/rest/data/IMDX,DF_MIG_STOCK_IMS,1.0.0"
V2 = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0"
MALES = "A.1.STOCK.FB._T.M._T._T"  # one of the 3 series of the small data set
CSV10 = SMALL / "small-csv10-21.csv"
CSV20 = "application/vnd.sdmx.data+csv;version=2.0.0"
#: Every data write endpoint: (method, path) with the dataflow above.
ENDPOINTS = [
    ("POST", V1),
    ("PUT", V1),
    ("DELETE", V1),
    ("DELETE", f"{V1}/{MALES}"),
    ("POST", V2),
    ("PUT", V2),
    ("DELETE", V2),
    ("DELETE", f"{V2}/{MALES}"),
]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A node of its own (writes change it) with the project's structures and no data."""
    application = create_app(
        {"DATABASE_URL": fresh_database(tmp_path), "TESTING": True, "DEMO_DATA": ""}
    )
    initialise_from_template(application.extensions["sdmxnode"])
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def node(app: Flask):
    return app.extensions["sdmxnode"]


@pytest.fixture
def tokens(node) -> dict[str, str]:
    return {
        "provider": create_token(node, role="provider", dataflows=[FLOW]),
        "maintainer": create_token(node, role="maintainer", agencies=["IMDX"]),
        "admin": create_token(node, role="admin"),
        "other-dataflow": create_token(
            node, role="provider", dataflows=[("IMDX", "DF_MIG_FLOWS", "1.0.0")]
        ),
        "other-agency": create_token(node, role="maintainer", agencies=["ESTAT"]),
    }


def _bearer(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def _send(client: FlaskClient, method: str, path: str, secret: str | None, **kwargs):
    """A write; a body-less path (a key) gets no body, the others the small CSV message."""
    if not path.endswith(MALES) and "data" not in kwargs:
        kwargs["data"] = CSV10.read_bytes()
        kwargs.setdefault("content_type", "text/csv")
    headers = {**_bearer(secret), **kwargs.pop("headers", {})}
    return client.open(path, method=method, headers=headers, **kwargs)


def _observations(node) -> int:
    return node.data.count_all_observations()


def _digest(client: FlaskClient) -> str:
    """A digest of the dataflow's data as SDMX-CSV 1.0 (no header ids or times in it)."""
    answer = client.get(f"{V1}?format=csvdata")
    return hashlib.sha256(answer.get_data() if answer.status_code == 200 else b"none").hexdigest()


def _audit(node) -> list:
    return node.access.list_audit(limit=1000)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_refused_writes_change_nothing_and_are_audited(
    app: Flask, node, tokens: dict[str, str], method: str, path: str
) -> None:
    load_data(node, CSV10, LoadOptions(source="setup"))
    client = app.test_client()
    before = (_observations(node), _digest(client), node.data.count_loads())
    cases = [
        (None, 401),
        ("sdmxnode_not-a-token", 401),
        (tokens["other-dataflow"], 403),
        (tokens["other-agency"], 403),
    ]
    for secret, status in cases:
        answer = _send(client, method, path, secret)
        assert answer.status_code == status, answer.get_data(as_text=True)
        if status == 401:
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert (_observations(node), _digest(client), node.data.count_loads()) == before
    entries = _audit(node)  # the two anonymous 401s are counted, not entries of their own
    assert [(e.outcome, e.status) for e in reversed(entries)] == [("refused", 403)] * 2
    assert all(e.action == f"data.{method.lower()}" for e in entries)
    assert all(e.target == "IMDX:DF_MIG_STOCK_IMS(1.0.0)" for e in entries)
    (counted,) = node.access.list_refusals()
    assert (counted["action"], counted["count"]) == (f"data.{method.lower()}", 2)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("role", ["provider", "maintainer", "admin"])
def test_rightful_writes_succeed_and_are_audited(
    app: Flask, node, tokens: dict[str, str], method: str, path: str, role: str
) -> None:
    load_data(node, CSV10, LoadOptions(source="setup"))
    client = app.test_client()
    answer = _send(client, method, path, tokens[role])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    report = answer.json
    counts = report["counts"]
    assert report["dataflow"] == "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    assert report["stored"] is True and report["errors"] == 0
    keyed = path.endswith(MALES)
    if method in ("POST", "PUT"):
        assert counts["observations_written"] == 21
        assert _observations(node) == 21
    elif keyed:
        assert counts["observations_deleted"] == 7
        assert _observations(node) == 14
    else:
        assert counts["observations_deleted"] == 21
        assert _observations(node) == 0
    (entry,) = _audit(node)
    assert (entry.outcome, entry.status, entry.role) == ("ok", 200, role)
    assert entry.counts == counts
    assert entry.action == f"data.{method.lower()}"
    assert report["load"] is not None


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SMALL.iterdir() if p.name.startswith("small-")),
)
def test_every_format_loads_over_post(app: Flask, node, tokens: dict[str, str], name: str) -> None:
    client = app.test_client()
    answer = client.post(V2, data=(SMALL / name).read_bytes(), headers=_bearer(tokens["provider"]))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.json["counts"]["observations_written"] == 21
    assert answer.headers["Location"] == V1
    assert _observations(node) == 21
    data = client.get(f"{V1}?format=csvdata")
    frame = pd.read_csv(io.BytesIO(data.get_data()), dtype=str)
    reference = pd.read_csv(CSV10, dtype=str)
    columns = ["SEX", "TIME_PERIOD", "OBS_VALUE"]
    got = sorted(map(tuple, frame[columns].itertuples(index=False)))
    assert got == sorted(map(tuple, reference[columns].itertuples(index=False)))


def test_content_type_names_the_format(app: Flask, node, tokens: dict[str, str]) -> None:
    client = app.test_client()
    body = CSV10.read_bytes()
    headers = _bearer(tokens["provider"])
    wrong = client.post(V1, data=body, content_type="application/xml", headers=headers)
    assert wrong.status_code == 415
    assert b"Content-Type" in wrong.data
    odd = client.post(V1, data=body, content_type="image/png", headers=headers)
    assert odd.status_code == 415
    right = client.post(
        V1, data=body, content_type="application/vnd.sdmx.data+csv;version=1.0.0", headers=headers
    )
    assert right.status_code == 201
    assert [e.status for e in reversed(_audit(node))] == [415, 415, 201]


def test_gzip_content_encoding(app: Flask, node, tokens: dict[str, str]) -> None:
    client = app.test_client()
    headers = {**_bearer(tokens["provider"]), "Content-Encoding": "gzip"}
    body = (SMALL / "small-structurespecific-30.xml").read_bytes()
    answer = client.post(
        V2, data=gzip.compress(body), content_type="application/xml", headers=headers
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert _observations(node) == 21
    not_gzip = client.post(V2, data=body, content_type="application/xml", headers=headers)
    assert not_gzip.status_code == 422
    brotli = {**headers, "Content-Encoding": "br"}
    assert client.post(V2, data=body, headers=brotli).status_code == 415


def test_decompressed_size_is_bounded(tmp_path: Path) -> None:
    app = create_app(
        {
            "DATABASE_URL": fresh_database(tmp_path),
            "DEMO_DATA": "",
            "MAX_REQUEST_BYTES": 200_000,
        }
    )
    node = app.extensions["sdmxnode"]
    initialise_from_template(node)
    secret = create_token(node, role="admin")
    bomb = gzip.compress(b"<" + b" " * 5_000_000)
    answer = app.test_client().post(V1, data=bomb, headers=_bearer(secret))
    assert answer.status_code == 413  # issue 6 "Limits": the body-size limit is a 413 (SDMX 510)
    assert b"decompressed" in answer.data
    assert _observations(node) == 0
    node.store.engine.dispose()


def test_put_replaces_the_dataflow(app: Flask, node, tokens: dict[str, str]) -> None:
    load_data(node, CSV10, LoadOptions(source="setup"))
    client = app.test_client()
    lines = CSV10.read_text(encoding="utf-8").splitlines()
    both_sexes = [lines[0]] + [line for line in lines[1:] if ",_T,_T,_T,_T," in line]
    assert len(both_sexes) == 8  # the header and the 7 observations of one series
    before = datetime.now(UTC)
    answer = client.put(
        V1,
        data="\n".join(both_sexes) + "\n",
        content_type="text/csv",
        headers=_bearer(tokens["provider"]),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["action"] == "Replace"
    assert answer.json["counts"]["observations_written"] == 7
    assert answer.json["counts"]["observations_deleted"] == 14
    assert _observations(node) == 7
    delta = client.get(f"{V1}?updatedAfter={quote(before.isoformat())}", headers={"Accept": CSV20})
    frame = pd.read_csv(io.BytesIO(delta.get_data()), dtype=str)
    deleted = frame[frame.ACTION == "D"]
    assert sorted(deleted.SEX.unique()) == ["F", "M"] and len(deleted) == 14


def test_delete_by_key_and_period(app: Flask, node, tokens: dict[str, str]) -> None:
    load_data(node, CSV10, LoadOptions(source="setup"))
    client = app.test_client()
    secret = tokens["provider"]
    before = datetime.now(UTC)
    answer = client.delete(f"{V1}/{MALES}?startPeriod=2010", headers=_bearer(secret))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["counts"]["observations_deleted"] == 3  # 2010, 2015, 2019
    v2 = client.delete(f"{V2}/A.1.STOCK.FB._T.F?c[TIME_PERIOD]=le:1995", headers=_bearer(secret))
    assert v2.json["counts"]["observations_deleted"] == 2
    assert _observations(node) == 16
    delta = client.get(f"{V1}?updatedAfter={quote(before.isoformat())}", headers={"Accept": CSV20})
    frame = pd.read_csv(io.BytesIO(delta.get_data()), dtype=str)
    assert sorted(zip(frame.SEX, frame.TIME_PERIOD, strict=True)) == [
        ("F", "1990"),
        ("F", "1995"),
        ("M", "2010"),
        ("M", "2015"),
        ("M", "2019"),
    ]
    assert set(frame.ACTION) == {"D"}
    nothing = client.delete(f"{V1}/{MALES}?startPeriod=2010", headers=_bearer(secret))
    assert nothing.status_code == 200 and nothing.json["load"] is None
    assert nothing.json["counts"]["observations_deleted"] == 0


def test_delete_everything_needs_an_explicit_key(app: Flask, node, tokens: dict[str, str]) -> None:
    load_data(node, CSV10, LoadOptions(source="setup"))
    client = app.test_client()
    headers = _bearer(tokens["admin"])
    bare = client.delete(V1, headers=headers)
    assert bare.status_code == 400 and b"'all'" in bare.data
    assert _observations(node) == 0 + 21
    both = client.delete(f"{V1}/all", data=CSV10.read_bytes(), headers=headers)
    assert both.status_code == 400
    assert client.delete(f"{V1}/all", headers=headers).json["counts"]["observations_deleted"] == 21
    load_data(node, CSV10, LoadOptions(source="again"))
    assert client.delete(f"{V2}/*", headers=headers).json["counts"]["observations_deleted"] == 21
    assert _observations(node) == 0


def test_post_after_all_data_was_deleted_is_201_again(
    app: Flask, node, tokens: dict[str, str]
) -> None:
    """201 means the write gave data to a dataflow that had none: also once all of its
    data was deleted (its layout stays behind, its observations do not)."""
    client = app.test_client()
    secret = tokens["provider"]
    assert _send(client, "POST", V1, secret).status_code == 201
    assert _send(client, "POST", V1, secret).status_code == 200
    deleted = client.delete(f"{V1}/all", headers=_bearer(secret))
    assert deleted.json["counts"]["observations_deleted"] == 21 and _observations(node) == 0
    again = _send(client, "POST", V2, secret)
    assert again.status_code == 201, again.get_data(as_text=True)
    assert again.headers["Location"].endswith(V1)


def test_delete_body_is_applied_as_delete(app: Flask, node, tokens: dict[str, str]) -> None:
    load_data(node, CSV10, LoadOptions(source="setup"))
    client = app.test_client()
    message = (SMALL / "small-csv20-21.csv").read_bytes()  # declares action I on every row
    answer = client.delete(
        V2, data=message, content_type="text/csv", headers=_bearer(tokens["provider"])
    )
    assert answer.status_code == 200
    assert answer.json["action"] == "Delete"
    assert answer.json["counts"]["observations_deleted"] == 21
    assert _observations(node) == 0


@pytest.mark.parametrize(("path", "status"), [(V1, 400), (V2, 422)])
def test_a_bad_message_stores_nothing(
    app: Flask, node, tokens: dict[str, str], path: str, status: int
) -> None:
    client = app.test_client()
    body = CSV10.read_text(encoding="utf-8").replace(",PS,", ",NOT_A_UNIT,", 1)
    answer = client.post(
        path, data=body, content_type="text/csv", headers=_bearer(tokens["provider"])
    )
    assert answer.status_code == status
    report = answer.json
    assert report["stored"] is False and report["errors"] >= 1
    assert any(f["code"] == "UNKNOWN_CODE" and f.get("line") == 2 for f in report["findings"])
    assert _observations(node) == 0 and node.data.count_loads() == 0
    xml = client.post(
        path,
        data=body,
        content_type="text/csv",
        headers={**_bearer(tokens["provider"]), "Accept": "application/xml"},
    )
    assert xml.status_code == status
    assert etree.fromstring(xml.get_data()).tag.endswith("}Error")
    assert b"NOT_A_UNIT" in xml.data
    (entry, first) = _audit(node)[:2]
    assert (entry.outcome, entry.status, first.outcome) == ("rejected", status, "rejected")


@pytest.mark.parametrize(("path", "status"), [(V1, 400), (V2, 422)])
def test_a_message_for_another_dataflow_is_refused(
    app: Flask, node, tokens: dict[str, str], path: str, status: int
) -> None:
    client = app.test_client()
    other = path.replace("DF_MIG_STOCK_IMS", "DF_MIG_STOCK_NAT")
    secret = create_token(node, role="provider", agencies=["IMDX"])
    answer = client.post(other, data=CSV10.read_bytes(), headers=_bearer(secret))
    assert answer.status_code == status, answer.get_data(as_text=True)
    (finding,) = [f for f in answer.json["findings"] if f["code"] == "WRONG_DATAFLOW"]
    assert "DF_MIG_STOCK_IMS" in finding["message"] and "structure reference" in finding["message"]
    assert _observations(node) == 0


def test_unknown_dataflow_is_404_and_audited(app: Flask, node, tokens: dict[str, str]) -> None:
    client = app.test_client()
    secret = tokens["admin"]
    assert (
        client.post("/rest/data/IMDX,NOPE,1.0", data=b"x", headers=_bearer(secret)).status_code
        == 404
    )
    assert (
        client.put("/rest/v2/data/dataflow/IMDX/NOPE/1.0", headers=_bearer(secret)).status_code
        == 404
    )
    assert client.post("/rest/data/IMDX,NOPE,1.0", data=b"x").status_code == 401
    assert [(e.target, e.status) for e in reversed(_audit(node))] == [
        ("IMDX,NOPE,1.0", 404),
        ("IMDX:NOPE(1.0)", 404),
    ]
    assert [r["count"] for r in node.access.list_refusals()] == [1]  # the anonymous one


def test_xml_report_is_a_valid_sdmx_message(app: Flask, node, tokens: dict[str, str]) -> None:
    client = app.test_client()
    answer = client.post(
        V1,
        data=CSV10.read_bytes(),
        headers={**_bearer(tokens["provider"]), "Accept": "application/xml"},
    )
    assert answer.status_code == 201
    assert answer.content_type == "application/vnd.sdmx.registry+xml;version=2.1"
    assert validate_ml21(answer.get_data()) == []
    root = etree.fromstring(answer.get_data())
    texts = [t.text for t in root.iter("{*}Text")]
    assert any("21 observations written" in t for t in texts)
    urn = next(root.iter("URN")).text
    assert urn.endswith("Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)")


def test_large_bodies_go_through_a_temporary_file(
    app: Flask, node, tokens: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sdmxnode.web import bodies
    from sdmxnode.web.rest import data_write as rest_data_write

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(bodies, "SPOOL_BYTES", 1000)
    monkeypatch.setattr(bodies.tempfile, "tempdir", str(spool))
    seen: list[object] = []
    real = rest_data_write.submit_message

    def spy(node, dataflow, data, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(data)
        return real(node, dataflow, data, **kwargs)

    monkeypatch.setattr(rest_data_write, "submit_message", spy)
    body = CSV10.read_bytes()
    assert len(body) > 1000
    answer = app.test_client().post(V1, data=body, headers=_bearer(tokens["provider"]))
    assert answer.status_code == 201
    assert isinstance(seen[0], Path) and seen[0].parent == spool
    assert list(spool.iterdir()) == []  # removed once loaded
    assert _observations(node) == 21


def test_form_upload(app: Flask, node, tokens: dict[str, str]) -> None:
    answer = app.test_client().post(
        V2,
        data={"file": (io.BytesIO(CSV10.read_bytes()), "small.csv", "text/csv")},
        content_type="multipart/form-data",
        headers=_bearer(tokens["maintainer"]),
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert _observations(node) == 21


@pytest.mark.parametrize("name", ["small-csv10-21.csv", "small-csv20-21.csv"])
def test_fully_quoted_csv_loads_like_the_plain_file(
    app: Flask, node, tokens: dict[str, str], name: str
) -> None:
    from tests.formats.test_data_csv_quoted import quoted

    client = app.test_client()
    data = quoted(name, header_only=False, newline="\r\n", bom=True)
    answer = client.post(V2, data=data, headers=_bearer(tokens["provider"]))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.json["counts"]["observations_written"] == 21
    assert _observations(node) == 21


def test_an_unknown_csv_column_stores_nothing(app: Flask, node, tokens: dict[str, str]) -> None:
    from tests.validation.test_unknown_columns import with_csv_column

    client = app.test_client()
    body = with_csv_column("small-csv10-21.csv", "FOO", "x")
    answer = client.post(V2, data=body, headers=_bearer(tokens["provider"]))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.json["stored"] is False
    codes = [(f["code"], f["line"], f["component"]) for f in answer.json["findings"]]
    assert codes == [("UNKNOWN_COMPONENT", 1, "FOO")]
    assert _observations(node) == 0


def test_a_custom_csv20_column_loads(app: Flask, node, tokens: dict[str, str]) -> None:
    from tests.validation.test_unknown_columns import with_csv_column

    client = app.test_client()
    body = with_csv_column("small-csv20-21.csv", "FOO", "x")
    answer = client.post(V2, data=body, headers=_bearer(tokens["provider"]))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.json["counts"]["observations_written"] == 21
    assert _observations(node) == 21
