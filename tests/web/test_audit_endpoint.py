"""GET /audit (admin only) and `write_attempt`: every write attempt leaves one audit entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from sdmxnode.errors import Invalid
from sdmxnode.services.access import create_token, parse_expiry
from sdmxnode.storage.tables import tokens
from sdmxnode.web.access import write_attempt


@pytest.fixture
def node(app: Flask):
    return app.extensions["sdmxnode"]


@pytest.fixture
def probe_client(app: Flask) -> FlaskClient:
    """The app with one test write route: authorises data of AG:DF(1.0), fails on ?bad."""
    from flask import request

    def probe() -> str:
        with write_attempt("probe.write", "AG:DF(1.0)") as attempt:
            attempt.authorise_data("AG", "DF", "1.0")
            if "bad" in request.args:
                raise Invalid("the body is wrong", where="line 3")
            attempt.counts = {"observations_written": 7}
            attempt.status = 201
        return "done"

    app.add_url_rule("/probe", "probe", probe, methods=["POST"])
    return app.test_client()


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_audit_needs_an_admin_token(client: FlaskClient, node) -> None:
    anonymous = client.get("/audit")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    # a read: the answer speaks of reading the audit log, not of a change
    assert b"reading the audit log needs an admin token" in anonymous.data
    assert b"change" not in anonymous.data
    assert client.get("/audit", headers=_bearer("sdmxnode_nonsense")).status_code == 401
    assert client.get("/audit", headers={"Authorization": "Basic YTpi"}).status_code == 401
    provider = create_token(node, role="provider", dataflows=[("AG", "DF", "1.0")])
    refused = client.get("/audit", headers=_bearer(provider))
    assert refused.status_code == 403
    assert b"not an admin token" in refused.data
    admin = create_token(node, role="admin")
    answer = client.get("/audit", headers=_bearer(admin))
    assert answer.status_code == 200 and answer.json == {"entries": [], "refusals": []}


def test_every_attempt_is_audited_with_its_outcome(probe_client: FlaskClient, node) -> None:
    provider = create_token(node, role="provider", dataflows=[("AG", "DF", "1.0")])
    other = create_token(node, role="provider", dataflows=[("AG", "OTHER", "1.0")])
    admin = create_token(node, role="admin")
    assert probe_client.post("/probe").status_code == 401
    assert probe_client.post("/probe", headers=_bearer(other)).status_code == 403
    assert probe_client.post("/probe?bad", headers=_bearer(provider)).status_code == 400
    assert probe_client.post("/probe", headers=_bearer(provider)).status_code == 200
    entries = probe_client.get("/audit", headers=_bearer(admin)).json["entries"]
    got = [(e["outcome"], e["status"], e["role"]) for e in reversed(entries)]
    assert got == [  # the anonymous 401 is counted, not an entry
        ("refused", 403, "provider"),
        ("rejected", 400, "provider"),
        ("ok", 201, "provider"),
    ]
    assert entries[0]["counts"] == {"observations_written": 7}
    assert "line 3" in entries[1]["detail"]
    assert all(e["action"] == "probe.write" and e["target"] == "AG:DF(1.0)" for e in entries)
    limited = probe_client.get("/audit?limit=1", headers=_bearer(admin)).json["entries"]
    assert [e["id"] for e in limited] == [entries[0]["id"]]


@pytest.mark.parametrize("query", ["limit=0", "limit=x", "limit=100001", "since=yesterday"])
def test_audit_parameters_are_checked(client: FlaskClient, node, query: str) -> None:
    admin = create_token(node, role="admin")
    answer = client.get(f"/audit?{query}", headers=_bearer(admin))
    assert answer.status_code == 400
    assert query.split("=")[0].encode() in answer.data


def test_an_expired_token_is_refused_like_a_revoked_one(
    client: FlaskClient, probe_client: FlaskClient, node
) -> None:
    admin = create_token(node, role="admin", expires=parse_expiry("1h"))
    assert client.get("/audit", headers=_bearer(admin)).status_code == 200
    (record,) = node.access.list_tokens()
    assert record.last_used is not None  # a successful authentication is recorded
    with node.access.engine.begin() as conn:  # an hour later
        past = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        conn.execute(update(tokens).values(expires=past))
    refused = client.get("/audit", headers=_bearer(admin))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert f"token {record.token_id} expired at".encode() in refused.data
    write = probe_client.post("/probe", headers=_bearer(admin))
    assert write.status_code == 401 and b"expired" in write.data
    (entry,) = node.access.list_audit(actions=["probe.write"])
    assert (entry.outcome, entry.status) == ("refused", 401) and "expired" in entry.detail


def test_a_write_is_recorded_as_started_before_its_work(app, node) -> None:
    """The probe looks at the audit log while it works: its attempt is there, started."""
    from flask import jsonify

    def peek():  # type: ignore[no-untyped-def]
        with write_attempt("peek.write", "AG:DF(1.0)") as attempt:
            attempt.authorise_data("AG", "DF", "1.0")
            (entry,) = node.access.list_audit(actions=["peek.write"])
            seen = (entry.pk, entry.outcome, entry.token_id)
        return jsonify(pk=seen[0], outcome=seen[1], token=seen[2])

    app.add_url_rule("/peek", "peek", peek, methods=["POST"])
    provider = create_token(node, role="provider", dataflows=[("AG", "DF", "1.0")])
    (record,) = node.access.list_tokens()
    seen = app.test_client().post("/peek", headers=_bearer(provider)).json
    assert seen["outcome"] == "started" and seen["token"] == record.token_id
    (entry,) = node.access.list_audit(actions=["peek.write"])
    assert (entry.pk, entry.outcome, entry.status) == (seen["pk"], "ok", 200)


def test_anonymous_refusals_are_counted_not_stored(probe_client: FlaskClient, node) -> None:
    before = node.access.count_audit()
    for _ in range(30):
        assert probe_client.post("/probe").status_code == 401
    assert probe_client.post("/probe", headers=_bearer("sdmxnode_unknown")).status_code == 401
    assert node.access.count_audit() == before  # no row each
    # counted per minute: 31 refusals crossing a minute boundary are two rows
    counted = node.access.list_refusals()
    assert 1 <= len(counted) <= 2
    assert {row["action"] for row in counted} == {"probe.write"}
    assert sum(row["count"] for row in counted) == 31
    admin = create_token(node, role="admin")
    listed = probe_client.get("/audit", headers=_bearer(admin)).json["refusals"]
    assert listed == counted


def test_attempts_of_a_process_that_is_gone_are_marked_interrupted(node) -> None:
    import os
    import socket
    import subprocess
    import sys

    from sdmxnode.services.access import mark_interrupted_writes
    from sdmxnode.storage.access import AuditEntry

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    entry = AuditEntry(datetime.now(UTC), "t1", "provider", "data.post", "AG:DF(1.0)", "started", 0)
    host = socket.gethostname()
    dead = node.access.start_entry(entry, f"{host}:{gone.stdout.strip()}")
    alive = node.access.start_entry(entry, f"{host}:{os.getpid()}")
    elsewhere = node.access.start_entry(entry, "another-host:1")
    assert mark_interrupted_writes(node) == 1
    outcomes = {e.pk: e.outcome for e in node.access.list_audit()}
    assert outcomes == {dead: "interrupted", alive: "started", elsewhere: "started"}


def test_old_audit_entries_are_pruned_after_the_retention(node) -> None:
    from sdmxnode.services.access import prune_audit_log, record_write

    record_write(node, token_id="t1", role="admin", action="a", target="x", outcome="ok",
                 status=200, counts={}, detail="", client="c")  # fmt: skip
    with node.access.engine.begin() as conn:  # pretend it is 401 days old
        from sdmxnode.storage.tables import audit_log

        old = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=401)
        conn.execute(update(audit_log).values(at=old))
    record_write(node, token_id="t1", role="admin", action="b", target="x", outcome="ok",
                 status=200, counts={}, detail="", client="c")  # fmt: skip
    assert node.settings.audit_retention_days == 400
    assert prune_audit_log(node) == 1
    assert [e.action for e in node.access.list_audit()] == ["b"]
