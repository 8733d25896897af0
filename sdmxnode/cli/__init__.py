"""The `sdmxnode` command: the group and its commands, one module per command family.

Each command's module is imported when that command runs (or when help lists it), so that
`sdmxnode validate` starts without the store, sdmx1 and pandas that other commands need.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from sdmxnode.config import load_settings

#: Command name -> "module:attribute" of its click command, in the order help lists them.
COMMANDS = {
    "init": "sdmxnode.cli.serve:init",
    "load": "sdmxnode.cli.data:load",
    "validate": "sdmxnode.cli.data:validate",
    "serve": "sdmxnode.cli.serve:serve",
    "check": "sdmxnode.cli.checks:check",
    "settings": "sdmxnode.cli.serve:show_settings",
    "token": "sdmxnode.cli.access:token",
    "audit": "sdmxnode.cli.access:audit",
    "harvest": "sdmxnode.cli.harvest:harvest",
    "registrations": "sdmxnode.cli.registrations:registrations",
    "notifications": "sdmxnode.cli.notifications:notifications",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The command names, without importing them."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command `cmd_name`, its module imported now; None for an unknown name."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, help="sdmxnode: an SDMX node for international-migration statistics.")
@click.option("--log-level", default=None, help="Logging level (default: SDMXNODE_LOG_LEVEL).")
def main(log_level: str | None) -> None:
    """Set up logging for the chosen command."""
    level = (log_level or load_settings().log_level).upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
