"""`sdmxnode registrations`: the list with last pull, and --pull."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask import Flask

from sdmxnode.cli import main
from sdmxnode.services.node import Node
from tests.registrations.conftest import PA_NSO, submit_request
from tests.registrations.test_rest import SOURCE, source  # noqa: F401  (fixture)


def test_list_and_pull(
    providers_app: Flask,
    providers_node: Node,
    nso_token: str,
    source: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", providers_node.settings.database_url)
    monkeypatch.setenv("SDMXNODE_HARVEST_RETRIES", "0")
    runner = CliRunner()
    assert runner.invoke(main, ["registrations"]).output.strip() == "no registrations"
    body = submit_request([("Append", "NSO_1", PA_NSO, source)], simple=True)
    posted = providers_app.test_client().post(
        "/rest/v2/registration",
        data=body,
        headers={"Authorization": f"Bearer {nso_token}", "Content-Type": "application/xml"},
    )
    assert posted.status_code == 201

    listed = runner.invoke(main, ["registrations"])
    assert listed.exit_code == 0
    assert "NSO_1 TEST:NSO IMDX:PA_NSO(1.0.0) simple" in listed.output
    assert ": ok, " in listed.output and " written" in listed.output

    pulled = runner.invoke(main, ["registrations", "--pull", "--json"])
    assert pulled.exit_code == 0, pulled.output
    (entry,) = json.loads(pulled.output)
    assert entry["lastPull"]["outcome"] == "not modified"

    SOURCE["body"] = b"not a data message"
    SOURCE["etag"] = '"broken"'
    failed = runner.invoke(main, ["registrations", "--pull", "--id", "NSO_1"])
    assert failed.exit_code == 1
    assert ": failed, 0 written" in failed.output and "error:" in failed.output
