"""The `sdmxnode` command: init is idempotent, settings are listed."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sdmxnode.cli import main
from sdmxnode.config import SETTINGS


@pytest.fixture
def env(database_url: str, tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "structures"
    folder.mkdir()
    for name in ("ECB-EXR-structure-full.xml", "ESTAT-CL_FREQ-v30.xml"):
        (folder / name).write_bytes((corpus / name).read_bytes())
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_STRUCTURE_DIRS", str(folder))
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    monkeypatch.setenv("SDMXNODE_DEMO_METADATA", "")  # its sets need the project's MSD
    return folder


@pytest.mark.corpus
def test_init_loads_then_changes_nothing(env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    assert "18 created" in first.output
    second = runner.invoke(main, ["init"])
    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated, 18 unchanged" in second.output


@pytest.mark.corpus
def test_init_refuses_an_invalid_file_and_stores_nothing(env: Path, corpus: Path) -> None:
    (env / "zz-bad.xml").write_bytes((corpus / "BIS-gh-180.xml").read_bytes())
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code != 0
    assert "BIS-gh-180" not in result.output and "zz-bad.xml" in result.output
    assert "line 37" in result.output
    listing = CliRunner().invoke(main, ["settings"])
    assert listing.exit_code == 0


def test_settings_lists_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0
    for setting in SETTINGS:
        assert setting.env in result.output


def test_settings_masks_passwords_in_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SDMXNODE_DATABASE_URL", "postgresql+psycopg://node:s3cr/et:x@db.example:5432/sdmx"
    )
    monkeypatch.setenv("SDMXNODE_HARVEST_SOURCES", "a=https://bot:hunter2@a.example/rest")
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0
    assert "SDMXNODE_DATABASE_URL=postgresql+psycopg://node:***@db.example:5432/sdmx" in (
        result.output
    )
    assert "SDMXNODE_HARVEST_SOURCES=a=https://bot:***@a.example/rest" in result.output
    assert "s3cr" not in result.output and "hunter2" not in result.output


def test_every_command_family_is_registered_on_main() -> None:
    context = click.Context(main)
    commands = {name: main.get_command(context, name) for name in main.list_commands(context)}
    assert all(isinstance(command, click.Command) for command in commands.values())
    assert sorted(commands) == [
        "audit",
        "check",
        "harvest",
        "init",
        "load",
        "notifications",
        "registrations",
        "serve",
        "settings",
        "token",
        "validate",
    ]
    assert sorted(commands["check"].commands) == ["aggregates", "mirror"]  # type: ignore[attr-defined]
