"""The mirror-statistics page in a real headless Chromium against a live node holding the
bilateral fixture: no console errors, one chart point per reported value of the chosen
country (read from the fixture CSV), the chart switch, the accessibility tree and labels."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest

from tests.conftest import BILATERAL_FLOWS, bilateral_app, fresh_database
from tests.live.browser import SCREENSHOTS, launch, require_browser, watch_problems
from tests.live.conftest import LiveNode, start_node

pytestmark = pytest.mark.live

sync_api = require_browser()

FLOWS = BILATERAL_FLOWS
MIRROR = "/mirror/IMDX/DF_MIG_FLOWS"
COUNTRY = "DEU"


@pytest.fixture(scope="module")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    """A node with the project's structures, the demo data and the bilateral flows (loaded
    before it starts; its own start-up initialisation then changes nothing)."""
    folder = tmp_path_factory.mktemp("mirror-node")
    url = fresh_database(folder)
    bilateral_app(url).extensions["sdmxnode"].store.engine.dispose()
    yield from start_node(url, None, folder / "node.log")


@pytest.fixture(scope="module")
def page(live_node: LiveNode) -> Iterator[object]:
    """One headless Chromium page for the module; console errors, uncaught exceptions and
    failed requests fail the module's last test (checked at teardown)."""
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        context = chromium.new_context(
            base_url=live_node.url, viewport={"width": 1200, "height": 900}
        )
        page = context.new_page()
        problems = watch_problems(page)
        yield page
        chromium.close()
    assert problems == [], problems


def _reported(country: str) -> dict[tuple[str, str, str, str], float]:
    """(partner, inflow|outflow, immigration|emigration, period) -> value, from the CSV:
    every report of a flow between `country` and another country."""
    found = {}
    with FLOWS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            reporter, partner = row["REF_AREA"], row["PREV_NEXT_RES"]
            if partner == "_T" or country not in (reporter, partner):
                continue
            immigration = row["FLOW_TYPE"] == "IMM"
            destination = reporter if immigration else partner
            other = partner if reporter == country else reporter
            direction = "inflow" if destination == country else "outflow"
            side = "immigration" if immigration else "emigration"
            found[(other, direction, side, row["TIME_PERIOD"])] = float(row["OBS_VALUE"])
    return found


def _points(page) -> dict[tuple[str, str, str, str], float]:
    found = {}
    for dot in page.locator("#mirror-chart svg circle").all():
        key = tuple(
            dot.get_attribute(f"data-{name}") for name in ("partner", "direction", "side", "period")
        )
        assert key not in found, key
        found[key] = float(dot.get_attribute("data-value"))
    return found


def test_chart_has_one_point_per_reported_value(page) -> None:
    response = page.goto(f"{MIRROR}?country={COUNTRY}")
    assert response is not None and response.status == 200
    page.wait_for_selector("#mirror-chart svg circle")
    expected = _reported(COUNTRY)
    assert _points(page) == expected
    assert page.locator("#mirror-chart svg circle").count() == len(expected)
    partners = {key[0] for key in expected}
    assert page.locator("#mirror-chart svg[data-partner]").count() == 2 * len(partners)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mirror.png"), full_page=False)


def test_the_chart_switches_to_the_difference(page) -> None:
    page.goto(f"{MIRROR}?country={COUNTRY}")
    page.wait_for_selector("#mirror-chart svg circle")
    page.select_option("#chart-mode", "difference")
    sync_api.expect(page.locator("#mirror-chart")).to_have_attribute(
        "data-mode", "difference", timeout=30_000
    )  # a locator: a string predicate would need the eval the page's CSP forbids
    reported = _reported(COUNTRY)
    expected = {
        (partner, direction, "difference", period): value
        - reported[(partner, direction, "emigration", period)]
        for (partner, direction, side, period), value in reported.items()
        if side == "immigration" and (partner, direction, "emigration", period) in reported
    }
    assert _points(page) == expected
    assert "chart=difference" in page.url


def test_page_is_accessible(page) -> None:
    page.goto(f"{MIRROR}?country={COUNTRY}")
    page.wait_for_load_state("networkidle")
    assert "Mirror statistics" in page.title()
    tree = page.locator("body").aria_snapshot()
    assert "- heading" in tree and "[level=1]" in tree
    assert "- main" in tree and "- navigation" in tree and "- table" in tree
    for control in page.locator("main select, main input:not([type=hidden])").all():
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f"label[for='{control_id}']").count() == 1, control_id
    for line in tree.splitlines():
        if line.strip().startswith("- combobox"):
            assert '"' in line, line  # a name is given
    # every chart panel is an image with a name
    for svg in page.locator("#mirror-chart svg").all():
        assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label")
    # the chooser: every country links to its page
    page.goto(MIRROR)
    page.get_by_role("link", name="Spain").click()
    page.wait_for_selector("#mirror-chart svg circle")
    assert "country=ESP" in page.url
