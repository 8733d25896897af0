"""The pages' interface in the six UN languages (#21 point 6).

Every template's messages are translated in the five catalogues and in `messages.pot`. The
catalogue walk: every interface string of the templates walked here (the frame, home page,
explorer and dataflow page) that French translates differently must not appear, in English,
in the visible text of the French pages that use it. The other pages have their walks:
`test_translations_figures.py` (code list, comparability, origins, mirror) and
`test_translations_exchange.py` (metadata, maps, providers, registrations, validation);
the scripts' texts are checked by `test_translations_scripts.py`. The node's error texts
stay English and say so with lang="en".
"""

from __future__ import annotations

import re
from collections.abc import Callable

import lxml.html
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask.testing import FlaskClient

from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import html_of

TEMPLATES = PROJECT_ROOT / "sdmxnode" / "templates"
TRANSLATIONS = PROJECT_ROOT / "sdmxnode" / "translations"
#: Every template of the pages: all are converted.
TEMPLATE_NAMES = tuple(sorted(path.name for path in TEMPLATES.glob("*.html")))
#: The templates whose pages this module walks in French.
CONVERTED = (
    "base.html",
    "home.html",
    "explore.html",
    "dataflow.html",
    "_flowlinks.html",
    "_rest.html",
    "_maps.html",
    "error.html",
)
EXPLORE = "/explore/IMDX/DF_MIG_STOCK_IMS"
KEY = "A.1%2B2%2BKEN.STOCK.FB._T._T._T._T"
#: Pages rendering the converted templates, with the states that show most of their strings.
PAGES = (
    "/",
    "/?q=Kenya",
    "/?q=zzzzqqq",
    f"{EXPLORE}?key={KEY}",
    f"{EXPLORE}?key={KEY}&sort=value&lastNObservations=1",
    f"{EXPLORE}?key=A.2%2B202.STOCK.FB._T._T._T._T",
    "/dataflow/IMDX/DF_MIG_STOCK_IMS",
    "/dataflow/IMDX/DF_MIG_FLOWS",
    "/dataflow/IMDX/NO_SUCH_FLOW",
)
OWN_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ru": "Русский",
    "zh": "中文",
    "ar": "العربية",
}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TAG = re.compile(r"<[^>]+>")


def template_messages(name: str) -> set[str]:
    """The msgids the template `name` passes to gettext (Babel's Jinja2 extractor)."""
    options = {"extensions": "jinja2.ext.i18n"}
    found = extract_from_file("jinja2", str(TEMPLATES / name), options=options)
    return {message for _line, message, _comments, _context in found if isinstance(message, str)}


def catalogue(language: str) -> dict[str, str]:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and isinstance(m.id, str)}


def language_of(node: lxml.html.HtmlElement) -> str:
    """The language an element's text declares itself in (its nearest `lang`)."""
    return str(node.xpath("string(ancestor-or-self::*[@lang][1]/@lang)"))


def visible_text(page: lxml.html.HtmlElement) -> list[str]:
    """The page's text nodes (scripts and styles aside), title and aria-labels, whitespace
    folded, leaving out the texts marked as being in another language than the page's."""
    for skipped in page.xpath("//script | //style"):
        skipped.drop_tree()
    own = page.get("lang")
    texts = []
    for node in [*page.xpath("//text()"), *page.xpath("//@aria-label")]:
        holder = node.getparent()
        if getattr(node, "is_tail", False):
            holder = holder.getparent()
        if holder is not None and language_of(holder) == own and str(node).strip():
            texts.append(" ".join(str(node).split()))
    return texts


def english_fragments(message: str) -> list[str]:
    """The literal parts of a msgid as they show on a page (no tags, no placeholders)."""
    parts = PLACEHOLDER.split(TAG.sub("", message))
    return [" ".join(p.split()).strip(" ,.;:()“”") for p in parts if p.strip(" ,.;:()“”")]


def shows(fragment: str, texts: list[str]) -> bool:
    """Whether `fragment` is on the page: a whole text node for one word, else a phrase."""
    if " " not in fragment:
        return any(t.strip(" ,.;:()") == fragment for t in texts)
    phrase = re.compile(rf"(?<!\w){re.escape(fragment)}(?!\w)")
    return any(phrase.search(t) for t in texts)


def english_leaks(
    pairs: list[tuple[str, str]],
    rendered: dict[str, list[list[str]]],
    fragments_of: Callable[[str], list[str]] = english_fragments,
) -> tuple[list[tuple[str, str]], int]:
    """The catalogue walk over pages rendered in English and in French (same order): for
    each (msgid, French translation), the msgid's fragments the translation does not share
    that a French page still shows, and how many (message, page) pairs showed them in
    English (a walk is only worth something if that count is high)."""
    seen_in_english = 0
    leaks = []
    for message, translated in pairs:
        fragments = [f for f in fragments_of(message) if f not in fragments_of(translated)]
        for english, texts in zip(rendered["en"], rendered["fr"], strict=True):
            if any(shows(f, english) for f in fragments):
                seen_in_english += 1
                leaks += [(message, f) for f in fragments if shows(f, texts)]
    return leaks, seen_in_english


@pytest.fixture(scope="module")
def rendered(migration_app) -> dict[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    """The visible text of every walked page, in English and in French."""
    client = migration_app.test_client()
    found: dict[str, list[list[str]]] = {}
    for language in ("en", "fr"):
        found[language] = []
        for url in PAGES:
            response = client.get(f"{url}{'&' if '?' in url else '?'}lang={language}")
            assert response.status_code == (404 if "NO_SUCH" in url else 200), url
            found[language].append(visible_text(html_of(response)))
    return found


def test_every_template_is_translated_in_every_language() -> None:
    assert len(TEMPLATE_NAMES) >= 18
    used = set().union(*(template_messages(name) for name in TEMPLATE_NAMES))
    assert len(used) > 300
    for language in ("fr", "es", "ru", "zh", "ar"):
        strings = catalogue(language)
        untranslated = sorted(m for m in used if not strings.get(m))
        assert not untranslated, (language, untranslated)


def test_french_pages_show_no_english_interface_string(
    rendered: dict[str, list[list[str]]],
) -> None:
    french = catalogue("fr")
    used = set().union(*(template_messages(name) for name in CONVERTED))
    walked = {m for m in used if french.get(m) and french[m] != m}
    leaks, seen_in_english = english_leaks([(m, french[m]) for m in sorted(walked)], rendered)
    assert not leaks
    # The walk is only worth something if the English pages do show these strings.
    assert seen_in_english >= len(walked) // 2, (seen_in_english, len(walked))


def test_arabic_pages_run_right_to_left(migration_client: FlaskClient) -> None:
    for url in ("/", f"{EXPLORE}?key={KEY}"):
        arabic = html_of(migration_client.get(f"{url}{'&' if '?' in url else '?'}lang=ar"))
        assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
        french = html_of(migration_client.get(f"{url}{'&' if '?' in url else '?'}lang=fr"))
        assert (french.get("lang"), french.get("dir")) == ("fr", "ltr")


def test_language_menu_names_each_language_in_its_own_script(migration_client: FlaskClient) -> None:
    for language in ("en", "fr", "ar"):
        page = html_of(migration_client.get(f"/?lang={language}"))
        links = page.xpath("//nav[contains(@class, 'languages')]//a")
        named = {a.get("hreflang"): a.text_content().strip() for a in links}
        assert {k: named.get(k) for k in OWN_NAMES} == OWN_NAMES
        assert all(a.get("lang") == a.get("hreflang") for a in links)
        current = [a.get("hreflang") for a in links if a.get("aria-current") == "true"]
        assert current == [language]


def test_interface_follows_the_chosen_language(migration_client: FlaskClient) -> None:
    """The same strings, through the catalogue of each language (not only French)."""
    for language in ("es", "ru", "zh", "ar"):
        strings = catalogue(language)
        page = html_of(migration_client.get(f"/?lang={language}"))
        assert page.xpath("string(//a[@class='skip'])").strip() == strings["Skip to content"]
        assert (
            page.xpath("string(//main//h1)").strip()
            == strings["International-migration statistics"]
        )


@pytest.mark.parametrize("language", ["en", "fr", "ru", "ar"])
def test_explorer_figures_are_formatted_for_the_locale(
    migration_client: FlaskClient, language: str
) -> None:
    page = html_of(migration_client.get(f"{EXPLORE}?key={KEY}&lang={language}"))
    cells = page.xpath("//table[@id='data-table']//td[@data-value]")
    assert cells
    large = [td for td in cells if float(td.get("data-value")) >= 10000]
    assert large
    for td in large:
        value = float(td.get("data-value"))
        figure = td.xpath("string(text())").strip()
        expected = format_decimal(value, format="#,##0.##########", locale=language)
        assert figure == expected
    if language == "fr":
        # French groups thousands with a (narrow) no-break space, never with a comma.
        assert all("," not in td.xpath("string(text())") for td in large)
        assert any(
            "\u202f" in td.xpath("string(text())") or "\xa0" in td.xpath("string(text())")
            for td in large
        )


def test_catalogues_keep_the_placeholders_of_their_msgids() -> None:
    for language in ("fr", "es", "ru", "zh", "ar"):
        for message, translated in catalogue(language).items():
            assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(message)), (
                language,
                message,
            )


def test_catalogue_template_is_current() -> None:
    """messages.pot holds every msgid of the templates (re-extract after edits)."""
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        known = {m.id for m in read_po(pot) if m.id}
    used = set().union(*(template_messages(name) for name in TEMPLATE_NAMES))
    assert used <= known, sorted(used - known)


def test_package_ships_the_catalogues() -> None:
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    assert "translations/*/LC_MESSAGES/*.po" in pyproject
    assert all(
        (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").is_file()
        for lang in OWN_NAMES
        if lang != "en"
    )


def test_structure_names_that_fell_back_are_marked(migration_client: FlaskClient) -> None:
    """The demo structures name regions in English only: on a French page those names carry
    lang="en" and a visible mark, and country names that French has do not."""
    page = html_of(migration_client.get(f"{EXPLORE}?key={KEY}&lang=fr"))
    label = page.xpath("//label[@for='f-REF_AREA']")[0]
    marks = label.xpath(".//span[@class='fallback']")
    assert marks and marks[0].xpath("string(span/@lang)") == "en"
    assert marks[0].xpath("string(abbr[@class='fallback-mark'])").strip() == "en"
    assert "anglais" in marks[0].xpath("string(abbr/@title)")
    options = {o.get("value"): o for o in page.xpath("//select[@id='f-REF_AREA']/option")}
    assert options["1"].get("lang") == "en"  # the world: English only in the demo code list
    assert options["KEN"].get("lang") is None  # Kenya: named in French
    english = html_of(migration_client.get(f"{EXPLORE}?key={KEY}&lang=en"))
    assert not english.xpath("//*[@class='fallback']")


def test_error_texts_say_they_are_english(migration_client: FlaskClient) -> None:
    page = html_of(migration_client.get("/dataflow/IMDX/NO_SUCH_FLOW?lang=fr"))
    assert page.get("lang") == "fr"
    assert page.xpath("//main//h1")[0].get("lang") == "en"
    assert page.xpath("//main//p[@role='alert']")[0].get("lang") == "en"
    assert catalogue("fr")["Back to the list of dataflows"] in page.text_content()
