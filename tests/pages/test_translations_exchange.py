"""The exchange pages in the six UN languages (#21 point 6): metadata set, providers,
registrations, validation, structure map and representation map pages, and the messages the
explorer and the dataflow page build in Python (the explorer's "no data" explanation, the
download groups and format names).

The same two checks as `tests/pages/test_translations.py`, over these templates and the
page modules' N_-marked messages: every msgid (plural forms included) is translated in all
five catalogues, and the French pages show none of them in English. The validator's rule
messages, its summary and a failed pull's error are the node's error texts: they stay English
and say so with lang="en".
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.services.access import authenticate
from sdmxnode.services.node import Node
from sdmxnode.services.pages.explorer.display import TITLE_BY
from sdmxnode.services.pages.explorer.exploration import OPEN_TO
from sdmxnode.services.registrations.submission import read_submission, submit_registrations
from tests.conftest import PROJECT_ROOT
from tests.pages.test_map_pages import maps_app  # noqa: F401  (the structure map's node)
from tests.pages.test_translations import (
    TAG,
    TRANSLATIONS,
    catalogue,
    english_fragments,
    english_leaks,
    html_of,
    template_messages,
    visible_text,
)
from tests.registrations.conftest import PA_NSO, submit_request

TEMPLATES = (
    "metadata.html",
    "providers.html",
    "registrations.html",
    "validate.html",
    "representationmap.html",
    "structuremap.html",
)
#: The page modules that build interface text in Python (marked N_, translated by the page).
PAGE_MODULES = PROJECT_ROOT / "sdmxnode" / "services" / "pages"
PYTHON_MODULES = (
    "explorer/exploration.py",
    "explorer/selection.py",
    "explorer/display.py",
    "explorer/hierarchy.py",
    "search.py",
    "dataflow.py",
    "maps.py",
    "metadata.py",
    "providers.py",
)
LANGUAGES = ("fr", "es", "ru", "zh", "ar")
EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"
#: Kenya's stock by birth with a citizenship chosen: no data (other ages have some).
NO_DATA_KEY = "A.KEN.STOCK.FB._T._T.NAT._T"
#: The world, Africa and Kenya: a chart "by" area.
AREAS_KEY = "A.1%2B2%2BKEN.STOCK.FB._T._T._T._T"
#: Pages of the demo node: a metadata set, a representation map, the validation form, an
#: explorer selection without data (and the filters that could find some), a dataflow
#: without data, the dataflow page's downloads.
DEMO_PAGES = (
    "/metadata/IMDX/MS_MIG_STOCK_IMS_KEN/1.0.0",
    "/representationmap/IMDX/RM_IMS2017_AREA",
    "/representationmap/IMDX/RM_IMS2017_AREA?q=zzzzqqq",
    "/validate",
    f"{EXPLORE}?key={NO_DATA_KEY}",
    "/explore/IMDX/DF_MIG_FLOWS",
    "/dataflow/IMDX/DF_MIG_STOCK_IMS",
)
#: Pages of the maps fixture's node: a structure map, a representation map, the validation
#: form offering a structure map.
MAP_PAGES = (
    "/structuremap/TEST/SM_NSO_IMMIGRATION",
    "/representationmap/TEST/RM_GENDER_SEX",
    "/validate",
)
#: Pages of the two-provider node with a registration whose pull failed.
PROVIDER_PAGES = ("/providers", "/registrations")
INVALID = PROJECT_ROOT / "fixtures" / "invalid" / "unknown-code.xml"


def python_messages(name: str) -> set[str | tuple[str, ...]]:
    """The msgids a page module marks (N_) or translates (Babel's Python extractor)."""
    keywords = {"N_": None, "translate": None, "_": None, "translate_plural": (1, 2)}
    found = extract_from_file("python", str(PAGE_MODULES / name), keywords=keywords)
    return {message for _line, message, _comments, _context in found if message}


def template_plurals(name: str) -> set[tuple[str, ...]]:
    """The (singular, plural) msgids of the template `name` (`{% pluralize %}` blocks)."""
    path = PROJECT_ROOT / "sdmxnode" / "templates" / name
    found = extract_from_file("jinja2", str(path), options={"extensions": "jinja2.ext.i18n"})
    return {
        message
        for _line, message, _comments, _context in found
        if isinstance(message, tuple) and all(isinstance(m, str) for m in message)
    }


def exchange_messages() -> set[str | tuple[str, ...]]:
    """Every msgid of the exchange templates (plural ones as tuples) and page modules."""
    found: set[str | tuple[str, ...]] = set()
    for name in TEMPLATES:
        found |= template_messages(name) | template_plurals(name)
    for name in PYTHON_MODULES:
        found |= python_messages(name)
    return found


def plural_catalogue(language: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """(singular, plural) -> the translated forms, for the plural entries of `language`."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return {
            tuple(m.id): tuple(m.string)
            for m in read_po(po, locale=language)
            if isinstance(m.id, tuple)
        }


def tag_fragments(message: str) -> list[str]:
    """`english_fragments` of each part of a msgid between its tags (a link's text and the
    text around it are separate text nodes on the page)."""
    return [f for part in TAG.split(message) for f in english_fragments(part)]


def singular_messages() -> set[str]:
    return {m for m in exchange_messages() if isinstance(m, str)}


@pytest.fixture
def exchange_clients(
    migration_app: Flask,
    maps_app: Flask,  # noqa: F811
    two_providers: FlaskClient,
    providers_node: Node,
    nso_token: str,
) -> Iterator[list[tuple[FlaskClient, str]]]:
    """(client, url) of every walked page: the demo node's, the maps fixture's and the two
    providers' node with a registration (its pull fails: nothing listens on port 9)."""
    nso = authenticate(providers_node, nso_token)
    assert nso is not None
    body = submit_request([("Append", "REG_WALK", PA_NSO, "http://127.0.0.1:9/rest/v2")])
    submit_registrations(providers_node, read_submission(body), nso)
    demo, maps = migration_app.test_client(), maps_app.test_client()
    yield [
        *((demo, url) for url in DEMO_PAGES),
        *((maps, url) for url in MAP_PAGES),
        *((two_providers, url) for url in PROVIDER_PAGES),
    ]


def _with_language(url: str, language: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


def _report(client: FlaskClient, language: str) -> list[str]:
    """The visible text of the validation report of an invalid file, in `language`."""
    upload = {"file": (io.BytesIO(INVALID.read_bytes()), INVALID.name)}
    response = client.post(
        _with_language("/validate", language), data=upload, headers={"Accept": "text/html"}
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    return visible_text(html_of(response))


@pytest.fixture
def rendered(
    exchange_clients: list[tuple[FlaskClient, str]], migration_app: Flask
) -> dict[str, list[list[str]]]:
    """The visible text of every walked page (and of a validation report), in English and
    in French."""
    found: dict[str, list[list[str]]] = {}
    for language in ("en", "fr"):
        found[language] = []
        for client, url in exchange_clients:
            response = client.get(_with_language(url, language))
            assert response.status_code == 200, url
            found[language].append(visible_text(html_of(response)))
        found[language].append(_report(migration_app.test_client(), language))
    return found


def test_exchange_messages_are_translated_in_every_language() -> None:
    used = exchange_messages()
    plurals = {m for m in used if isinstance(m, tuple)}
    assert len(used) > 80 and len(plurals) >= 5
    for language in LANGUAGES:
        strings = catalogue(language)
        untranslated = sorted(m for m in used if isinstance(m, str) and not strings.get(m))
        assert not untranslated, (language, untranslated)
        forms = plural_catalogue(language)
        missing = sorted(m for m in plurals if not forms.get(m) or not all(forms[m]))
        assert not missing, (language, missing)


def test_french_exchange_pages_show_no_english_interface_string(
    rendered: dict[str, list[list[str]]],
) -> None:
    french = catalogue("fr")
    walked = {m for m in singular_messages() if french.get(m) and french[m] != m}
    plurals = {m: forms for m, forms in plural_catalogue("fr").items() if m in exchange_messages()}
    pairs = [(m, french[m]) for m in sorted(walked)]
    pairs += [(one, " ".join(forms)) for (one, many), forms in plurals.items()]
    pairs += [(many, " ".join(forms)) for (one, many), forms in plurals.items()]
    leaks, seen_in_english = english_leaks(pairs, rendered, tag_fragments)
    assert not leaks
    # The walk is only worth something if the English pages do show these strings.
    assert seen_in_english >= len(pairs) // 2, (seen_in_english, len(pairs))


def test_python_built_messages_follow_the_page_language(migration_client: FlaskClient) -> None:
    """The explorer's "no data" explanation and chart title and the dataflow page's download
    groups come from the catalogue of the page's language (each language, not only French)."""
    for language in LANGUAGES:
        strings = catalogue(language)
        explorer = html_of(migration_client.get(f"{EXPLORE}?key={NO_DATA_KEY}&lang={language}"))
        notice = explorer.get_element_by_id("no-data").text_content()
        assert notice.startswith(strings["No data matches this selection."])
        assert strings[OPEN_TO].split("%(dimensions)s")[0].strip() in notice
        chart = html_of(migration_client.get(f"{EXPLORE}?key={AREAS_KEY}&lang={language}"))
        caption = chart.get_element_by_id("chart-caption").text_content()
        by = strings[TITLE_BY].split("%(title)s")[1].split("%(dimensions)s")[0]
        assert by.strip() and by in caption, (language, caption)
        flow = html_of(migration_client.get(f"/dataflow/IMDX/DF_MIG_STOCK_IMS?lang={language}"))
        groups = [h.text_content() for h in flow.xpath("//section//h4")]
        assert strings["For spreadsheets"] in groups and strings["For analysts"] in groups
        links = [a.text_content() for a in flow.xpath("//ul[@class='downloads']/li/a")]
        assert strings["CSV (names and codes)"] in links
        assert f"{strings['SDMX-ML 2.1 generic']} (genericdata-2.1)" in links


def test_validation_findings_stay_english_and_say_so(migration_client: FlaskClient) -> None:
    upload = {"file": (io.BytesIO(INVALID.read_bytes()), INVALID.name)}
    response = migration_client.post(
        "/validate?lang=fr", data=upload, headers={"Accept": "text/html"}
    )
    page = html_of(response)
    assert page.get("lang") == "fr"
    heading = page.get_element_by_id("report-heading").text_content()
    assert heading == catalogue("fr")["Report for %(source)s: invalid"] % {"source": INVALID.name}
    messages = page.xpath("//table[@class='findings']/tbody/tr/td[last()]")
    assert messages and all(td.get("lang") == "en" for td in messages)
    assert page.xpath("//p[@role='status']")[0].get("lang") == "en"


def test_arabic_exchange_pages_run_right_to_left(migration_client: FlaskClient) -> None:
    arabic = html_of(migration_client.get("/validate?lang=ar"))
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    button = arabic.xpath("//form[@class='upload']//button[@type='submit']")[0]
    assert button.text_content().strip() == catalogue("ar")["Validate"]
    french = html_of(migration_client.get("/validate?lang=fr"))
    assert (french.get("lang"), french.get("dir")) == ("fr", "ltr")
