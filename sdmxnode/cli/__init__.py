"""The `sdmxnode` command: the group and its commands, one module per command family."""

from __future__ import annotations

import logging
import sys

import click

from sdmxnode.cli.access import audit, token
from sdmxnode.cli.checks import check
from sdmxnode.cli.data import load, validate
from sdmxnode.cli.harvest import harvest
from sdmxnode.cli.serve import init, serve, show_settings
from sdmxnode.config import load_settings


@click.group(help="sdmxnode: an SDMX node for international-migration statistics.")
@click.option("--log-level", default=None, help="Logging level (default: SDMXNODE_LOG_LEVEL).")
def main(log_level: str | None) -> None:
    """Set up logging for the chosen command."""
    level = (log_level or load_settings().log_level).upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


for command in (init, load, validate, serve, check, show_settings, token, audit, harvest):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
