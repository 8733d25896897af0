"""`sdmxnode token create|list|revoke` and `sdmxnode audit`: secrets shown once, kept hashed."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text, update

from sdmxnode.cli import main
from sdmxnode.config import load_settings
from sdmxnode.errors import BadRequest, StorageError, Unauthorized
from sdmxnode.services.access import authenticate, create_token, hash_secret, parse_expiry
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import tokens


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_STRUCTURE_DIRS", "")
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    return CliRunner()


def _node() -> Node:
    node = Node.from_settings(load_settings())
    node.store.create_schema()
    return node


def test_token_create_prints_the_secret_alone_on_the_last_line(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        ["token", "create", "--role", "provider", "--dataflow", "IMDX,DF_MIG_STOCK_IMS,1.0.0"],
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.splitlines()[-1]
    assert secret.strip() == secret and " " not in secret and len(secret) > 40
    node = _node()
    principal = authenticate(node, secret)
    assert principal is not None and principal.role == "provider"
    assert principal.may_write_data("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
    assert not principal.may_write_data("IMDX", "DF_MIG_FLOWS", "1.0.0")
    assert principal.token_id in result.stdout.splitlines()[0]
    # only the hash is stored: the secret appears nowhere in the table
    with create_engine(load_settings().database_url).connect() as conn:
        rows = [tuple(map(str, row)) for row in conn.execute(select(tokens))]
    assert len(rows) == 1
    assert not any(secret in value for value in rows[0])
    assert hash_secret(secret) in rows[0]


def test_revoked_token_stops_working(runner: CliRunner) -> None:
    created = runner.invoke(main, ["token", "create", "--role", "admin", "--label", "ops"])
    secret = created.stdout.splitlines()[-1]
    token_id = authenticate(_node(), secret).token_id  # type: ignore[union-attr]
    listed = runner.invoke(main, ["token", "list"])
    assert token_id in listed.stdout and "live" in listed.stdout and "[ops]" in listed.stdout
    assert secret not in listed.stdout
    revoked = runner.invoke(main, ["token", "revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert authenticate(_node(), secret) is None
    again = runner.invoke(main, ["token", "revoke", token_id])
    assert again.exit_code != 0 and "no live token" in again.output


@pytest.mark.parametrize(
    "arguments, complaint",
    [
        (["--role", "maintainer"], "--agency"),
        (["--role", "provider"], "--dataflow"),
        (["--role", "admin", "--agency", "IMDX"], "every right"),
        (["--role", "provider", "--dataflow", "IMDX,DF_MIG_STOCK_IMS"], "AGENCY,ID,VERSION"),
        (["--role", "root"], "root"),
    ],
)
def test_token_create_refuses_incoherent_rights(
    runner: CliRunner, arguments: list[str], complaint: str
) -> None:
    result = runner.invoke(main, ["token", "create", *arguments])
    assert result.exit_code == 2
    assert complaint in result.output
    assert _node().access.list_tokens() == []


def test_rights_of_each_role() -> None:
    from sdmxnode.services.access import Principal

    admin = Principal("t1", "admin", frozenset(), frozenset())
    maintainer = Principal("t2", "maintainer", frozenset({"OECD"}), frozenset())
    provider = Principal("t3", "provider", frozenset(), frozenset({("IMDX", "DF_A", "1.0")}))
    agency_provider = Principal("t4", "provider", frozenset({"ILO"}), frozenset())
    assert admin.may_maintain("ANY") and admin.may_write_data("ANY", "X", "1.0")
    assert maintainer.may_maintain("OECD") and not maintainer.may_maintain("IMDX")
    assert maintainer.may_write_data("OECD", "DF", "1.0")
    assert not maintainer.may_write_data("IMDX", "DF_A", "1.0")
    assert provider.may_write_data("IMDX", "DF_A", "1.0")
    assert not provider.may_write_data("IMDX", "DF_A", "2.0")
    assert not provider.may_maintain("IMDX")
    assert agency_provider.may_write_data("ILO", "DF_ANY", "1.0")
    assert not agency_provider.may_maintain("ILO")


def test_cli_loads_are_audited(runner: CliRunner, tmp_path, monkeypatch) -> None:
    from pathlib import Path

    project = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("SDMXNODE_STRUCTURE_DIRS", f"{project / 'dsd'}:{project / 'codelists'}")
    assert runner.invoke(main, ["init"]).exit_code == 0
    good = project / "fixtures" / "data" / "small" / "small-generic-21.xml"
    bad = project / "fixtures" / "invalid" / "unknown-code.xml"
    runner.invoke(main, ["load", str(good), str(bad)])
    result = runner.invoke(main, ["audit", "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert [(e["target"], e["outcome"]) for e in entries] == [
        ("unknown-code.xml", "rejected"),
        ("small-generic-21.xml", "ok"),
    ]
    assert entries[1]["counts"]["observations_written"] == 21
    assert all(e["role"] == "cli" and e["client"].startswith("cli:") for e in entries)
    text = runner.invoke(main, ["audit", "--limit", "1"])
    assert text.stdout.count("\n") == 1 and "unknown-code.xml" in text.stdout


def _set_token_times(token_id: str, **values: datetime | None) -> None:
    """Change a token's stored times (naive UTC), as time passing would."""
    engine = create_engine(load_settings().database_url)
    with engine.begin() as conn:
        conn.execute(update(tokens).where(tokens.c.token_id == token_id).values(**values))
    engine.dispose()


def test_token_create_with_an_expiry_lists_it(runner: CliRunner) -> None:
    before = datetime.now(UTC)
    created = runner.invoke(main, ["token", "create", "--role", "admin", "--expires", "90d"])
    assert created.exit_code == 0, created.output
    expected = before + timedelta(days=90)
    assert f"expires {expected:%Y-%m-%d}" in created.stdout.splitlines()[0]
    listed = runner.invoke(main, ["token", "list"])
    assert f"live until {expected:%Y-%m-%d}" in listed.stdout
    assert "last used never" in listed.stdout
    as_json = json.loads(runner.invoke(main, ["token", "list", "--format", "json"]).stdout)
    assert len(as_json) == 1 and as_json[0]["role"] == "admin"
    expires = datetime.fromisoformat(as_json[0]["expires"].replace("Z", "+00:00"))
    assert abs(expires - expected) < timedelta(minutes=1)
    assert as_json[0]["last_used"] is None and as_json[0]["revoked"] is None
    never = runner.invoke(main, ["token", "create", "--role", "admin"])
    assert never.exit_code == 0 and "expires" not in never.stdout.splitlines()[0]


NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("30m", NOW + timedelta(minutes=30)),
        ("12h", NOW + timedelta(hours=12)),
        ("90d", NOW + timedelta(days=90)),
        ("2w", NOW + timedelta(weeks=2)),
        ("2027-03-01", datetime(2027, 3, 1, tzinfo=UTC)),
        ("2027-03-01T08:30:00Z", datetime(2027, 3, 1, 8, 30, tzinfo=UTC)),
        ("2027-03-01T08:30:00+02:00", datetime(2027, 3, 1, 6, 30, tzinfo=UTC)),
    ],
)
def test_expiry_is_a_duration_or_an_iso_time(text: str, expected: datetime) -> None:
    assert parse_expiry(text, NOW) == expected


@pytest.mark.parametrize("text", ["soon", "90", "d", "-1d", "0m", "2026-12-01", "1y"])
def test_an_expiry_that_is_no_future_time_is_refused(runner: CliRunner, text: str) -> None:
    with pytest.raises(BadRequest):
        parse_expiry(text, NOW)
    result = runner.invoke(main, ["token", "create", "--role", "admin", "--expires", text])
    assert result.exit_code == 2 and "--expires" in result.output
    assert _node().access.list_tokens() == []


def test_an_expired_token_is_refused_saying_so(runner: CliRunner) -> None:
    created = runner.invoke(main, ["token", "create", "--role", "admin", "--expires", "1h"])
    secret = created.stdout.splitlines()[-1]
    principal = authenticate(_node(), secret)
    assert principal is not None
    _set_token_times(principal.token_id, expires=datetime.now(UTC).replace(tzinfo=None))
    with pytest.raises(Unauthorized, match=f"token {principal.token_id} expired at"):
        authenticate(_node(), secret)
    listed = runner.invoke(main, ["token", "list"])
    assert f"expired {datetime.now(UTC):%Y-%m-%d}" in listed.stdout


def test_last_use_is_recorded_at_most_once_a_minute(runner: CliRunner) -> None:
    secret = runner.invoke(main, ["token", "create", "--role", "admin"]).stdout.splitlines()[-1]
    (record,) = _node().access.list_tokens()
    assert record.last_used is None
    start = datetime.now(UTC)
    token_id = authenticate(_node(), secret).token_id  # type: ignore[union-attr]
    (first,) = _node().access.list_tokens()
    assert first.last_used is not None and first.last_used >= start - timedelta(seconds=1)
    authenticate(_node(), secret)
    (second,) = _node().access.list_tokens()
    assert second.last_used == first.last_used  # within the minute: not written again
    stale = (start - timedelta(minutes=2)).replace(tzinfo=None)
    _set_token_times(token_id, last_used=stale)
    authenticate(_node(), secret)
    (third,) = _node().access.list_tokens()
    assert third.last_used is not None and third.last_used >= start - timedelta(seconds=1)
    listed = runner.invoke(main, ["token", "list"])
    assert f"last used {third.last_used:%Y-%m-%d %H:%M}" in listed.stdout


def test_a_database_of_an_older_node_gets_the_new_token_columns(tmp_path) -> None:
    """Tables created before `expires` and `last_used` existed: create_schema adds them
    (nullable), and the tokens stored before keep working."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE tokens (token_id VARCHAR(32) PRIMARY KEY, secret_hash VARCHAR(64) "
                "NOT NULL UNIQUE, role VARCHAR(20) NOT NULL, agencies VARCHAR(4000) NOT NULL, "
                "dataflows VARCHAR(20000) NOT NULL, label VARCHAR(255) NOT NULL, created "
                "DATETIME NOT NULL, revoked DATETIME)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO tokens VALUES ('told', :hash, 'admin', '[]', '[]', 'old', "
                "'2025-01-01 00:00:00', NULL)"
            ),
            {"hash": hash_secret("sdmxnode_old-secret")},
        )
    engine.dispose()
    node = Node.from_settings(load_settings({"DATABASE_URL": url}))
    node.store.create_schema()
    node.store.create_schema()  # idempotent
    principal = authenticate(node, "sdmxnode_old-secret")
    assert principal is not None and principal.token_id == "told"
    (record,) = node.access.list_tokens()
    assert record.expires is None and record.last_used is not None
    node.store.dispose()


def test_recording_a_use_does_not_wait_long_for_a_busy_sqlite(tmp_path) -> None:
    """A long load holds SQLite's write lock: the last use is then not recorded (logged by
    authenticate) after about a second, and the connection keeps its busy timeout."""
    node = Node.from_settings(load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"}))
    node.store.create_schema()
    secret = create_token(node, role="admin")
    (record,) = node.access.list_tokens()
    blocker = create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    with blocker.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(StorageError):
            node.access.mark_used(record.token_id, datetime.now(UTC), unless_since=NOW)
        assert time.monotonic() - started < 5
        assert authenticate(node, secret) is not None  # still authenticated, use not recorded
        writer.exec_driver_sql("ROLLBACK")
    blocker.dispose()
    with node.store.engine.connect() as conn:
        wait = node.settings.write_wait  # the engine's own, SDMXNODE_WRITE_WAIT
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == int(wait * 1000)
    (record,) = node.access.list_tokens()
    assert record.last_used is None
    node.store.dispose()
