"""The explorer's filters as trees: options indented under their parents, a region's members
in one choice, and the warning about an aggregate chosen with its members (expected
parents, members and codes read with lxml from the code list and the demo data)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.services.pages.explorer.hierarchy import (
    aggregates_with_members,
    members_with_data,
    tree_options,
)
from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import DEMO_DATA, WORLD, fixture_series, html_of

EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"
ALL_AREAS = "A..STOCK.FB._T._T._T._T"
CL_AREA = PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml"
STRUCTURE = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
COMMON = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
EASTERN_AFRICA = "14"
AMERICAS = "19"  # an M49 region the demo data lack, though it has sub-regions with data
CENTRAL_AND_SOUTHERN_ASIA = "62"  # an SDG grouping: MEMBERS annotation, not a parent


def read_codelist(path: Path = CL_AREA) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The code list's parents (code -> parent) and MEMBERS groupings (code -> members)."""
    parents: dict[str, str] = {}
    groupings: dict[str, list[str]] = {}
    for code in etree.parse(str(path)).iter(f"{STRUCTURE}Code"):
        parent = code.find(f"{STRUCTURE}Parent/Ref")
        if parent is not None:
            parents[code.get("id")] = parent.get("id")
        for annotation in code.iter(f"{COMMON}Annotation"):
            if annotation.findtext(f"{COMMON}AnnotationType") == "MEMBERS":
                groupings[code.get("id")] = annotation.findtext(f"{COMMON}AnnotationText").split()
    return parents, groupings


def _children(parents: dict[str, str], groupings: dict[str, list[str]]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for code, parent in parents.items():
        children.setdefault(parent, set()).add(code)
    for code, members in groupings.items():
        children.setdefault(code, set()).update(members)
    return children


def _members_with_data(children: dict[str, set[str]], code: str, data: set[str]) -> set[str]:
    """The children of `code` with data, a child without data replaced by its own."""
    found: set[str] = set()
    for child in children.get(code, set()):
        found |= {child} if child in data else _members_with_data(children, child, data)
    return found


@pytest.fixture(scope="module")
def areas_with_data() -> set[str]:
    return {s["attributes"]["REF_AREA"] for s in fixture_series(DEMO_DATA)}


def _area_options(page) -> list:
    return [o for o in page.xpath("//select[@id='f-REF_AREA']/option") if o.get("value")]


def _ancestors(code: str, parents: dict[str, str]) -> list[str]:
    found = []
    while code in parents and parents[code] not in found:
        code = parents[code]
        found.append(code)
    return found


def test_area_options_are_indented_under_their_parents(
    migration_client: FlaskClient, areas_with_data: set[str]
) -> None:
    parents, _ = read_codelist()
    options = _area_options(html_of(migration_client.get(f"{EXPLORE}?key={ALL_AREAS}")))
    codes = [o.get("value") for o in options]
    assert set(codes) == areas_with_data
    position = {code: i for i, code in enumerate(codes)}
    for option in options:
        code = option.get("value")
        listed = [a for a in _ancestors(code, parents) if a in position]
        assert int(option.get("data-level")) == len(listed), code
        assert option.get("data-parent", "") == (listed[0] if listed else ""), code
        text = option.text_content()  # one em space per level, then the name
        assert text[: len(listed)] == "\u2003" * len(listed), code
        assert not text[len(listed)].isspace(), code
        if listed:  # after its parent, with only its parent's descendants in between
            between = codes[position[listed[0]] + 1 : position[code]]
            assert all(listed[0] in _ancestors(c, parents) for c in between), code
    assert parents["419"] == AMERICAS and AMERICAS not in position
    assert options[position["419"]].get("data-parent") == WORLD  # nearest listed ancestor
    assert codes[0] == WORLD and options[0].get("data-level") == "0"


def test_members_of_each_region_are_its_children_with_data(
    migration_client: FlaskClient, areas_with_data: set[str]
) -> None:
    children = _children(*read_codelist())
    options = _area_options(html_of(migration_client.get(f"{EXPLORE}?key={ALL_AREAS}")))
    listed = {o.get("value"): o.get("data-members") for o in options}
    with_members = {code: members.split() for code, members in listed.items() if members}
    expected = {
        code: _members_with_data(children, code, areas_with_data)
        for code in listed
        if _members_with_data(children, code, areas_with_data)
    }
    assert {code: set(members) for code, members in with_members.items()} == expected
    assert len(expected[EASTERN_AFRICA]) > 15  # one click and the "19 Ctrl-clicks"
    assert set(with_members[CENTRAL_AND_SOUTHERN_ASIA]) == {"143", "34"}


def test_the_members_choice_redirects_to_the_members_key(
    migration_client: FlaskClient, areas_with_data: set[str]
) -> None:
    children = _children(*read_codelist())
    response = migration_client.get(
        f"{EXPLORE}?dim.FREQ=A&dim.REF_AREA={WORLD}&members.REF_AREA={EASTERN_AFRICA}"
        "&dim.MEASURE=STOCK&dim.SEX=_T&lang=en"
    )
    assert response.status_code == 303
    key = unquote(response.headers["Location"]).split("key=")[1].split("&")[0]
    chosen = key.split(".")[1].split("+")
    assert set(chosen) == _members_with_data(children, EASTERN_AFRICA, areas_with_data)
    assert WORLD not in chosen and key.startswith("A.") and ".STOCK." in key
    page = html_of(migration_client.get(response.headers["Location"]))
    rows = page.xpath("//table[@id='data-table']/tbody/tr/@data-series")
    assert {row.split(".")[1] for row in rows} == set(chosen)
    # the region the members came from is offered again, nothing chosen in that list
    members_list = page.xpath("//select[@id='m-REF_AREA']/option")
    assert EASTERN_AFRICA in [o.get("value") for o in members_list]
    assert [o.get("value") for o in members_list if o.get("selected") is not None] == [""]


def test_a_region_missing_from_the_data_gives_its_sub_regions(
    migration_client: FlaskClient, areas_with_data: set[str]
) -> None:
    parents, _ = read_codelist()
    response = migration_client.get(f"{EXPLORE}?members.REF_AREA={AMERICAS}&dim.SEX=_T")
    assert response.status_code == 303
    key = unquote(response.headers["Location"]).split("key=")[1].split("&")[0]
    chosen = set(key.split(".")[1].split("+"))
    expected = {c for c, p in parents.items() if p == AMERICAS and c in areas_with_data}
    assert AMERICAS not in areas_with_data and chosen == expected and len(chosen) == 2


def _warnings(page) -> dict[str, str]:
    return {
        p.get("data-aggregate"): p.text_content()
        for p in page.xpath(
            "//div[@id='aggregate-warnings']/p[contains(@class, 'aggregate-warning')]"
        )
    }


def test_an_aggregate_chosen_with_its_members_is_warned_of(migration_client: FlaskClient) -> None:
    page = html_of(
        migration_client.get(f"{EXPLORE}?key=A.{WORLD}%2BKEN%2BUGA.STOCK.FB._T._T._T._T")
    )
    warnings = _warnings(page)
    assert set(warnings) == {WORLD}
    assert "Kenya (KEN)" in warnings[WORLD] and "Uganda (UGA)" in warnings[WORLD]
    assert "World (1)" in warnings[WORLD]
    # a region and its sub-region and a country of both: two aggregates to warn of
    nested = html_of(migration_client.get(f"{EXPLORE}?key=A.202%2B14%2BKEN.STOCK.FB._T._T._T._T"))
    assert set(_warnings(nested)) == {"202", EASTERN_AFRICA}
    # an SDG grouping, whose members come from its MEMBERS annotation
    sdg = html_of(migration_client.get(f"{EXPLORE}?key=A.62%2B143.STOCK.FB._T._T._T._T"))
    assert set(_warnings(sdg)) == {CENTRAL_AND_SOUTHERN_ASIA}


@pytest.mark.parametrize("areas", ["KEN%2BUGA", "14%2B15", WORLD])
def test_codes_that_are_not_nested_are_not_warned_of(
    migration_client: FlaskClient, areas: str
) -> None:
    page = html_of(migration_client.get(f"{EXPLORE}?key=A.{areas}.STOCK.FB._T._T._T._T"))
    assert page.xpath("//div[@id='aggregate-warnings']")
    assert _warnings(page) == {}


def test_a_tree_of_parents_orders_and_indents_the_options() -> None:
    options = [("B1", "b1"), ("A", "a"), ("C", "c"), ("B", "b"), ("X", "x"), ("Y", "y")]
    # B1 under B (listed after it); C under the missing M, itself under A; X and Y a cycle
    parents = {"B1": "B", "B": "A", "C": "M", "M": "A", "X": "Y", "Y": "X"}
    tree = tree_options(options, parents)
    assert [(o.code, o.level, o.parent) for o in tree] == [
        ("A", 0, ""),
        ("C", 1, "A"),
        ("B", 1, "A"),
        ("B1", 2, "B"),
        ("X", 0, ""),
        ("Y", 0, ""),
    ]


def test_members_expand_a_member_without_data_and_skip_cycles() -> None:
    tree = {"W": ("R", "S"), "R": ("a", "b"), "S": ("c", "W")}
    assert members_with_data(tree, "W", {"R", "c"}) == ("R", "c")
    assert members_with_data(tree, "W", {"a", "b", "c"}) == ("a", "b", "c")
    acyclic = {"W": ("R", "S"), "R": ("a", "b"), "S": ("c",)}
    chosen = ["W", "a", "S", "b", "R"]
    assert aggregates_with_members(acyclic, chosen) == (
        ("W", ("a", "S", "b", "R")),
        ("R", ("a", "b")),
    )
