"""`sdmxnode token create|list|revoke` and `sdmxnode audit`: secrets shown once, kept hashed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from sdmxnode.cli import main
from sdmxnode.config import load_settings
from sdmxnode.services.access import authenticate, hash_secret
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
