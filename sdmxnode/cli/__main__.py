"""Run the `sdmxnode` command as `python -m sdmxnode.cli`."""

from sdmxnode.cli import main

main()
