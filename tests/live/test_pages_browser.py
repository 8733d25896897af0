"""The pages in a real headless Chromium (Debian's, driven by Playwright) against a live node:
no console errors, the explorer's chart and table, filters, the validation form, the
accessibility tree and keyboard focus; screenshots go to screenshots/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from tests.conftest import PROJECT_ROOT, fresh_database
from tests.live.browser import SCREENSHOTS, launch, require_browser, watch_problems
from tests.live.conftest import LiveNode, start_node
from tests.pages.conftest import WORLD, fixture_series

UNKNOWN_CODE_FILE = PROJECT_ROOT / "fixtures" / "invalid" / "unknown-code.xml"
WORLD_KEY = f"A.{WORLD}.STOCK.FB._T._T._T._T"
PAGES = {
    "home": "/",
    "dataflow": "/dataflow/IMDX/DF_MIG_STOCK_IMS",
    "explore": f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WORLD_KEY}",
    "codelist": "/codelist/IMDX/CL_AREA",
    "compare": "/compare/IMDX/DF_MIG_STOCK_IMS",
    "validate": "/validate",
}

pytestmark = pytest.mark.live

sync_api = require_browser()


@pytest.fixture(scope="module")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    """A node as the quick start runs it: the project's structures and the demo data."""
    folder = tmp_path_factory.mktemp("pages-node")
    yield from start_node(fresh_database(folder), None, folder / "node.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def expected_problems() -> list[str]:
    """What a test expects among its page's problems (e.g. the 422 of an invalid upload)."""
    return []


@pytest.fixture
def page(browser, live_node: LiveNode, expected_problems: list[str]) -> Iterator[object]:
    """A fresh page whose console errors, uncaught exceptions (Content-Security-Policy
    violations among them) and HTTP errors fail the test, unless the test expects them."""
    context = browser.new_context(base_url=live_node.url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems = watch_problems(page)
    yield page
    context.close()
    unexpected = [p for p in problems if not any(e in p for e in expected_problems)]
    assert unexpected == [], unexpected


def _wait_for_series(page, count: int) -> None:
    """Until the chart shows `count` series (a locator: string predicates would need the
    eval that the pages' Content-Security-Policy forbids)."""
    sync_api.expect(page.locator("#chart svg g.series")).to_have_count(count, timeout=30_000)


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _world_total() -> dict[str, float]:
    for series in fixture_series():
        attributes = series["attributes"]
        if attributes["REF_AREA"] == WORLD and attributes["SEX"] == "_T":
            return {p: float(v) for p, v in series["observations"].items()}
    raise AssertionError("no world series in the fixture")


def _chart_points(page) -> dict[str, dict[str, float]]:
    """Series key -> period -> value, from the data attributes of the SVG chart."""
    found: dict[str, dict[str, float]] = {}
    for group in page.locator("#chart svg g.series").all():
        key = group.get_attribute("data-series")
        found[key] = {
            dot.get_attribute("data-period"): float(dot.get_attribute("data-value"))
            for dot in group.locator("circle").all()
        }
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_and_is_accessible(page, name: str) -> None:
    response = page.goto(PAGES[name])
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.title().strip()
    tree = page.locator("body").aria_snapshot()
    assert "- heading" in tree and "[level=1]" in tree
    assert "- main" in tree and "- navigation" in tree
    # every form control has an accessible name (its label)
    for control in page.locator("main select, main input:not([type=hidden])").all():
        control_id = control.get_attribute("id")
        assert control_id and page.locator(f"label[for='{control_id}']").count() == 1, control_id
    for role in ("combobox", "searchbox", "textbox"):
        for line in tree.splitlines():
            if line.strip().startswith(f"- {role}"):
                assert '"' in line, line  # a name is given
    # keyboard: the first Tab reaches the skip link, which moves focus into main
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside_main
    _screenshot(page, name)


def test_explorer_charts_the_world_migrant_stock(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    expected = _world_total()
    assert _chart_points(page) == {WORLD_KEY: expected}
    assert page.locator("#chart svg circle").count() == len(expected) == 7
    cells = page.locator("#data-table tbody td[data-period]")
    table = {
        c.get_attribute("data-period"): float(c.get_attribute("data-value")) for c in cells.all()
    }
    assert table == expected


def test_a_filter_change_updates_table_and_chart(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    page.select_option("#f-SEX", "")  # all sexes: both, male, female
    _wait_for_series(page, 3)
    chart = _chart_points(page)
    expected = {}
    for series in fixture_series():
        attributes = series["attributes"]
        if attributes["REF_AREA"] == WORLD:
            key = f"A.{WORLD}.STOCK.FB._T.{attributes['SEX']}._T._T"
            expected[key] = {p: float(v) for p, v in series["observations"].items()}
    assert chart == expected
    rows = page.locator("#data-table tbody tr")
    assert {r.get_attribute("data-series") for r in rows.all()} == set(expected)
    assert f"key=A.{WORLD}.STOCK.FB._T.._T._T" in unquote(page.url)
    _screenshot(page, "explore-by-sex")


def _total_series(areas: list[str]) -> dict[str, dict[str, float]]:
    """Key -> values of the fixture's both-sexes series of `areas`."""
    return {
        f"A.{s['attributes']['REF_AREA']}.STOCK.FB._T._T._T._T": {
            p: float(v) for p, v in s["observations"].items()
        }
        for s in fixture_series()
        if s["attributes"]["REF_AREA"] in areas and s["attributes"]["SEX"] == "_T"
    }


def test_two_areas_chart_two_series(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    areas = list(dict.fromkeys(s["attributes"]["REF_AREA"] for s in fixture_series()))[:2]
    page.select_option("#f-REF_AREA", areas)
    _wait_for_series(page, 2)
    assert _chart_points(page) == _total_series(areas)
    assert f"key=A.{'+'.join(areas)}.STOCK.FB._T._T._T._T" in unquote(page.url)
    _screenshot(page, "explore-two-areas")


def test_keyboard_extends_a_filter_to_a_second_code(page) -> None:
    page.goto(PAGES["explore"])
    page.wait_for_selector("#chart svg circle")
    index, count = page.eval_on_selector("#f-SEX", "s => [s.selectedIndex, s.options.length]")
    assert 0 < index  # one sex is chosen: extend to its neighbour that is a code, not "All"
    page.focus("#f-SEX")
    page.keyboard.press("Shift+ArrowUp" if index == count - 1 else "Shift+ArrowDown")
    _wait_for_series(page, 2)
    chosen = page.eval_on_selector("#f-SEX", "s => Array.from(s.selectedOptions, o => o.value)")
    assert len(chosen) == 2 and "" not in chosen
    keys = {k.split(".")[5] for k in _chart_points(page)}
    assert keys == set(chosen)


def test_the_validation_page_reports_a_known_bad_file(page, expected_problems: list[str]) -> None:
    # the page has the status of the verdict, which the browser reports as a failed load
    expected_problems += ["422 ", "status of 422"]
    page.goto(PAGES["validate"])
    page.set_input_files("#file", str(UNKNOWN_CODE_FILE))
    page.get_by_role("button", name="Validate").click()
    page.wait_for_selector("#report")
    assert page.locator("#report").get_attribute("data-valid") == "false"
    assert page.locator("code.finding-code").all_inner_texts() == ["UNKNOWN_CODE"]
    _screenshot(page, "validate-report")


def test_screenshots_folder_is_ignored_by_git() -> None:
    assert "/screenshots/" in (PROJECT_ROOT / ".gitignore").read_text().splitlines()


# --- #21 points 3 and 10: units, flags, honest counts, chart export, order, snippets
WOMEN_KEY = "A.FRA+DEU+ITA.STOCK.FB._T.F._T._T"


def _women_series() -> list[dict]:
    """The fixture's Series elements of the France/Germany/Italy women selection."""
    return [
        s
        for s in fixture_series()
        if s["attributes"]["REF_AREA"] in ("FRA", "DEU", "ITA") and s["attributes"]["SEX"] == "F"
    ]


def _fixture_flags(path=None) -> dict[tuple[str, str], str]:
    """(area, period) -> OBS_STATUS of the women selection, read from the fixture's XML."""
    from lxml import etree

    from tests.pages.conftest import DEMO_DATA

    found = {}
    for series in etree.parse(str(path or DEMO_DATA)).iter("Series"):
        if series.get("SEX") == "F" and series.get("REF_AREA") in ("FRA", "DEU", "ITA"):
            for obs in series:
                found[(series.get("REF_AREA"), obs.get("TIME_PERIOD"))] = obs.get("OBS_STATUS")
    return found


def test_women_chart_shows_unit_and_flag_legend(page) -> None:
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    (unit,) = {s["attributes"]["UNIT_MEASURE"] for s in _women_series()}
    shown_unit = page.locator("#units [data-unit]")
    assert shown_unit.get_attribute("data-unit") == unit
    unit_name = shown_unit.inner_text().strip()
    assert page.locator("#chart svg text.unit").text_content().startswith(unit_name)
    assert unit_name in page.locator("#chart-caption").inner_text()
    flags = _fixture_flags()
    dots = {
        (g.get_attribute("data-series").split(".")[1], d.get_attribute("data-period")): (
            d.get_attribute("data-flag")
        )
        for g in page.locator("#chart svg g.series").all()
        for d in g.locator("circle").all()
    }
    assert dots == flags
    legend = page.locator("#flag-legend [data-flag]")
    assert {d.get_attribute("data-flag") for d in legend.all()} == set(flags.values())
    assert page.locator("#flag-legend").is_visible()
    _screenshot(page, "explore-women-units-flags")


def test_counts_say_what_the_chart_and_table_show(page) -> None:
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WORLD_KEY}")
    page.wait_for_selector("#chart svg circle")
    page.select_option("#f-REF_AREA", "")  # every area
    _wait_for_series(page, 10)
    total = len(
        {s["attributes"]["REF_AREA"] for s in fixture_series() if s["attributes"]["SEX"] == "_T"}
    )
    text = " ".join(page.locator("#counts").inner_text().split())
    assert f"Showing 10 of {total} series in the chart, 40 of {total} series in the table" in text
    assert page.locator("#data-table tbody tr").count() == 40


def test_chart_exports_as_svg_and_png(page) -> None:
    from lxml import etree

    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    sync_api.expect(page.locator("#chart-export")).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        page.locator("#export-svg").click()
    download = info.value
    assert download.suggested_filename.endswith(".svg")
    svg = etree.parse(download.path()).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) == 3
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert page.locator("#chart-caption").inner_text().strip() in texts
    for label in ("France", "Germany", "Italy"):
        assert label in texts
    with page.expect_download() as info:
        page.locator("#export-png").click()
    png = info.value
    assert png.suggested_filename.endswith(".png")
    with open(png.path(), "rb") as file:
        head = file.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") > 800  # drawn at twice the chart's width


def test_sort_control_reorders_the_table(page) -> None:
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    page.select_option("#sort", "name")
    sync_api.expect(page.locator("#sort")).to_have_value("name", timeout=30_000)
    page.wait_for_url("**sort=name**", timeout=30_000)
    labels = [
        th.inner_text().split(" A.")[0].strip() for th in page.locator("#data-table tbody th").all()
    ]
    assert labels == sorted(labels, key=str.casefold) and len(labels) == 3


def test_rest_url_and_snippets_are_copyable(page, live_node: LiveNode) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_node.url)
    page.goto(f"/explore/IMDX/DF_MIG_STOCK_IMS?key={WOMEN_KEY}")
    _wait_for_series(page, 3)
    rest_url = page.locator("#rest-url").input_value()
    page.get_by_role("button", name="Copy the URL").click()
    sync_api.expect(page.locator(".copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == rest_url
    snippets = page.locator(".snippet")
    assert {s.get_attribute("data-snippet") for s in snippets.all()} == {
        "sdmx1",
        "pysdmx",
        "pandas",
        "rsdmx",
        "curl",
    }
    curl = page.locator(".snippet[data-snippet='curl']")
    curl.get_by_role("button", name="Copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == curl.locator("pre").inner_text()
    assert rest_url in copied
