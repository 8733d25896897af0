"""The figure pages in the six UN languages (#21 point 6): the code list, comparability,
origins and mirror pages (codelist.html, compare.html, origins.html, mirror.html).

The same checks as `tests/pages/test_translations.py` makes for the pages converted first:
every interface message of these templates (plural forms included) and of the texts their
services build in Python (marked `N_`) is translated in the five catalogues; the French
pages show none of them in English (the catalogue walk, here over the whole catalogue, so
that a string left in English in one of these templates is caught too); the Arabic page
runs right to left. Then: the Python-built texts come through the catalogue with their
values filled in, and counts take the language's plural forms.

Structure names (code, dimension and concept names, the concepts' descriptions that
explain the comparability page's columns) are not interface strings: they come from the
structures in the page's language, with the marked English fallback, and the walk does not
count a fallback the page marks as English as a leak.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Flask
from lxml import etree

from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.web import i18n
from tests.conftest import PROJECT_ROOT, bilateral_app, fresh_database
from tests.pages.test_translations import (
    PLACEHOLDER,
    catalogue,
    english_fragments,
    html_of,
    shows,
    template_messages,
    visible_text,
)

TEMPLATES = ("codelist.html", "compare.html", "origins.html", "mirror.html")
#: The Python modules that build these pages' texts (messages marked N_ or translate()).
MODULES = tuple(
    PROJECT_ROOT / "sdmxnode" / path
    for path in (
        "services/pages/bilateral.py",
        "services/pages/codelist.py",
        "services/pages/compare/comparability.py",
        "services/pages/compare/recommendations.py",
        "services/pages/mirror.py",
        "web/pages/browse.py",
        "web/pages/data.py",
    )
)
IMS2017_FILE = PROJECT_ROOT / "fixtures" / "ims2017" / "IMDX-DF_MIG_STOCK_IMS2017-1.0.0.xml.gz"
#: The countries whose 2017 origin-by-destination series the node gets (a corridor's ends).
ORIGIN_COUNTRIES = ("KEN", "UGA")
COMPARE = "/compare/IMDX/DF_MIG_STOCK_IMS"
ORIGINS = "/origins/IMDX/DF_MIG_STOCK_IMS2017"
MIRROR = "/mirror/IMDX/DF_MIG_FLOWS"
#: Pages rendering these templates, in the states that show most of their strings.
PAGES = (
    "/codelist/IMDX/CL_AREA",
    "/codelist/IMDX/CL_AREA?q=kenya",
    COMPARE,
    f"{COMPARE}?show=all&only=differs&sort=-name",
    f"{COMPARE}?definition=zzz&only=differs&sort=DATA_TYPE_IMS",
    f"{COMPARE}?only=departs",
    ORIGINS,
    f"{ORIGINS}?country=KEN",
    f"{ORIGINS}?country=KEN&partner=UGA",
    MIRROR,
    f"{MIRROR}?country=DEU",
    f"{MIRROR}?country=DEU&chart=difference",
    f"{MIRROR}?country=KEN",
)


def origins_slice(folder: Path) -> Path:
    """The 2017 data message cut down to the series to or from ORIGIN_COUNTRIES."""
    target = folder / "ims2017-slice.xml"
    with gzip.open(IMS2017_FILE) as source:
        tree = etree.parse(source, etree.XMLParser(huge_tree=True, resolve_entities=False))
    for series in list(tree.getroot().iter("Series")):
        if not {series.get("REF_AREA"), series.get("COUNTRY_BIRTH")} & set(ORIGIN_COUNTRIES):
            series.getparent().remove(series)
    tree.write(str(target), xml_declaration=True, encoding="utf-8")
    return target


def build_app(folder: Path) -> Flask:
    """A node with the project's structures, the demo data, the bilateral flows (mirror)
    and the 2017 origin data of ORIGIN_COUNTRIES (origins)."""
    application = bilateral_app(fresh_database(folder))
    origins = origins_slice(folder)
    load_data(application.extensions["sdmxnode"], origins, LoadOptions(source=origins.name))
    return application


@pytest.fixture(scope="module")
def figures_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = build_app(tmp_path_factory.mktemp("figures-i18n"))
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


def python_messages() -> set[str | tuple[str, ...]]:
    """The interface messages the pages' Python modules mark (N_) or translate."""
    keywords = {"N_": None, "translate": None, "_": None, "translate_plural": (1, 2)}
    found: set[str | tuple[str, ...]] = set()
    for module in MODULES:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(module), keywords=keywords
        ):
            found.add(message)
    return found


def plural_messages() -> set[tuple[str, str]]:
    """The (singular, plural) msgids of the templates (`ngettext`)."""
    options = {"extensions": "jinja2.ext.i18n"}
    found = set()
    for name in TEMPLATES:
        path = PROJECT_ROOT / "sdmxnode" / "templates" / name
        for _line, message, _comments, _context in extract_from_file(
            "jinja2", str(path), options=options
        ):
            if isinstance(message, tuple):
                found.add((message[0], message[1]))
    return found


def messages() -> set[str]:
    """Every singular interface msgid of these pages (templates and Python)."""
    used = set().union(*(template_messages(name) for name in TEMPLATES))
    return used | {m for m in python_messages() if isinstance(m, str)}


def plural_catalogue(language: str) -> dict[tuple[str, str], list[str]]:
    """The plural entries of a catalogue: (singular, plural) -> every form."""
    path = PROJECT_ROOT / "sdmxnode" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as po:
        return {
            (m.id[0], m.id[1]): list(m.string)
            for m in read_po(po)
            if isinstance(m.id, tuple | list)
        }


def query(url: str, language: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


def marked_foreign(page: lxml.html.HtmlElement) -> list[str]:
    """The texts of a page's elements marked as being in another language than the page's
    (structure names that fell back to English)."""
    own = page.get("lang")
    return [
        " ".join(e.text_content().split())
        for e in page.xpath("//body//*[@lang]")
        if e.get("lang") != own and e.text_content().strip()
    ]


@pytest.fixture(scope="module")
def rendered(figures_app: Flask) -> dict[str, list[list[str]]]:
    """The visible text of every walked page, in English and in French, and the French
    pages' texts marked as English ('fr-foreign')."""
    client = figures_app.test_client()
    found: dict[str, list[list[str]]] = {"en": [], "fr": [], "fr-foreign": []}
    for language in ("en", "fr"):
        for url in PAGES:
            response = client.get(query(url, language))
            assert response.status_code == 200, url
            if language == "fr":
                found["fr-foreign"].append(marked_foreign(html_of(response)))
            found[language].append(visible_text(html_of(response)))
    return found


def test_python_messages_are_found() -> None:
    """The walk below only means something if it sees the messages built in Python."""
    found = python_messages()
    assert "Where people born in %(country)s live" in found
    assert "duration threshold %(months)s months, not 12" in found
    assert "not reported" in found


def test_figure_pages_are_translated_in_every_language() -> None:
    used = messages()
    plurals = plural_messages()
    assert len(used) > 100 and len(plurals) >= 8
    for language in ("fr", "es", "ru", "zh", "ar"):
        strings = catalogue(language)
        untranslated = sorted(m for m in used if not strings.get(m))
        assert not untranslated, (language, untranslated)
        forms = plural_catalogue(language)
        missing = sorted(p for p in plurals if not forms.get(p) or not all(forms[p]))
        assert not missing, (language, missing)


def test_plural_forms_keep_their_placeholders() -> None:
    """Every form keeps the msgid's named placeholders; a form may leave out the count
    (Arabic says "one member" or "two members" in words)."""
    for language in ("fr", "es", "ru", "zh", "ar"):
        for (singular, plural), forms in plural_catalogue(language).items():
            wanted = set(PLACEHOLDER.findall(plural)) - {"%(num)s"}
            for form in forms:
                found = set(PLACEHOLDER.findall(form))
                assert found - {"%(num)s"} == wanted, (language, singular, form)
                assert found <= set(PLACEHOLDER.findall(plural)), (language, singular, form)


def french_forms(message: str | tuple[str, str], french: dict, plurals: dict) -> list[str]:
    if isinstance(message, tuple):
        return plurals.get(message, [])
    return [french[message]] if french.get(message) else []


def test_french_figure_pages_show_no_english_interface_string(
    rendered: dict[str, list[list[str]]],
) -> None:
    """The walk covers these pages' own messages and, so that a string left in English in a
    template is caught too, every other message of the catalogue."""
    french, plurals = catalogue("fr"), plural_catalogue("fr")
    own = {*messages(), *plural_messages()}
    every = {*own, *french, *plurals}
    walked: list[str | tuple[str, str]] = [
        m for m in sorted(every, key=str) if french_forms(m, french, plurals)
    ]
    seen_in_english: set[str | tuple[str, str]] = set()
    leaks = []
    for message in walked:
        english = [message] if isinstance(message, str) else list(message)
        translated = {
            f for form in french_forms(message, french, plurals) for f in english_fragments(form)
        }
        fragments = [f for m in english for f in english_fragments(m) if f not in translated]
        if not fragments:
            continue  # French says it the same way
        pages = zip(rendered["en"], rendered["fr"], rendered["fr-foreign"], strict=True)
        for english_texts, texts, foreign in pages:
            if any(shows(f, english_texts) for f in fragments):
                seen_in_english.add(message)
                # A structure name that fell back to English may contain the words of an
                # interface string: where the page marks it as English, it is no leak (the
                # <title> repeats it and cannot mark it).
                leaks += [
                    (message, f) for f in fragments if shows(f, texts) and not shows(f, foreign)
                ]
    assert not leaks
    # The walk is only worth something if the English pages do show these strings.
    mine = own & set(walked)
    assert len(mine) > 100
    assert len(seen_in_english & mine) >= 2 * len(mine) // 3, (len(seen_in_english), len(mine))


def test_arabic_figure_pages_run_right_to_left(figures_app: Flask) -> None:
    client = figures_app.test_client()
    strings = catalogue("ar")
    page = html_of(client.get(query(f"{MIRROR}?country=DEU", "ar")))
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
    headings = [h.text_content().strip() for h in page.xpath("//main//h2")]
    assert strings["Both reports of each flow"] in headings
    assert strings["Chart"] in headings


def test_messages_built_in_python_follow_the_page_language(figures_app: Flask) -> None:
    """The origins page's titles and corridor rows, and the departures from the
    recommendations, come through the catalogue with their values filled in."""
    client = figures_app.test_client()
    for language in ("fr", "ru"):
        strings = catalogue(language)
        page = html_of(client.get(query(f"{ORIGINS}?country=KEN&partner=UGA", language)))
        kenya = page.xpath("string(//select[@id='country']/option[@value='KEN'])")
        uganda = page.xpath("string(//select[@id='country']/option[@value='UGA'])")
        kenya, uganda = kenya.rsplit(" (", 1)[0], uganda.rsplit(" (", 1)[0]
        assert kenya and uganda
        title = page.xpath("string(//h2[@id='emigrants-heading'])").strip()
        assert title == strings["Where people born in %(country)s live"] % {"country": kenya}
        rows = [
            " ".join(th.text_content().split())
            for th in page.xpath("//table[@id='corridor-table']/tbody//th")
        ]
        born = strings["Born in %(origin)s, living in %(residence)s"]
        assert rows == [
            born % {"origin": kenya, "residence": uganda},
            born % {"origin": uganda, "residence": kenya},
        ]
        total = page.xpath("string(//table[@id='emigrants-table']//tr[@data-code='total']/th)")
        assert total.strip() == strings["World (all destinations)"]
        compare = html_of(client.get(query(f"{COMPARE}?only=departs", language)))
        cells = compare.xpath("//table[@id='metadata-compare-table']//td[@class='differs']")
        assert cells
        for cell in cells:
            text = " ".join(cell.text_content().split())
            assert text.startswith(strings["departs:"]), text
            assert strings["imputed: no national data"] in text


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_counts_take_the_plural_form_of_the_language(figures_app: Flask, language: str) -> None:
    """A region's members are counted with the language's plural rules (Russian has three
    forms, Arabic six), figures formatted for the locale."""
    client = figures_app.test_client()
    translations = i18n.catalogue(language)
    page = html_of(client.get(query("/codelist/IMDX/CL_AREA", language)))
    summaries = page.xpath("//details[@class='members']")
    counts = {len(d.xpath(".//li")) for d in summaries}
    assert len(counts) > 3
    for details in summaries:
        n = len(details.xpath(".//li"))
        expected = translations.ngettext("%(num)s member", "%(num)s members", n) % {
            "num": format_decimal(n, locale=language)
        }
        assert details.xpath("string(summary)").strip() == expected
    # The count's figures as data, for the script that updates it (its text is translated).
    rows = page.xpath("//table[@id='codes-table']/tbody/tr")
    count = page.get_element_by_id("codes-count")
    assert (count.get("data-shown"), count.get("data-total")) == (str(len(rows)), str(len(rows)))
