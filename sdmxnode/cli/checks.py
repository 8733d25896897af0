"""`sdmxnode check aggregates` and `sdmxnode check mirror`: the comparability checks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import click

from sdmxnode.cli.serve import open_node
from sdmxnode.errors import SdmxNodeError
from sdmxnode.services.node import Node


@click.group()
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

    node = open_node()
    found = {"mismatch": False}
    try:
        target = _check_target(node, dataflow)
        share = parse_tolerance(tolerance, node.settings.aggregate_tolerance)
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

    node = open_node()
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
