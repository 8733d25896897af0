"""The languages a query asks for (`lang`, Accept-Language) and the one a message uses."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest
from sdmxnode.formats.languages import best_text, main_language
from sdmxnode.rest.languages import parse_languages


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, ()),
        (None, "fr", ("fr",)),
        (None, "de;q=0.5, fr-CH, fr;q=0.9, *;q=0.1", ("fr-ch", "fr", "de")),
        (None, "en;q=0, es", ("es",)),
        (None, "zh-Hant-TW, bogus tag, 12", ("zh-hant-tw",)),
        ("fr", "de", ("fr",)),  # the query parameter wins (2.x extend.md)
        ("FR_ca", None, ("fr-ca",)),
        ("all", "fr", ()),
    ],
)
def test_languages_asked_for(lang, header, expected) -> None:
    assert parse_languages(lang, header) == expected


@pytest.mark.parametrize("lang", ["", "f", "français", "fr;q=1", "*"])
def test_a_malformed_lang_is_a_bad_request(lang: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_languages(lang, None)
    assert caught.value.where == "lang"


@pytest.mark.parametrize(
    ("available", "preferred", "expected"),
    [
        ({"en", "fr", "es"}, ("fr",), "fr"),
        ({"en", "fr", "es"}, ("de", "es"), "es"),
        ({"en", "fr"}, ("fr-ch",), "fr"),  # a region asks for its language
        ({"en", "fr-ca"}, ("fr",), "fr-ca"),  # and the language accepts a region
        ({"en", "fr"}, ("de",), "en"),  # not available: English
        ({"fr", "es"}, ("de",), "es"),  # no English: the first in sorted order
        ({"fr", "en"}, (), "en"),
        (set(), ("fr",), "en"),
    ],
)
def test_main_language(available: set[str], preferred: tuple[str, ...], expected: str) -> None:
    assert main_language(available, preferred) == expected


def test_a_text_falls_back_to_english_then_to_its_first_language() -> None:
    assert best_text({"en": "Sex", "fr": "Sexe"}, "fr") == "Sexe"
    assert best_text({"es": "Sexo", "en": "Sex"}, "fr") == "Sex"
    assert best_text({"es": "Sexo", "ru": "Пол"}, "fr") == "Sexo"
    assert best_text({}, "fr") == ""
