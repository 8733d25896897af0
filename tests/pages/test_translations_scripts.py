"""The texts the pages' scripts write, in the page's language (#21 point 6).

The scripts (`sdmxnode/static/*.js`) write their texts through `sdmxnodeText(msgid, values)`
(`static/messages.js`, called `say` in each script), the English msgid being the fallback.
The msgids are gettext messages declared in `sdmxnode/web/script_messages.py`; a page with
scripts carries their translations in its language in
`<script type="application/json" id="page-messages">` (`base.html`). These tests read the
msgids from the scripts themselves, check that each is declared, found by `pybabel extract
-k N_` and translated in all five catalogues, that a French page carries the French texts,
and that no English sentence is left in the scripts other than the fallbacks. The browser
test (`tests/live/test_pages_browser.py`, "#21 point 6: the scripts' texts") sees them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
from babel.messages.extract import extract_from_file
from flask.testing import FlaskClient

from sdmxnode.web.script_messages import SCRIPT_MESSAGES
from tests.conftest import PROJECT_ROOT
from tests.pages.conftest import html_of
from tests.pages.test_translations import EXPLORE, KEY, catalogue

STATIC = PROJECT_ROOT / "sdmxnode" / "static"
SCRIPTS = ("explorer.js", "filters.js", "codelist.js", "compare.js", "mirror.js")
LANGUAGES = ("fr", "es", "ru", "zh", "ar")
#: A call of the scripts' lookup: say("..." [+ "..."], ...).
_SAY = re.compile(r'\bsay\(\s*((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+)')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
#: String literals of a script ('...', "..." and `...`), comments left out beforehand.
_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`')
_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
#: Two words of letters in a row: a sentence, unless the literal is a selector or a class
#: list (`#filters select`, `notice aggregate-warning`) or the strict-mode directive.
_WORDS = re.compile(r"[A-Za-z]{2,}[ ,.:;!?]+[A-Za-z]{2,}")
_CODE_SIGNS = re.compile(r"[#\[\]._=-]")


def script_texts(name: str) -> set[str]:
    """The msgids a script passes to its lookup (string literals joined with +)."""
    source = (STATIC / name).read_text(encoding="utf-8")
    return {
        "".join(json.loads(f'"{part}"') for part in _STRING.findall(call))
        for call in _SAY.findall(source)
    }


def english_sentences(name: str) -> list[str]:
    """The string literals of a script that read as English text, outside its lookup calls."""
    source = _COMMENT.sub("", (STATIC / name).read_text(encoding="utf-8"))
    source = _SAY.sub("say(", source)
    found = []
    for match in _LITERAL.finditer(source):
        literal = re.sub(r"\$\{[^}]*\}", " ", match.group(0)[1:-1])
        if literal == "use strict" or _CODE_SIGNS.search(literal):
            continue
        if _WORDS.search(literal):
            found.append(literal)
    return found


def test_every_text_the_scripts_write_is_declared() -> None:
    used = set().union(*(script_texts(name) for name in SCRIPTS))
    assert len(used) >= 15, used
    assert used == set(SCRIPT_MESSAGES)
    # ... and found where the catalogues' extraction looks (`pybabel extract -k N_`).
    module = PROJECT_ROOT / "sdmxnode" / "web" / "script_messages.py"
    extracted = {
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", str(module), keywords={"N_": None, "translate": None, "_": None}
        )
    }
    assert set(SCRIPT_MESSAGES) <= extracted


def test_the_scripts_texts_are_translated_in_every_language() -> None:
    for language in LANGUAGES:
        strings = catalogue(language)
        untranslated = sorted(m for m in SCRIPT_MESSAGES if not strings.get(m))
        assert not untranslated, (language, untranslated)
        # A translation that is the English text again would leave the script English.
        assert not [m for m in SCRIPT_MESSAGES if strings[m] == m], language


def test_no_english_sentence_is_left_in_the_scripts() -> None:
    for name in (*SCRIPTS, "messages.js"):
        assert english_sentences(name) == [], name


def _page_scripts(page: lxml.html.HtmlElement) -> list[str]:
    return [Path(src).name for src in page.xpath("//script/@src")]


def _page_messages(page: lxml.html.HtmlElement) -> dict[str, str] | None:
    blocks = page.xpath("//script[@id='page-messages']")
    if not blocks:
        return None
    assert blocks[0].get("type") == "application/json"
    return dict(json.loads(blocks[0].text))


def test_a_french_page_carries_the_french_texts(migration_client: FlaskClient) -> None:
    french = catalogue("fr")
    page = html_of(migration_client.get(f"{EXPLORE}?key={KEY}&lang=fr"))
    assert _page_messages(page) == {m: french[m] for m in SCRIPT_MESSAGES}
    # The lookup comes before the scripts that use it (deferred scripts run in order).
    scripts = _page_scripts(page)
    assert scripts.index("messages.js") < scripts.index("explorer.js")
    assert scripts.index("messages.js") < scripts.index("filters.js")


def test_each_language_carries_its_own_texts_only(migration_client: FlaskClient) -> None:
    for language in ("ar", "zh"):
        strings = catalogue(language)
        page = html_of(migration_client.get(f"{EXPLORE}?key={KEY}&lang={language}"))
        assert _page_messages(page) == {m: strings[m] for m in SCRIPT_MESSAGES}


def test_english_pages_need_no_block_and_pages_without_scripts_load_none(
    migration_client: FlaskClient,
) -> None:
    english = html_of(migration_client.get(f"{EXPLORE}?key={KEY}&lang=en"))
    assert _page_messages(english) is None  # the scripts fall back to the English msgids
    assert "messages.js" in _page_scripts(english)
    home = html_of(migration_client.get("/?lang=fr"))
    assert _page_messages(home) is None and _page_scripts(home) == []
