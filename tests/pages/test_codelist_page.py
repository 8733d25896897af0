"""The code-list page: M49 and ISO alpha-2 annotations as columns, a filter by words (`?q=`),
parents as links, a region's members and the link to its aggregate check (expected values
read from the code list and the demo data files)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from flask.testing import FlaskClient
from sdmx.model import common

from tests.pages.conftest import assert_accessible_basics, fixture_series, html_of

PAGE = "/codelist/IMDX/CL_AREA"


def _annotation(code: Any, type_: str) -> str | None:
    for annotation in code.annotations:
        if annotation.type == type_:
            return str(annotation.text.localizations["en"])
    return None


def _page(client: FlaskClient, **args: str) -> lxml.html.HtmlElement:
    response = client.get(PAGE, query_string=args)
    assert response.status_code == 200
    return html_of(response)


def _rows(page: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    return {tr.get("data-code"): tr for tr in page.xpath("//table[@id='codes-table']/tbody/tr")}


def _column(page: lxml.html.HtmlElement, heading: str) -> int:
    headings = [th.text_content().strip() for th in page.xpath("//table[@id='codes-table']//th")]
    return headings.index(heading)


def _cell(page: lxml.html.HtmlElement, row: lxml.html.HtmlElement, heading: str) -> Any:
    return row.xpath("./th|./td")[_column(page, heading)]


def _ancestors(code: Any) -> set[str]:
    found = set()
    parent = code.parent
    while isinstance(parent, common.Code) and parent.id not in found:
        found.add(parent.id)
        parent = parent.parent
    return found


def test_m49_and_iso_annotations_are_columns(
    migration_client: FlaskClient, areas: Any, kenya: Any
) -> None:
    page = _page(migration_client)
    assert_accessible_basics(page)
    rows = _rows(page)
    assert set(rows) == set(areas.items)
    for annotation in ("M49", "ISO_ALPHA2"):
        assert _cell(page, rows[kenya.id], annotation).text_content().strip() == _annotation(
            kenya, annotation
        )
    for code in list(areas.items.values())[::25]:
        assert _cell(page, rows[code.id], "M49").text_content().strip() == (
            _annotation(code, "M49") or ""
        )


@pytest.mark.parametrize("annotation", ["M49", "ISO_ALPHA2"])
def test_the_filter_finds_a_country_by_its_annotation(
    migration_client: FlaskClient, kenya: Any, annotation: str
) -> None:
    value = _annotation(kenya, annotation)
    assert value
    rows = _rows(_page(migration_client, q=value))
    assert kenya.id in rows
    assert _ancestors(kenya) <= set(rows)
    # Fewer rows than the whole list, each matching or an ancestor of one that matches.
    assert len(rows) < 100


def test_the_filter_takes_words_in_any_order_ignoring_accents(
    migration_client: FlaskClient, areas: Any
) -> None:
    accented = next(
        c for c in areas.items.values() if not str(c.name.localizations["en"]).isascii()
    )
    name = str(accented.name.localizations["en"])
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    assert folded != name.upper()
    assert accented.id in _rows(_page(migration_client, q=folded))
    several = next(
        c for c in areas.items.values() if len(str(c.name.localizations["en"]).split()) == 2
    )
    first, second = str(several.name.localizations["en"]).split()
    rows = _rows(_page(migration_client, q=f"{second.lower()} {first.upper()}"))
    assert several.id in rows
    assert len(rows) < len(areas.items)
    assert _rows(_page(migration_client, q=f"{second} {first} qqzzx")) == {}


def test_parents_are_links_to_their_rows(migration_client: FlaskClient, kenya: Any) -> None:
    page = _page(migration_client)
    rows = _rows(page)
    links = _cell(page, rows[kenya.id], "Parent").xpath(".//a")
    assert [a.get("href") for a in links] == [f"#code-{kenya.parent.id}"]
    assert rows[kenya.parent.id].get("id") == f"code-{kenya.parent.id}"


def test_a_region_lists_its_members(migration_client: FlaskClient, areas: Any, kenya: Any) -> None:
    page = _page(migration_client)
    rows = _rows(page)
    region = kenya.parent.id
    children = [
        c.id
        for c in areas.items.values()
        if isinstance(c.parent, common.Code) and c.parent.id == region
    ]
    members = _cell(page, rows[region], "Members").xpath(".//a")
    assert [a.get("href") for a in members] == [f"#code-{c}" for c in children]
    # A grouping lists the members of its MEMBERS annotation.
    grouping = next(c for c in areas.items.values() if _annotation(c, "MEMBERS"))
    listed = (_annotation(grouping, "MEMBERS") or "").split()
    hrefs = [a.get("href") for a in _cell(page, rows[grouping.id], "Members").xpath(".//a")]
    assert hrefs == [f"#code-{c}" for c in listed]
    assert not _cell(page, rows[kenya.id], "Members").xpath(".//a")


def test_regions_with_data_link_to_their_aggregate_check(
    migration_client: FlaskClient, areas: Any, kenya: Any
) -> None:
    page = _page(migration_client)
    rows = _rows(page)
    held = {s["attributes"]["REF_AREA"] for s in fixture_series()}
    parents = {c.parent.id for c in areas.items.values() if isinstance(c.parent, common.Code)}
    region = kenya.parent.id
    assert region in held
    links = _cell(page, rows[region], "Aggregate check").xpath(".//a")
    hrefs = [a.get("href") for a in links]
    ims = [h for h in hrefs if urlsplit(h).path == "/checks/aggregates/IMDX/DF_MIG_STOCK_IMS"]
    assert ims and parse_qs(urlsplit(ims[0]).query)["area"] == [region]
    response = migration_client.get(ims[0])
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    answer = json.loads(response.data)
    assert answer["count"] > 0
    assert {r["aggregate"] for r in answer["results"]} == {region}
    # A country is no aggregate; an aggregate without data in the dataflow has no link to it.
    assert not _cell(page, rows[kenya.id], "Aggregate check").xpath(".//a")
    assert parents - held, "every aggregate has data in the demo file"
    for code in sorted(parents - held):
        cell = _cell(page, rows[code], "Aggregate check")
        assert not any("DF_MIG_STOCK_IMS?" in a.get("href") for a in cell.xpath(".//a")), code


def test_rows_carry_their_searchable_text_for_the_live_filter(
    migration_client: FlaskClient, kenya: Any
) -> None:
    page = _page(migration_client)
    text = _rows(page)[kenya.id].get("data-search")
    for value in (kenya.id, _annotation(kenya, "M49"), _annotation(kenya, "ISO_ALPHA2"), "kenya"):
        assert value and value.lower() in text
    script = page.xpath("//script[contains(@src, 'codelist.js')]")
    assert script and migration_client.get(script[0].get("src")).status_code == 200
