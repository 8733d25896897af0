"""Check-then-act pairs raced against a live node, many rounds: no acknowledged write is lost.

Three races (issue 14), each run ROUNDS times on the suite's engine (SQLite, or PostgreSQL
with SDMXNODE_TEST_DATABASE_URL):

- a data POST against the DELETE of its dataflow: if the POST is answered 2xx its data is
  there afterwards and the DELETE was refused (409); if the DELETE is answered 200 the
  POST was refused and nothing of it is stored (no series is left of a deleted dataflow);
- a data POST (a dataflow's first load) against a PUT of its DSD that drops the attribute
  the data carries: exactly one of them succeeds, and the store shows that one's effect;
- a data POST against the revocation of its token: a load that started after the
  revocation returned never commits, and every POST answered 2xx is in the store.

No answer is ever a 5xx. Each round starts the two actors together from two threads, with
a small random head start for either, so that both orders and the overlaps in between occur.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from lxml import etree

from tests.live.generated_data import DEMO_FLOW, demo_series_tags, write_message
from tests.races import race

pytestmark = [pytest.mark.live, pytest.mark.postgres]

ROUNDS = 50
SERIES = 20
PERIODS = range(1990, 2000)
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"


def _call(
    method: str, url: str, *, body: bytes | None = None, token: str = "", timeout: float = 120
) -> tuple[int, str]:
    headers = {"Content-Type": "application/xml"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture
def racing(live_node_with, database_url: str) -> Iterator[tuple[str, object, str]]:
    """The live node's URL, an in-process Node on its database, and an admin token."""
    from sdmxnode.config import load_settings
    from sdmxnode.services.access import create_token
    from sdmxnode.services.node import Node

    live = live_node_with()
    node = Node.from_settings(load_settings({"DATABASE_URL": database_url}))
    token = create_token(node, role="admin", label="race suite")
    yield live.url, node, token
    node.store.engine.dispose()


def _structure(url: str, path: str) -> str:
    status, text = _call("GET", f"{url}/rest/{path}?references=none")
    assert status == 200, text[:500]
    return text


def _new_flow(url: str, token: str, flow_id: str, dsd_xml: str | None = None) -> None:
    """Create a draft copy of the demo dataflow named `flow_id` (with a DSD message, of it)."""
    flow = _structure(url, "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0")
    flow = flow.replace("DF_MIG_STOCK_IMS", flow_id).replace(' isFinal="true"', "")
    if dsd_xml is not None:
        flow = flow.replace('id="DSD_MIG_STOCK"', f'id="{_dsd_id(flow_id)}"')
        status, text = _call("POST", f"{url}/rest/v2/structure", body=dsd_xml.encode(), token=token)
        assert status == 201, text[:800]
    status, text = _call("POST", f"{url}/rest/v2/structure", body=flow.encode(), token=token)
    assert status == 201, text[:800]


def _dsd_id(flow_id: str) -> str:
    return f"DSD_{flow_id}"


def _draft_dsd(url: str, dsd_id: str, *, drop: str | None = None) -> str:
    """A draft copy of the stock DSD named `dsd_id`, without attribute `drop` if given."""
    text = _structure(url, "datastructure/IMDX/DSD_MIG_STOCK/1.0.0")
    text = text.replace("DSD_MIG_STOCK", dsd_id).replace(' isFinal="true"', "")
    if drop is None:
        return text
    root = etree.fromstring(text.encode())
    for attribute in root.iter(f"{{{STR}}}Attribute"):
        if attribute.get("id") == drop:
            attribute.getparent().remove(attribute)
    return etree.tostring(root, encoding="unicode")


def _message(folder: Path, flow_id: str) -> bytes:
    path = folder / f"{flow_id}.xml"
    tags = demo_series_tags()[:SERIES]
    write_message(path, tags, PERIODS, dataflow=("IMDX", flow_id, DEMO_FLOW[2]))
    return path.read_bytes()


def _observations(node, flow_id: str) -> int:  # type: ignore[no-untyped-def]
    from sdmxnode.refs import ArtefactRef

    artefact = node.store.find_artefact(ArtefactRef("Dataflow", "IMDX", flow_id, DEMO_FLOW[2]))
    return -1 if artefact is None else node.data.count_observations(artefact.pk)


def _no_5xx(*statuses: int) -> None:
    assert all(status < 500 for status in statuses), statuses


def test_data_post_against_dataflow_delete(racing, tmp_path: Path) -> None:
    url, node, token = racing
    outcomes = {"post": 0, "delete": 0}
    for round_ in range(ROUNDS):
        flow_id = f"DF_RACE_DEL_{round_}"
        _new_flow(url, token, flow_id)
        body = _message(tmp_path, flow_id)
        post, delete = race(
            partial(_call, "POST", f"{url}/rest/data/IMDX,{flow_id},1.0.0", body=body, token=token),
            partial(
                _call,
                "DELETE",
                f"{url}/rest/v2/structure/dataflow/IMDX/{flow_id}/1.0.0",
                token=token,
            ),
        )
        (post_status, post_text), (delete_status, delete_text) = post, delete  # type: ignore[misc]
        _no_5xx(post_status, delete_status)
        stored = _observations(node, flow_id)
        if post_status in (200, 201):
            assert delete_status == 409, (round_, delete_status, delete_text[:300])
            assert stored == SERIES * len(PERIODS), (round_, stored)
            outcomes["post"] += 1
        else:
            assert post_status in (404, 409), (round_, post_status, post_text[:500])
            assert delete_status == 200, (round_, delete_status, delete_text[:300])
            assert stored == -1, (round_, stored)  # the dataflow is gone, and its data
            outcomes["delete"] += 1
    assert node.data.count_loads() == outcomes["post"] + _demo_loads(node)
    assert _series_of_no_dataflow(node) == 0


def _series_of_no_dataflow(node) -> int:  # type: ignore[no-untyped-def]
    """Series whose dataflow is gone (PostgreSQL ties them to it by a trigger, not a key)."""
    from sqlalchemy import func, select

    from sdmxnode.storage.tables import artefacts, series

    gone = ~series.c.dataflow_pk.in_(select(artefacts.c.pk))
    with node.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(series).where(gone)).scalar_one())


def _demo_loads(node) -> int:  # type: ignore[no-untyped-def]
    """The loads of the demo data (the live node starts with it)."""
    from sdmxnode.refs import ArtefactRef

    demo = node.store.find_artefact(ArtefactRef("Dataflow", *DEMO_FLOW))
    with node.data.reading() as reader:
        return len(reader.list_loads(demo.pk))


def test_data_post_against_dsd_replacement(racing, tmp_path: Path) -> None:
    url, node, token = racing
    for round_ in range(ROUNDS):
        flow_id = f"DF_RACE_DSD_{round_}"
        dsd_id = _dsd_id(flow_id)
        _new_flow(url, token, flow_id, _draft_dsd(url, dsd_id))
        body = _message(tmp_path, flow_id)  # every observation carries OBS_STATUS
        reshaped = _draft_dsd(url, dsd_id, drop="OBS_STATUS").encode()
        post, put = race(
            partial(_call, "POST", f"{url}/rest/data/IMDX,{flow_id},1.0.0", body=body, token=token),
            partial(
                _call,
                "PUT",
                f"{url}/rest/v2/structure/datastructure/IMDX/{dsd_id}/1.0.0",
                body=reshaped,
                token=token,
            ),
        )
        (post_status, post_text), (put_status, put_text) = post, put  # type: ignore[misc]
        _no_5xx(post_status, put_status)
        post_ok, put_ok = post_status in (200, 201), put_status == 200
        assert post_ok != put_ok, (round_, post_status, post_text[:400], put_status, put_text[:400])
        dsd_now = _structure(url, f"datastructure/IMDX/{dsd_id}/1.0.0")
        stored = _observations(node, flow_id)
        if post_ok:
            assert put_status == 409, (round_, put_status)
            assert 'id="OBS_STATUS"' in dsd_now
            assert stored == SERIES * len(PERIODS)
        else:
            assert post_status in (400, 403, 409, 422), (round_, post_status, post_text[:500])
            assert 'id="OBS_STATUS"' not in dsd_now
            assert stored == 0


def test_data_post_against_token_revocation(racing, tmp_path: Path) -> None:
    from sdmxnode.services.access import issue_token

    url, node, admin = racing
    flow_id = "DF_RACE_TOKEN"
    _new_flow(url, admin, flow_id)
    body = _message(tmp_path, flow_id)
    accepted = 0
    token_ids = []
    for round_ in range(ROUNDS):
        record, token = issue_token(node, role="provider", agencies=["IMDX"])
        token_id = record.token_id
        token_ids.append(token_id)
        revoked_at: list[datetime] = []

        def revoke(token_id: str = token_id, revoked_at: list[datetime] = revoked_at) -> bool:
            done = node.access.revoke_token(token_id)
            revoked_at.append(datetime.now(UTC).replace(tzinfo=None))
            return done

        post, done = race(
            lambda token=token: _call(
                "POST", f"{url}/rest/data/IMDX,{flow_id},1.0.0", body=body, token=token
            ),
            revoke,
        )
        post_status, post_text = post  # type: ignore[misc]
        assert done is True
        _no_5xx(post_status)
        assert post_status in (200, 201, 401), (round_, post_status, post_text[:400])
        accepted += post_status in (200, 201)
        late = _loads_started_after(node, token_id, revoked_at[0])
        assert not late, (round_, late)
    assert _loads_by(node, token_ids) == accepted


def _loads_started_after(node, token_id: str, moment: datetime) -> list:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from sdmxnode.storage.tables import loads

    with node.store.engine.connect() as conn:
        return list(
            conn.execute(
                select(loads.c.pk, loads.c.started).where(
                    loads.c.principal == token_id, loads.c.started > moment
                )
            )
        )


def _loads_by(node, token_ids: list[str]) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from sdmxnode.storage.tables import loads

    with node.store.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(loads).where(loads.c.principal.in_(token_ids))
            ).scalar_one()
        )


def test_new_referrer_against_delete_of_its_target(racing) -> None:
    """POST of a dataflow referencing a draft DSD against the DELETE of that DSD: exactly
    one succeeds, and the store never holds a dataflow whose DSD is gone."""
    url, node, token = racing
    for round_ in range(ROUNDS):
        flow_id = f"DF_RACE_REF_{round_}"
        dsd_id = _dsd_id(flow_id)
        status, text = _call(
            "POST", f"{url}/rest/v2/structure", body=_draft_dsd(url, dsd_id).encode(), token=token
        )
        assert status == 201, text[:500]
        flow = _structure(url, "dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0")
        flow = flow.replace("DF_MIG_STOCK_IMS", flow_id).replace(' isFinal="true"', "")
        flow = flow.replace('id="DSD_MIG_STOCK"', f'id="{dsd_id}"')
        post, delete = race(
            partial(_call, "POST", f"{url}/rest/v2/structure", body=flow.encode(), token=token),
            partial(
                _call,
                "DELETE",
                f"{url}/rest/v2/structure/datastructure/IMDX/{dsd_id}/1.0.0",
                token=token,
            ),
        )
        (post_status, post_text), (delete_status, delete_text) = post, delete  # type: ignore[misc]
        _no_5xx(post_status, delete_status)
        assert (post_status == 201) != (delete_status == 200), (
            round_, post_status, post_text[:400], delete_status, delete_text[:400]
        )  # fmt: skip
        from sdmxnode.refs import ArtefactRef

        has_flow = node.store.find_artefact(ArtefactRef("Dataflow", "IMDX", flow_id, "1.0.0"))
        has_dsd = node.store.find_artefact(ArtefactRef("DataStructure", "IMDX", dsd_id, "1.0.0"))
        assert (has_flow is not None) == (post_status == 201), round_
        assert (has_dsd is not None) == (delete_status != 200), round_


def test_two_first_loads_of_one_dataflow(racing, tmp_path: Path) -> None:
    """Two first loads of a dataflow at once (different series): both are stored. (Each
    records the dataflow's layout if none is there: the second must not fail on the
    first's, as it did on PostgreSQL.)"""
    url, node, token = racing
    tags = demo_series_tags()
    for round_ in range(ROUNDS):
        flow_id = f"DF_RACE_TWO_{round_}"
        _new_flow(url, token, flow_id)
        bodies = []
        for half in (0, 1):
            path = tmp_path / f"{flow_id}-{half}.xml"
            chosen = tags[half * SERIES : (half + 1) * SERIES]
            write_message(path, chosen, PERIODS, dataflow=("IMDX", flow_id, DEMO_FLOW[2]))
            bodies.append(path.read_bytes())
        target = f"{url}/rest/data/IMDX,{flow_id},1.0.0"
        first, second = race(
            partial(_call, "POST", target, body=bodies[0], token=token),
            partial(_call, "POST", target, body=bodies[1], token=token),
        )
        statuses = sorted((first[0], second[0]))  # type: ignore[index]
        assert statuses in ([200, 201], [201, 201]), (round_, first, second)
        assert _observations(node, flow_id) == 2 * SERIES * len(PERIODS), round_
