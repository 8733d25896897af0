"""The reference-metadata pages: the sets a dataflow page lists, a set's own page, and the
comparability page's definitions from metadata (demo metadata loaded by `sdmxnode init`)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from sdmxnode.formats.metadata import ReportedAttribute, from_json
from sdmxnode.services.metadata.loading import apply_action
from sdmxnode.services.pages.compare.recommendations import departures
from sdmxnode.services.pages.metadata import text_for
from sdmxnode.storage.metadata.reads import MetadataReads
from sdmxnode.storage.metadata.sets import MetadataStore
from tests.pages.conftest import assert_accessible_basics, html_of
from tests.structures.conftest import needs_shared_data
from tests.structures.test_demo_metadata import _expected_criteria as expected_criteria
from tests.structures.test_demo_metadata import _source_types as source_types

FLOW_PAGE = "/dataflow/IMDX/DF_MIG_STOCK_IMS"
KENYA = "/metadata/IMDX/MS_MIG_STOCK_IMS_KEN/1.0.0"


def _report(page) -> dict[str, list[str]]:
    return {
        tr.get("data-attribute"): [s.get("data-value") for s in tr.iter("span")]
        for tr in page.xpath("//table[@id='report-table']/tbody/tr")
    }


def test_dataflow_page_lists_its_metadata_sets(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get(FLOW_PAGE))
    assert_accessible_basics(page)
    rows = {tr.get("data-area"): tr for tr in page.xpath("//table[@id='metadata-table']/tbody/tr")}
    assert len(rows) == 232
    for area in ("KEN", "FRA"):
        page_link, rest_link = rows[area].xpath(".//a/@href")
        assert urlsplit(page_link).path == f"/metadata/IMDX/MS_MIG_STOCK_IMS_{area}/1.0.0"
        assert rest_link.endswith(f"/rest/v2/metadata/metadataset/*/MS_MIG_STOCK_IMS_{area}/1.0.0")
        rest = migration_client.get(urlsplit(rest_link).path + "?format=sdmx-json")
        assert rest.status_code == 200
        assert f"MS_MIG_STOCK_IMS_{area}" in rest.get_data(as_text=True)
    assert "Kenya" in rows["KEN"].text_content()


def test_metadata_page_names_attributes_and_codes(migration_client: FlaskClient) -> None:
    response = migration_client.get(KENYA)
    assert response.status_code == 200
    page = html_of(response)
    assert_accessible_basics(page)
    report = _report(page)
    assert report["MIG_DEF_CRITERION"] == ["BIRTH"]
    assert report["POP_INCLUDED"] == ["REF"]
    row = page.xpath("//tr[@data-attribute='MIG_DEF_CRITERION']")[0]
    name, value = row.find("th").text_content(), row.find("td").text_content()
    assert "criterion" in name.lower()  # the concept's name, not only its id
    assert "born" in value.lower()  # the code's name
    cited = page.xpath("//tr[@data-attribute='SOURCE_CITATION']/td")[0].text_content()
    assert "POP/DB/MIG/Stock/Rev.2019" in cited
    targets = page.xpath("//ul[@class='targets']//a/@href")
    assert any(urlsplit(h).path == "/dataflow/IMDX/DF_MIG_STOCK_IMS" for h in targets)
    assert any(urlsplit(h).path == "/codelist/IMDX/CL_AREA" for h in targets)


def test_unknown_metadata_set_is_an_html_404(migration_client: FlaskClient) -> None:
    response = migration_client.get("/metadata/IMDX/NO_SUCH_SET/1.0.0")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_metadata_page_sanitises_structured_text(migration_app, migration_client) -> None:
    node = migration_app.extensions["sdmxnode"]
    (stored,) = MetadataReads.sharing(node.store).find_sets(ids=["MS_MIG_STOCK_IMS_FRA"])
    original = from_json(stored.body)
    hostile = ReportedAttribute(
        "DOC_METHOD",
        xhtml=(
            (
                "en",
                '<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="alert(1)">Census '
                '<a href="javascript:alert(2)">bad</a> <a href="https://un.org/">good</a>'
                "</p><script>alert(3)</script></div>",
            ),
        ),
    )
    report = original.reports[0]
    report = replace(
        report,
        targets=tuple(t for t in report.targets if "Dataflow=" not in t.value),  # not listed
        attributes=(*report.attributes, hostile),
    )
    changed = replace(original, id="MS_TEST_XHTML", reports=(report,))
    store = MetadataStore.sharing(node.store)
    with store.transaction(principal="test") as tx:
        apply_action(tx, changed)
    try:
        response = migration_client.get("/metadata/IMDX/MS_TEST_XHTML/1.0.0")
        assert response.status_code == 200
        assert "alert" not in response.get_data(as_text=True)
        page = html_of(response)
        cell = page.xpath("//tr[@data-attribute='DOC_METHOD']/td/div[@class='xhtml']")[-1]
        assert [a.get("href") for a in cell.iter("a")] == [None, "https://un.org/"]
        assert "Census" in cell.text_content()
    finally:
        with store.transaction(principal="test") as tx:
            apply_action(tx, replace(changed, action="Delete"))


def _metadata_rows(page) -> dict[str, dict]:
    found = {}
    for tr in page.xpath("//table[@id='metadata-compare-table']/tbody/tr"):
        found[tr.get("data-area")] = {
            "departs": tr.get("data-departs") == "true",
            "values": {
                td.get("data-attribute"): td.xpath(".//span/@data-value")
                for td in tr.iter("td")
                if td.get("data-attribute")
            },
            "set": tr.xpath(".//a/@href")[-1],
        }
    return found


@needs_shared_data
def test_comparability_page_reads_kenya_and_france_from_their_metadata(
    migration_client: FlaskClient,
) -> None:
    """Acceptance (#16): Kenya's and France's sets are served for DF_MIG_STOCK_IMS, the page
    shows their criterion, and it is what the DESA table's "Type of data" column says."""
    types = source_types()
    assert types["KEN"] == "BR" and types["FRA"] == "B"  # the table, read on its own
    page = html_of(migration_client.get("/compare/IMDX/DF_MIG_STOCK_IMS"))
    assert_accessible_basics(page)
    rows = _metadata_rows(page)
    assert len(rows) == len(types)
    for area in ("KEN", "FRA"):
        row = rows[area]
        assert set(row["values"]["MIG_DEF_CRITERION"]) == expected_criteria(types[area])
        assert row["values"]["POP_INCLUDED"] == (["REF"] if "R" in types[area] else [])
        assert not row["departs"]
        assert urlsplit(row["set"]).path == f"/metadata/IMDX/MS_MIG_STOCK_IMS_{area}/1.0.0"
        served = migration_client.get(
            "/rest/v2/metadata/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?format=sdmx-json"
        )
        assert f"MS_MIG_STOCK_IMS_{area}" in served.get_data(as_text=True)
    for area, data_type in types.items():  # every country: unknown or imputed departs
        departs = "I" in data_type or not ({"B", "C"} & set(data_type))
        assert rows[area]["departs"] == departs, (area, data_type)


def test_only_departing_countries_filter(migration_client: FlaskClient) -> None:
    every = _metadata_rows(html_of(migration_client.get("/compare/IMDX/DF_MIG_STOCK_IMS")))
    page = html_of(migration_client.get("/compare/IMDX/DF_MIG_STOCK_IMS?only=departs"))
    departing = _metadata_rows(page)
    assert departing and all(row["departs"] for row in departing.values())
    assert set(departing) == {area for area, row in every.items() if row["departs"]}


def test_departures_from_the_un_1998_recommendations() -> None:
    assert departures({"MIG_DEF_CRITERION": ["BIRTH"], "IMPUTED": ["N"]}) == []
    assert departures({"MIG_DEF_CRITERION": ["CITIZEN"], "POP_INCLUDED": ["REF"]}) == []
    assert departures({"MIG_DEF_CRITERION": ["BIRTH"], "RESIDENCE_CRITERION": ["R12M"]}) == []
    assert departures({"MIG_DEF_CRITERION": ["BIRTH"], "DURATION_THRESHOLD": ["12"]}) == []
    assert len(departures({"MIG_DEF_CRITERION": ["_U"]})) == 1
    assert len(departures({})) == 1
    assert len(departures({"MIG_DEF_CRITERION": ["OTHER"]})) == 1
    assert len(departures({"MIG_DEF_CRITERION": ["BIRTH", "P6M"]})) == 1
    assert len(departures({"MIG_DEF_CRITERION": ["BIRTH"], "DURATION_THRESHOLD": ["6"]})) == 1
    assert len(departures({"MIG_DEF_CRITERION": ["BIRTH"], "RESIDENCE_CRITERION": ["LEGAL"]})) == 1
    assert len(departures({"MIG_DEF_CRITERION": ["BIRTH"], "IMPUTED": ["Y"]})) == 1


def test_texts_in_the_page_language_else_english_else_the_first() -> None:
    texts = (("fr", "Recensement"), ("en", "Census"))
    assert text_for(texts, "fr") == "Recensement"
    assert text_for(texts, "es") == "Census"
    assert text_for((("ar", "تعداد"),), "es") == "تعداد"
    assert text_for((), "en") == ""
