"""The `sdmxnode harvest` command: pull structures and data from SDMX-REST sources."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click

from sdmxnode.config import load_settings
from sdmxnode.errors import SdmxNodeError
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.harvest.client import HttpClient
from sdmxnode.services.harvest.harvesting import Harvester, StructureSelection
from sdmxnode.services.harvest.schedule import (
    HarvestSource,
    HarvestStore,
    harvest_lock,
    parse_dataflow,
    parse_duration,
    read_sources,
    run_every,
)
from sdmxnode.services.node import Node

#: A harvest that died without releasing the lock holds it at most this long.
LOCK_TTL = timedelta(hours=6)
EXIT_CONFLICTS = 2


@click.command()
@click.argument("source", required=False)
@click.option("--resource", default=None, help="Structure type (codelist, dataflow, ...).")
@click.option("--agency", default="all", show_default=True, help="Agency of the structures.")
@click.option("--id", "id_", default="all", show_default=True, help="Id of the structures.")
@click.option("--version", default="all", show_default=True, help="Version of the structures.")
@click.option(
    "--data",
    "dataflows",
    multiple=True,
    help="AGENCY,ID[,VERSION] of a dataflow whose data to pull (repeatable).",
)
@click.option(
    "--metadata",
    "metadataflows",
    multiple=True,
    help="AGENCY,ID[,VERSION] of a metadataflow whose metadata sets to pull (repeatable; "
    "default: every metadataflow harvested from the source).",
)
@click.option("--no-metadata", is_flag=True, help="Pull no reference-metadata sets.")
@click.option("--no-structures", is_flag=True, help="Pull only the data named with --data.")
@click.option("--dry-run", is_flag=True, help="Print the change report; write nothing.")
@click.option("--all", "all_sources", is_flag=True, help="Every source of HARVEST_SOURCES.")
@click.option("--every", default=None, help="Repeat every DURATION (30s, 15m, 6h, 1d, PT1H).")
@click.option("--max-runs", type=int, default=None, hidden=True, help="Stop --every after N.")
@click.option(
    "--listen",
    default=None,
    help="HOST:PORT: subscribe to SOURCE's notifications and harvest what they name instead "
    "of polling (needs --source-token).",
)
@click.option("--callback", default=None, help="With --listen: the URL SOURCE should call.")
@click.option("--source-token", default=None, help="With --listen: a token of SOURCE.")
@click.option("--max-events", type=int, default=None, hidden=True, help="Stop after N.")
@click.option("--status", is_flag=True, help="Show the provenance of harvested artefacts.")
@click.option("--json", "as_json", is_flag=True, help="With --status: print JSON.")
def harvest(
    source: str | None,
    resource: str | None,
    agency: str,
    id_: str,
    version: str,
    dataflows: tuple[str, ...],
    metadataflows: tuple[str, ...],
    no_metadata: bool,
    no_structures: bool,
    dry_run: bool,
    all_sources: bool,
    every: str | None,
    max_runs: int | None,
    listen: str | None,
    callback: str | None,
    source_token: str | None,
    max_events: int | None,
    status: bool,
    as_json: bool,
) -> None:
    """Harvest SOURCE (an SDMX-REST 1.5 base URL such as https://host/rest, a 2.x one
    ending in /v2, or a name from SDMXNODE_HARVEST_SOURCES) into this node.

    Requests are conditional: an unchanged source answers 304 and nothing moves. Data are
    pulled whole once, then with updatedAfter; metadata sets are loaded as Replace. Exit
    status 2 when conflicts (a final artefact changed under the same version) were reported
    and not applied; 1 when the harvest failed or a metadata message was refused.
    """
    settings = load_settings()
    node = Node.from_settings(settings)
    node.store.create_schema()
    records = node.harvest_records()
    if status:
        _print_status(records, as_json)
        return
    try:
        sources = _chosen_sources(
            settings.harvest_sources, source, all_sources, resource, agency, id_, version
        )
        flows = tuple(parse_dataflow(d) for d in dataflows)
        metadata_flows = tuple(parse_dataflow(m, "Metadataflow") for m in metadataflows)
        interval = parse_duration(every) if every else None
    except SdmxNodeError as exc:
        raise click.UsageError(exc.text) from exc
    client = HttpClient.from_settings(settings)
    outcome = {"conflicts": False, "refused": False}

    def run_once() -> bool:
        try:
            with harvest_lock(records, LOCK_TTL):
                for item in sources:
                    selections = [] if no_structures else list(item.structures)
                    result = Harvester(node, client).harvest(
                        item.url,
                        selections,
                        list(item.dataflows + flows),
                        dry_run=dry_run,
                        metadataflows=_metadataflows(item, metadata_flows, no_metadata),
                    )
                    click.echo(result.to_text())
                    outcome["conflicts"] |= bool(result.changes.conflicts)
                    outcome["refused"] |= bool(result.refused)
        except SdmxNodeError as exc:
            click.echo(f"harvest failed: {exc.text}", err=True)
            return False
        return True

    if listen is not None:
        if len(sources) != 1 or not source_token:
            raise click.UsageError("--listen takes one SOURCE and its --source-token")
        failures = _listen(node, client, sources[0], listen, callback, source_token, max_events)
        sys.exit(1 if failures else 0)
    if interval is None:
        ok = run_once()
        failed = not ok or outcome["refused"]
        sys.exit(1 if failed else EXIT_CONFLICTS if outcome["conflicts"] else 0)
    failures = run_every(interval, run_once, max_runs=max_runs)
    sys.exit(1 if failures else 0)


def _metadataflows(
    item: HarvestSource, named: tuple[ArtefactRef, ...], no_metadata: bool
) -> list[ArtefactRef] | None:
    """The metadataflows whose sets to pull: none, those named (on the command line, then
    in the source's setting), or None for every one harvested from the source."""
    if no_metadata:
        return []
    if named or item.metadataflows is not None:
        return list((item.metadataflows or ()) + named)
    return None


def _chosen_sources(
    setting: str,
    source: str | None,
    all_sources: bool,
    resource: str | None,
    agency: str,
    id_: str,
    version: str,
) -> list[HarvestSource]:
    named = read_sources(setting)
    if all_sources:
        if not named:
            raise click.UsageError("--all: SDMXNODE_HARVEST_SOURCES names no source")
        return list(named.values())
    if source is None:
        raise click.UsageError("give a SOURCE (base URL or name), or --all, or --status")
    if source in named:
        return [named[source]]
    if not source.startswith(("http://", "https://")):
        raise click.UsageError(f"{source!r} is neither a URL nor a source name")
    return [HarvestSource(source, source, (StructureSelection(resource, agency, id_, version),))]


def _print_status(records: HarvestStore, as_json: bool) -> None:
    entries = records.list_provenance()
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], indent=1))
        return
    if not entries:
        click.echo("nothing harvested yet")
    for entry in entries:
        click.echo(
            f"{entry.kind} {entry.ref}: {entry.outcome}; from {entry.source_url} at "
            f"{entry.retrieved.isoformat()}; source version {entry.source_version}, "
            f"ETag {entry.etag or '-'}, Last-Modified {entry.last_modified or '-'}"
        )


def _listen(
    node: Node,
    client: HttpClient,
    item: HarvestSource,
    listen: str,
    callback: str | None,
    token: str,
    max_events: int | None,
) -> int:
    """Subscribe to `item`'s notifications, then harvest once and once per notification."""
    from sdmxnode.services.harvest.subscriber import (
        NotificationListener,
        Notified,
        run_as_subscriber,
        subscribe,
    )

    host, _, port = listen.rpartition(":")
    listener = NotificationListener(host or "127.0.0.1", int(port or 0), secret="").start()
    url = callback or f"http://{host or '127.0.0.1'}:{listener.port}/"
    try:
        urn, listener.secret = subscribe(item.url, token, url)
    except SdmxNodeError as exc:
        listener.stop()
        raise click.ClickException(exc.text) from exc
    click.echo(f"subscribed to {item.url} ({urn}); listening on {url}")

    def harvest_one(event: Notified | None) -> bool:
        harvester = Harvester(node, client)
        selection = event.selection if event is not None else None
        try:
            with harvest_lock(node.harvest_records(), LOCK_TTL):
                if selection is not None:
                    result = harvester.harvest(item.url, [selection], [], metadataflows=[])
                else:
                    result = harvester.harvest(
                        item.url, list(item.structures), list(item.dataflows)
                    )
        except SdmxNodeError as exc:
            click.echo(f"harvest failed: {exc.text}", err=True)
            return False
        if event is not None:
            click.echo(f"notified: {event.action} {event.urn or event.registration_id}")
        click.echo(result.to_text())
        return True

    try:
        return run_as_subscriber(listener, harvest_one, max_events=max_events)
    finally:
        listener.stop()
