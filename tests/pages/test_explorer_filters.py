"""The explorer's filters: several codes per dimension, and options narrowed to the codes
that have data with the other dimensions' choices (expected codes read with lxml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.app import create_app
from tests.conftest import fresh_database, initialise_from_template
from tests.pages.conftest import DEMO_DATA, WORLD, fixture_series, html_of

EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"


def _areas(path: Path = DEMO_DATA) -> list[str]:
    """The REF_AREA codes of a data file, in file order."""
    return list(dict.fromkeys(s["attributes"]["REF_AREA"] for s in fixture_series(path)))


#: Areas of the narrowed copy: two keep only their total (no M or F series), one only F.
TOTAL_ONLY = _areas()[1:3]
FEMALE_ONLY = _areas()[3]


@pytest.fixture(scope="module")
def narrowed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo data where some areas lack some sexes."""
    folder = tmp_path_factory.mktemp("narrowed-data")
    tree = etree.parse(str(DEMO_DATA))
    for series in list(tree.iter("Series")):
        area, sex = series.get("REF_AREA"), series.get("SEX")
        if (area in TOTAL_ONLY and sex != "_T") or (area == FEMALE_ONLY and sex != "F"):
            series.getparent().remove(series)
    path = folder / "narrowed.xml"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


@pytest.fixture(scope="module")
def narrowed_app(narrowed_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A node holding the project's structures and the narrowed copy of the demo data."""
    url = fresh_database(tmp_path_factory.mktemp("narrowed-node"))
    application = create_app(
        {"DATABASE_URL": url, "TESTING": True, "DEMO_DATA": str(narrowed_file.parent)}
    )
    initialise_from_template(application.extensions["sdmxnode"])
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def narrowed_client(narrowed_app: Flask) -> FlaskClient:
    return narrowed_app.test_client()


def _codes_with(path: Path, dimension: str, **chosen: str) -> set[str]:
    """The codes of `dimension` among the file's series matching every `chosen` code."""
    return {
        s["attributes"][dimension]
        for s in fixture_series(path)
        if all(s["attributes"][d] == code for d, code in chosen.items())
    }


def _options(page, dimension: str) -> dict[str, bool]:
    """A filter's option codes (without "All") -> selected."""
    return {
        o.get("value"): o.get("selected") is not None
        for o in page.xpath(f"//select[@id='f-{dimension}']/option")
        if o.get("value")
    }


def _table(page) -> dict[str, dict[str, float]]:
    return {
        tr.get("data-series"): {
            td.get("data-period"): float(td.get("data-value"))
            for td in tr.iter("td")
            if td.get("data-period")
        }
        for tr in page.xpath("//table[@id='data-table']/tbody/tr")
    }


def _expected_series(path: Path, **chosen: set[str]) -> dict[str, dict[str, float]]:
    """Series key (FREQ.REF_AREA.MEASURE...) -> values, of the file's series in `chosen`."""
    order = ("FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE")
    found = {}
    for series in fixture_series(path):
        attributes = series["attributes"]
        if all(attributes[d] in codes for d, codes in chosen.items()):
            key = ".".join(attributes[d] for d in (*order, "EDUCATION_LEV"))
            found[key] = {p: float(v) for p, v in series["observations"].items()}
    return found


def test_the_filters_are_labelled_multiple_selects(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get(f"{EXPLORE}?key=A.{WORLD}.STOCK.FB._T._T._T._T"))
    selects = page.xpath("//form[@id='filters']//select[starts-with(@name, 'dim.')]")
    assert selects
    labels = {label.get("for") for label in page.iter("label")}
    for select in selects:
        assert select.get("multiple") is not None
        assert select.get("id") in labels
        assert select.get("aria-describedby") == "filters-help"
        assert select.xpath("option[1]")[0].get("value") == ""  # "All"
    # the other lists ("members of a region") are labelled single choices, none by default
    others = page.xpath("//form[@id='filters']//select[not(starts-with(@name, 'dim.'))]")
    for select in others:
        assert select.get("multiple") is None and select.get("id") in labels
        assert select.xpath("option[1]")[0].get("value") == ""
    assert page.get_element_by_id("filters-help").text_content().strip()


def test_sex_options_are_those_of_the_chosen_area(
    narrowed_client: FlaskClient, narrowed_file: Path
) -> None:
    for area in (WORLD, *TOTAL_ONLY, FEMALE_ONLY):
        page = html_of(narrowed_client.get(f"{EXPLORE}?key=A.{area}.STOCK.FB._T.._T._T"))
        expected = _codes_with(narrowed_file, "SEX", REF_AREA=area)
        assert set(_options(page, "SEX")) == expected, area
        assert _table(page) == _expected_series(narrowed_file, REF_AREA={area})
    assert _codes_with(narrowed_file, "SEX", REF_AREA=TOTAL_ONLY[0]) == {"_T"}  # narrowed


def test_area_options_are_those_with_the_chosen_sex(
    narrowed_client: FlaskClient, narrowed_file: Path
) -> None:
    page = html_of(narrowed_client.get(f"{EXPLORE}?key=A..STOCK.FB._T.M._T._T"))
    expected = _codes_with(narrowed_file, "REF_AREA", SEX="M")
    assert set(_options(page, "REF_AREA")) == expected
    assert not set(TOTAL_ONLY) & expected and FEMALE_ONLY not in expected
    # the chosen dimension's own options stay open to the codes the others allow
    assert set(_options(page, "SEX")) == _codes_with(narrowed_file, "SEX")


def test_a_choice_without_data_is_kept_and_said(
    narrowed_client: FlaskClient, narrowed_file: Path
) -> None:
    area = TOTAL_ONLY[0]
    response = narrowed_client.get(f"{EXPLORE}?key=A.{area}.STOCK.FB._T.M._T._T")
    assert response.status_code == 200
    page = html_of(response)
    sex = _options(page, "SEX")
    assert set(sex) == _codes_with(narrowed_file, "SEX", REF_AREA=area) | {"M"}
    assert [code for code, selected in sex.items() if selected] == ["M"]
    option = page.xpath("//select[@id='f-SEX']/option[@value='M']")[0]
    assert "no data with the other choices" in option.text_content()
    areas = _options(page, "REF_AREA")
    assert set(areas) == _codes_with(narrowed_file, "REF_AREA", SEX="M") | {area}
    notice = page.get_element_by_id("no-data").text_content()
    assert "No data matches" in notice and "Sex" in notice
    assert _table(page) == {}


def test_one_of_several_codes_without_data_is_named(
    narrowed_client: FlaskClient, narrowed_file: Path
) -> None:
    area = TOTAL_ONLY[1]
    page = html_of(narrowed_client.get(f"{EXPLORE}?key=A.{WORLD}%2B{area}.STOCK.FB._T.M._T._T"))
    assert _table(page) == _expected_series(narrowed_file, REF_AREA={WORLD, area}, SEX={"M"})
    assert len(_table(page)) == 1
    notices = page.xpath("//p[contains(@class, 'without-data')]")
    assert [n.get("data-dimension") for n in notices] == ["REF_AREA"]
    assert area in notices[0].text_content()


def test_several_codes_make_a_plus_key_and_a_table(migration_client: FlaskClient) -> None:
    areas = _areas()[:3]
    fields = "&".join(f"dim.REF_AREA={a}" for a in areas)
    response = migration_client.get(
        f"{EXPLORE}?dim.FREQ=&{fields}&dim.SEX=&dim.SEX=M&dim.SEX=F&lang=en"
    )
    assert response.status_code == 303
    location = unquote(response.headers["Location"])
    assert f"key=.{'+'.join(areas)}....M+F.." in location  # "All" among codes: the codes
    page = html_of(migration_client.get(response.headers["Location"]))
    assert _table(page) == _expected_series(DEMO_DATA, REF_AREA=set(areas), SEX={"M", "F"})
    assert len(_table(page)) == 6
    chosen = _options(page, "REF_AREA")
    assert {code for code, selected in chosen.items() if selected} == set(areas)
    assert page.xpath("//select[@id='f-FREQ']/option[@value='' and @selected]")


def test_all_alone_leaves_the_key_position_empty(migration_client: FlaskClient) -> None:
    response = migration_client.get(f"{EXPLORE}?dim.REF_AREA=&dim.SEX=_T")
    assert response.status_code == 303
    assert "key=....._T.." in unquote(response.headers["Location"])
