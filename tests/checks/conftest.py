"""Fixtures for the comparability checks: a node with the demo data and the bilateral flows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from sdmxnode.services.node import Node
from tests.conftest import BILATERAL_FLOWS, PROJECT_ROOT, bilateral_app, fresh_database

FLOWS = BILATERAL_FLOWS
DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def checks_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database(tmp_path_factory.mktemp("checks"))


@pytest.fixture(scope="module")
def checks_app(checks_url: str) -> Iterator[Flask]:
    """A node holding the project's structures, the demo data and the bilateral flows."""
    application = bilateral_app(checks_url)
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def checks_node(checks_app: Flask) -> Node:
    return checks_app.extensions["sdmxnode"]


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (the UN DESA workbook export); tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"../shared/data is absent ({SHARED_DATA}): the UN DESA source is not available"
        )
    return SHARED_DATA


def altered_demo(tmp_path: Path, area: str, year: str, delta: int) -> Path:
    """A copy of the demo message with `area`'s both-sexes figure for `year` changed."""
    from lxml import etree

    tree = etree.parse(str(DEMO))
    changed = 0
    for series in tree.iter("{*}Series"):
        if series.get("REF_AREA") == area and series.get("SEX") == "_T":
            for obs in series.iter("{*}Obs"):
                if obs.get("TIME_PERIOD") == year:
                    obs.set("OBS_VALUE", str(int(obs.get("OBS_VALUE")) + delta))
                    changed += 1
    assert changed == 1
    path = tmp_path / "altered.xml"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path
