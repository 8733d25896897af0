"""Shared set-up of the bilateral-data tests: the 2017 table and a node holding its data."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from sdmxnode.app import create_app
from sdmxnode.authoring.ims2017 import SOURCE_FILE
from sdmxnode.services.setup import initialise_node
from tests.conftest import DEMO_DATA_2019, PROJECT_ROOT, SHARED, fresh_database

IMS2017_CSV = SHARED / "data" / "ims2017" / SOURCE_FILE
IMS2017_DATA = PROJECT_ROOT / "fixtures" / "ims2017"


@pytest.fixture(scope="module")
def ims2017_table() -> list[list[str]]:
    """The rows of the source table, read with the csv module alone (header first)."""
    if not IMS2017_CSV.is_file():
        pytest.skip(f"../shared/data/ims2017 is absent ({IMS2017_CSV}): no source table")
    with IMS2017_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return [line for line in csv.reader(handle) if len(line) > 1 and line[1].strip()]


@pytest.fixture(scope="module")
def ims2017_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A node set up as `sdmxnode init` does by default: structures, the 2019 demo data and
    the 2017 origin-by-destination data."""
    url = fresh_database(tmp_path_factory.mktemp("ims2017"))
    demo = f"{DEMO_DATA_2019}{os.pathsep}{IMS2017_DATA}"
    application = create_app({"DATABASE_URL": url, "TESTING": True, "DEMO_DATA": demo})
    initialise_node(application.extensions["sdmxnode"])
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


def table_path(tmp_path: Path, lines: list[list[str]]) -> Path:
    """A table in the source's layout, written to `tmp_path`."""
    path = tmp_path / SOURCE_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    return path
