"""The `sdmxnode registrations` command: list registrations and pull their sources."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click

from sdmxnode.config import load_settings
from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.registrations.model import Registration, format_time, registration_json
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.schedule import harvest_lock, parse_duration, run_every
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.pulling import pull_all
from sdmxnode.services.registrations.submission import registrations_of

#: A pull that died without releasing the harvest lock holds it at most this long.
LOCK_TTL = timedelta(hours=6)


@click.command()
@click.option("--pull", "pull_now", is_flag=True, help="Pull the sources now.")
@click.option("--id", "ids", multiple=True, help="Only this registration (repeatable).")
@click.option("--every", default=None, help="With --pull: repeat every DURATION (15m, 6h, 1d).")
@click.option("--max-runs", type=int, default=None, hidden=True, help="Stop --every after N.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def registrations(
    pull_now: bool, ids: tuple[str, ...], every: str | None, max_runs: int | None, as_json: bool
) -> None:
    """List the registrations (provider, agreement, source, last pull: time, outcome,
    observations written and deleted, error); with --pull, pull every registration valid
    now (or those named with --id) first, through the harvest machinery, holding the
    node's harvest lock. Exit status 1 when a pull failed."""
    node = Node.from_settings(load_settings())
    node.store.create_schema()
    wanted = list(ids) or None
    if not pull_now:
        _print(registrations_of(node).find(ids=wanted), as_json)
        return
    try:
        interval = parse_duration(every) if every else None
    except SdmxNodeError as exc:
        raise click.UsageError(exc.text) from exc
    client = HttpClient.from_settings(node.settings)

    def run_once() -> bool:
        try:
            with harvest_lock(node.harvest_records(), LOCK_TTL):
                pulls = pull_all(node, client, wanted)
        except SdmxNodeError as exc:
            click.echo(f"pull failed: {exc.text}", err=True)
            return False
        _print(registrations_of(node).find(ids=list(pulls)), as_json)
        return all(p.outcome != "failed" for p in pulls.values())

    if interval is None:
        sys.exit(0 if run_once() else 1)
    sys.exit(1 if run_every(interval, run_once, max_runs=max_runs) else 0)


def _print(found: list[Registration], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([registration_json(r) for r in found], indent=1))
        return
    if not found:
        click.echo("no registrations")
    for r in found:
        pull = r.last_pull
        last = (
            "never pulled"
            if pull is None
            else f"last pull {format_time(pull.at)}: {pull.outcome}, {pull.written} written, "
            f"{pull.deleted} deleted" + (f"; error: {pull.error}" if pull.error else "")
        )
        kind = "queryable" if r.queryable else "simple"
        click.echo(f"{r.id} {r.provider} {r.agreement_urn.rsplit('=', 1)[1]} {kind} "
                   f"{r.source_url}: {last}")  # fmt: skip
