"""The `sdmxnode` command: serve, init, and the node's other operations."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from sdmxnode.cli.access import audit, record_cli_write, token
from sdmxnode.cli.harvest import harvest
from sdmxnode.config import SETTINGS, load_settings
from sdmxnode.errors import SdmxNodeError
from sdmxnode.services.node import Node
from sdmxnode.services.setup import initialise_node


def _node() -> Node:
    return Node.from_settings(load_settings())


@click.group(help="sdmxnode: an SDMX node for international-migration statistics.")
@click.option("--log-level", default=None, help="Logging level (default: SDMXNODE_LOG_LEVEL).")
def main(log_level: str | None) -> None:
    level = (log_level or load_settings()["LOG_LEVEL"]).upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
def init() -> None:
    """Create the schema and load the structures of dsd/ and codelists/ (idempotent)."""
    node = _node()
    try:
        result = initialise_node(node)
    except SdmxNodeError as exc:
        raise click.ClickException(exc.text) from exc
    click.echo(
        f"structures: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged; {node.store.count_artefacts()} artefacts in the store"
    )
    click.echo(f"data: {node.data.count_all_observations()} observations in the store")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--dataflow",
    default=None,
    help="AGENCY,ID[,VERSION] of the dataflow, when a message names only its DSD.",
)
@click.option(
    "--format", "kind", default=None, help="sdmx-ml, sdmx-csv or sdmx-json (default: detected)."
)
def load(files: tuple[str, ...], dataflow: str | None, kind: str | None) -> None:
    """Validate and store data messages; each file is one transaction."""
    from sdmxnode.services.data.loading import LoadOptions, LoadRejected, load_data

    node = _node()
    node.store.create_schema()
    target = _dataflow_option(dataflow)
    failed = False
    for name in files:
        path = Path(name)
        try:
            with _progress(path) as progress:
                result = load_data(
                    node,
                    path,
                    LoadOptions(
                        source=path.name,
                        principal="cli",
                        kind=kind,
                        dataflow=target,
                        progress=progress,
                    ),
                )
        except LoadRejected as exc:
            failed = True
            record_cli_write(node, "data.load", path.name, ok=False, counts={}, detail=exc.text)
            click.echo(exc.report.to_text(), err=True)
            click.echo(f"{path.name}: not loaded ({exc.report.errors} errors)", err=True)
            continue
        except SdmxNodeError as exc:
            failed = True
            record_cli_write(node, "data.load", path.name, ok=False, counts={}, detail=exc.text)
            click.echo(f"{path.name}: not loaded: {exc.text}", err=True)
            continue
        record_cli_write(
            node,
            "data.load",
            path.name,
            ok=True,
            counts={
                "observations_written": result.observations_written,
                "observations_deleted": result.observations_deleted,
            },
        )
        for warning in result.report.findings:
            click.echo(f"{path.name}: {warning.severity}: {warning.message}", err=True)
        for dataflow_name, counts in result.counts.items():
            click.echo(
                f"{path.name}: {dataflow_name}: {counts.series_written} series, "
                f"{counts.observations_written} observations written, "
                f"{counts.observations_deleted} deleted"
            )
    if failed:
        sys.exit(1)


def _dataflow_option(text: str | None):
    if text is None:
        return None
    from sdmxnode.formats.rows import StructureRef

    parts = text.split(",")
    if len(parts) not in (2, 3):
        raise click.BadParameter("use AGENCY,ID or AGENCY,ID,VERSION", param_hint="--dataflow")
    return StructureRef("dataflow", parts[0], parts[1], parts[2] if len(parts) == 3 else "")


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[int], None] | None]:
    """A progress bar over observations for files over a few MB (on a terminal)."""
    if path.stat().st_size < 5_000_000 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(
        length=0,
        label=f"{path.name}: observations",
        file=sys.stderr,
        show_pos=True,
        show_percent=False,
    ) as bar:
        yield bar.update


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--structure",
    "structures",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="SDMX-ML structure message(s) to validate against (with the project's own).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How the report is printed.",
)
def validate(files: tuple[str, ...], structures: tuple[str, ...], output: str) -> None:
    """Check messages (schema, then every structure rule) without storing anything.

    Data are checked against the structures given with --structure together with the
    project's own dsd/ and codelists/. Exit status 0 only when every file is valid.
    SDMX error and reference-metadata messages are not submissions (NOT_A_SUBMISSION).
    """
    import json

    from sdmxnode.services.message_validation import structures_resolver, validate_message

    node = _node()
    all_valid = True
    with structures_resolver([Path(p) for p in structures], node.structure_dirs()) as resolve:
        reports = {}
        for name in files:
            path = Path(name)
            report = validate_message(resolve, path, source=path.name, settings=node.settings)
            all_valid = all_valid and report.is_valid
            reports[path.name] = report
    if output == "json":
        click.echo(json.dumps({n: r.to_json() for n, r in reports.items()}, indent=1))
    else:
        for file_name, report in reports.items():
            click.echo(f"== {file_name}")
            click.echo(report.to_text(), nl=False)
    sys.exit(0 if all_valid else 1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the node with gunicorn; an empty database is initialised first."""
    node = _node()
    node.store.create_schema()
    if node.store.count_artefacts() == 0:
        click.echo("empty database: loading the node's structures first")
        result = initialise_node(node)
        click.echo(f"structures: {result.created} created")
    node.store.engine.dispose()  # workers open their own connections after the fork
    _run_gunicorn(host, port, workers)


def _run_gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from sdmxnode.app import create_app

    settings = load_settings()
    max_url = int(settings["MAX_URL_LENGTH"])
    request_timeout = int(settings["REQUEST_TIMEOUT"])

    class NodeApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("worker_class", "sdmxnode.web.gunicorn_worker.NodeWorker")
            # the worker's heartbeat must outlive the longest request the node allows
            self.cfg.set("timeout", max(120, request_timeout + 60))
            self.cfg.set("limit_request_line", gunicorn_request_line_limit(max_url))
            self.cfg.set("accesslog", "-")

        def load(self) -> Any:
            return create_app()

    NodeApplication().run()


def gunicorn_request_line_limit(max_url_length: int) -> int:
    """gunicorn's limit_request_line for SDMXNODE_MAX_URL_LENGTH: just above it, so that the
    node answers an over-long URL itself (SDMX 414); 0 (unlimited) when gunicorn's own
    ceiling of 8190 bytes is too low for the setting (or the setting is 0)."""
    limit = max_url_length + 64  # the method, the spaces and " HTTP/1.1"
    return 0 if max_url_length <= 0 or limit > 8190 else limit


@main.group()
def check() -> None:
    """Comparability checks over the data the node holds (CSV or JSON on standard output)."""


def _check_target(node: Node, dataflow: str) -> Any:
    from sdmxnode.services.checks.aggregates import find_check_target

    parts = dataflow.split(",")
    if len(parts) not in (2, 3):
        raise click.BadParameter("use AGENCY,ID or AGENCY,ID,VERSION", param_hint="DATAFLOW")
    return find_check_target(node, parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def _print_report(output: str, head: dict, columns: Any, records: Any) -> None:
    from sdmxnode.formats.reports.checks import write_report

    for chunk in write_report(output, head, columns, records):
        click.echo(chunk.decode(), nl=False)


_REPORT_FORMAT = click.option(
    "--format",
    "output",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="How the report is printed.",
)


@check.command("aggregates")
@click.argument("dataflow")
@click.option("--tolerance", default=None, help="Relative tolerance (default: the setting).")
@click.option("--start-period", default=None, help="First period (SDMX-REST syntax).")
@click.option("--end-period", default=None, help="Last period (SDMX-REST syntax).")
@click.option("--area", "areas", multiple=True, help="Only these aggregate codes (repeatable).")
@click.option("--mismatches", is_flag=True, help="Print only the aggregates that disagree.")
@_REPORT_FORMAT
def check_aggregates(
    dataflow: str,
    tolerance: str | None,
    start_period: str | None,
    end_period: str | None,
    areas: tuple[str, ...],
    mismatches: bool,
    output: str,
) -> None:
    """Each aggregate of AGENCY,ID[,VERSION] against the sum of its members.

    Exit status 1 when an aggregate differs from its members' sum by more than the tolerance.
    """
    from sdmxnode.services.checks.aggregates import (
        check_stored_aggregates,
        parse_tolerance,
        period_selection,
    )
    from sdmxnode.validation.aggregates import AGGREGATE_COLUMNS, MISMATCH

    node = _node()
    found = {"mismatch": False}
    try:
        target = _check_target(node, dataflow)
        share = parse_tolerance(tolerance, float(node.settings["AGGREGATE_TOLERANCE"]))
        comparisons = check_stored_aggregates(
            node,
            target,
            tolerance=share,
            selection=period_selection(start_period, end_period),
            areas=frozenset(areas) if areas else None,
        )

        def records() -> Iterator[dict]:
            for comparison in comparisons:
                if comparison.status == MISMATCH:
                    found["mismatch"] = True
                elif mismatches:
                    continue
                yield comparison.to_record()

        head = {"check": "aggregates", "dataflow": target.name, "tolerance": share}
        _print_report(output, head, AGGREGATE_COLUMNS, records())
    except SdmxNodeError as exc:
        raise click.ClickException(exc.text) from exc
    sys.exit(1 if found["mismatch"] else 0)


@check.command("mirror")
@click.argument("dataflow")
@click.option("--country", default=None, help="Only the corridors of this country.")
@click.option("--start-period", default=None, help="First period (SDMX-REST syntax).")
@click.option("--end-period", default=None, help="Last period (SDMX-REST syntax).")
@_REPORT_FORMAT
def check_mirror(
    dataflow: str,
    country: str | None,
    start_period: str | None,
    end_period: str | None,
    output: str,
) -> None:
    """Each bilateral flow of AGENCY,ID[,VERSION] as its destination and origin report it."""
    from sdmxnode.services.checks.aggregates import period_selection
    from sdmxnode.services.checks.mirror import MIRROR_COLUMNS, mirror_pairs, mirror_roles

    node = _node()
    try:
        target = _check_target(node, dataflow)
        mirror_roles(target)
        pairs = mirror_pairs(
            node, target, selection=period_selection(start_period, end_period), country=country
        )
        head = {"check": "mirror", "dataflow": target.name}
        _print_report(output, head, MIRROR_COLUMNS, (p.to_record() for p in pairs))
    except SdmxNodeError as exc:
        raise click.ClickException(exc.text) from exc


@main.command("settings")
def show_settings() -> None:
    """List every setting: environment variable, current value and what it is for."""
    values = load_settings()
    for setting in SETTINGS:
        click.echo(f"{setting.env}={values[setting.name]}\n    {setting.help}")


main.add_command(token)
main.add_command(audit)
main.add_command(harvest)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
