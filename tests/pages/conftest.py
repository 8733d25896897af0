"""Fixtures for the page tests: the demo fixture's figures, read independently with lxml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest
import sdmx
from lxml import etree
from werkzeug.test import TestResponse

from tests.conftest import PROJECT_ROOT
from tests.providers.conftest import (  # noqa: F401  (fixtures of the providers page)
    desa_token,
    nso_token,
    providers_app,
    providers_node,
    two_providers,
)

DEMO_DATA = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
WORLD = "1"  # CL_AREA's code for the world (M49)


def fixture_series(path: Path = DEMO_DATA) -> list[dict]:
    """Each Series element of a structure-specific message: its attributes and observations."""
    found = []
    for series in etree.parse(str(path)).iter("Series"):
        found.append(
            {
                "attributes": dict(series.attrib),
                "observations": {o.get("TIME_PERIOD"): o.get("OBS_VALUE") for o in series},
            }
        )
    return found


@pytest.fixture(scope="session")
def world_total() -> dict[str, float]:
    """World migrant stock, both sexes, by period, as the fixture file gives it."""
    for series in fixture_series():
        attributes = series["attributes"]
        if attributes["REF_AREA"] == WORLD and attributes["SEX"] == "_T":
            return {period: float(value) for period, value in series["observations"].items()}
    raise AssertionError("the demo fixture has no world series")


def html_of(response: TestResponse) -> lxml.html.HtmlElement:
    """The parsed page, after checking it is HTML."""
    assert response.headers["Content-Type"].startswith("text/html"), response.headers
    return lxml.html.fromstring(response.get_data(as_text=True))


def assert_accessible_basics(page: lxml.html.HtmlElement) -> None:
    """A title, one h1, a language, and a label for every visible form control."""
    assert page.findtext(".//title").strip()
    assert len(page.findall(".//h1")) == 1
    assert page.get("lang")
    labelled = {label.get("for") for label in page.iter("label")}
    for control in page.xpath(".//input[not(@type='hidden')] | .//select | .//textarea"):
        assert control.get("id") in labelled or control.get("aria-label"), lxml.html.tostring(
            control
        )


#: The project's area code list, read by the tests independently of the node.
AREA_FILE = PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"


@pytest.fixture(scope="module")
def areas() -> Any:
    """IMDX:CL_AREA as sdmx1 reads it from the project's file."""
    return sdmx.read_sdmx(AREA_FILE).codelist["CL_AREA"]


@pytest.fixture(scope="module")
def kenya(areas: Any) -> Any:
    """The code of CL_AREA whose English name is Kenya."""
    return next(c for c in areas.items.values() if str(c.name.localizations["en"]) == "Kenya")
