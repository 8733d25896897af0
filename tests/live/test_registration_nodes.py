"""Two live nodes on loopback (issue 17.3): node B publishes data; its provider registers
B's SDMX-REST endpoint with node A; A pulls and serves the data attributed to that
provider; a change on B reaches A at the next pull."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sdmxnode.config import load_settings
from sdmxnode.services.access import create_token
from sdmxnode.services.data.loading import load_data
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.pulling import pull_all
from sdmxnode.validation.schema import validate_ml30
from tests.conftest import fresh_database
from tests.live.conftest import LiveNode, start_node
from tests.live.test_harvest_nodes import _data_messages
from tests.registrations.conftest import PA_DESA, submit_request

pytestmark = pytest.mark.live

UN_DESA = "IMDX:UN_DESA_POP"
CSV = "application/vnd.sdmx.data+csv;version=2.0.0"
AGREEMENT_DATA = "/rest/v2/data/provisionagreement/IMDX/PA_UN_DESA_POP_DF_MIG_STOCK_IMS/1.0.0/*"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[LiveNode, LiveNode]]:
    """A: the project's structures and no data; B: as the quick start runs it (the demo
    data, reported by UN DESA through its provision agreement)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    dirs = list(load_settings().structure_dirs)
    a = start_node(fresh_database(tmp_path / "a"), dirs, tmp_path / "a.log")
    b = start_node(fresh_database(tmp_path / "b"), None, tmp_path / "b.log")
    try:
        yield next(a), next(b)
    finally:
        a.close()
        b.close()


def _node(live: LiveNode) -> Node:
    return Node.from_settings(load_settings({"DATABASE_URL": live.database_url}))


def _values(node: LiveNode) -> dict[tuple[str, ...], str]:
    """(key columns..., period) -> OBS_VALUE of the agreement's data; {} when none."""
    request = urllib.request.Request(node.url + AGREEMENT_DATA, headers={"Accept": CSV})
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status == 204:
            return {}
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    skip = {"OBS_VALUE", "STRUCTURE", "STRUCTURE_ID", "ACTION", "OBS_STATUS"}
    return {tuple(v for k, v in sorted(r.items()) if k not in skip): r["OBS_VALUE"] for r in rows}


def _register(a: LiveNode, token: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"{a.url}/rest/v2/registration",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_provider_registers_node_b_with_node_a_which_pulls_it(nodes) -> None:
    a, b = nodes
    node_a, node_b = _node(a), _node(b)
    published = _values(b)
    assert published and _values(a) == {}

    nso = create_token(node_a, role="provider", provider="TEST:NSO")
    desa = create_token(node_a, role="provider", provider=UN_DESA)
    body = submit_request([("Append", "DESA_B", PA_DESA, f"{b.url}/rest/v2")], "3.0")
    status, answer = _register(a, nso, body)
    assert status == 403, answer[:300]  # another provider's token
    status, answer = _register(a, desa, body)
    assert status == 201, answer[:500]
    assert validate_ml30(answer) == [] and b'status="Success"' in answer

    assert _values(a) == published  # A serves B's data, attributed to UN DESA
    registered = urllib.request.urlopen(f"{a.url}/rest/v2/registration/provider/IMDX/UN_DESA_POP")
    assert b"DESA_B" in registered.read()

    update, _ = _data_messages()
    load_data(node_b, update)  # a change on B
    changed = _values(b)
    assert changed != published

    pulls = pull_all(node_a, HttpClient(retries=0))
    assert pulls["DESA_B"].outcome == "ok" and pulls["DESA_B"].written >= 1
    assert _values(a) == changed
    assert pull_all(node_a, HttpClient(retries=0))["DESA_B"].outcome in ("ok", "not modified")
    assert _values(a) == changed
