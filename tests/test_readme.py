"""The README names what users need: its commands are CI's, and every setting, command,
route and media type of the node appears in it."""

from __future__ import annotations

import re

import click

from sdmxnode.cli import main
from sdmxnode.config import SETTINGS
from sdmxnode.formats.registry import list_formats
from sdmxnode.formats.registry.structure import STRUCTURE_FORMATS
from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    serve, test = _quick_start_commands()[:2]
    assert "sdmxnode serve" in serve
    assert "pytest" in test
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_quick_start_queries_answer_on_the_demo_node(migration_client) -> None:
    """Every `curl` of the quick start's examples, against the node holding the demo data."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [
        command
        for block in re.findall(r"```sh\n(.+?)\n```", section, re.S)
        for command in block.replace("\\\n", " ").splitlines()
        if command.strip().startswith("curl ")
    ]
    assert len(commands) >= 5
    for command in commands:
        url = re.search(r"http://127\.0\.0\.1:8000(/\S*?)'?(?:\s|$)", command)
        assert url is not None, command
        headers = dict(header.split(": ", 1) for header in re.findall(r"-H '([^']+)'", command))
        response = migration_client.get(url.group(1), headers=headers)
        assert response.status_code == 200, (command, response.get_data()[:300])
        assert response.get_data(), command


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, setting.env


def test_every_cli_command_is_documented() -> None:
    assert isinstance(main, click.Group)
    for name in main.commands:
        assert f"`sdmxnode {name}" in README, name


def test_every_media_type_is_documented() -> None:
    import sdmxnode.formats.registry.data  # noqa: F401  (registers the data formats)

    assert list_formats("structure") == STRUCTURE_FORMATS
    for fmt in list_formats():
        assert f"`{fmt.content_type}`" in README, fmt.name


def test_every_route_is_documented(app) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        static_part = rule.rule.split("<", 1)[0].rstrip("/")
        spellings = [f"`{static_part}"] + [f"`{method} {static_part}" for method in rule.methods]
        assert any(spelling in README for spelling in spellings), rule.rule


def test_every_finding_code_is_in_the_findings_table() -> None:
    from sdmxnode.validation.findings import CODES

    for code in CODES:
        assert f"| `{code}` |" in README, code


def test_the_structure_map_commands_run(database_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The `sdmxnode` commands of "Structure maps", run as written against a fresh node."""
    import shlex

    from click.testing import CliRunner

    section = README.split("### Structure maps", 1)[1].split("\n### ", 1)[0]
    block = re.findall(r"```sh\n(.+?)\n```", section, re.S)[0].replace("\\\n", " ")
    commands = [
        shlex.split(line, comments=True)
        for line in block.splitlines()
        if line.startswith("sdmxnode ")
    ]
    assert len(commands) >= 3
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    monkeypatch.chdir(PROJECT_ROOT)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    for command in commands:
        result = runner.invoke(main, command[1:])
        assert result.exit_code == 0, (command, result.output)
