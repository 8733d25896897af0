"""The pages' interface in the six UN languages: gettext catalogues and locale formats.

The catalogues are the `.po` files under `sdmxnode/translations/<lang>/LC_MESSAGES/`; they
are compiled in memory when the application starts (no `.mo` file, no build step), and the
page language chosen by `choose_language()` picks the catalogue of each request.
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files
from io import BytesIO

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Flask, g, has_request_context
from markupsafe import Markup, escape

INTERFACE_LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
DOMAIN = "messages"


def po_path(language: str) -> str:
    """Where the catalogue of `language` lives in the package."""
    return str(files("sdmxnode") / "translations" / language / "LC_MESSAGES" / f"{DOMAIN}.po")


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of `language` (the English msgids when there is none)."""
    try:
        with open(po_path(language), "rb") as po:
            messages = read_po(po, locale=language)
    except FileNotFoundError:
        return gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current_language() -> str:
    """The language of the page being rendered (English outside a page request)."""
    if has_request_context():
        return str(g.get("page_language", "en"))
    return "en"


def translate(message: str) -> str:
    """`message` in the page's language (gettext)."""
    return catalogue(current_language()).gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the page's language (ngettext)."""
    return catalogue(current_language()).ngettext(singular, plural, n)


def text_direction(language: str) -> str:
    """`rtl` for the languages written right to left, else `ltr`."""
    return "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"


@cache
def language_name(language: str) -> str:
    """The name of `language` in its own script (`Français`, `العربية`), else its code."""
    try:
        name = Locale.parse(language.replace("-", "_")).get_display_name(language) or language
    except (UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:]


def number(
    value: float | int | None, language: str | None = None, decimals: int | None = None
) -> str:
    """`value` with the locale's digit grouping and decimal sign: up to 10 decimals, or
    exactly `decimals` (trailing zeros kept: a ratio's `1.000`)."""
    if value is None:
        return ""
    pattern = "#,##0." + ("0" * decimals if decimals is not None else "#" * 10)
    locale = (language or current_language()).replace("-", "_")
    try:
        return format_decimal(value, format=pattern.rstrip("."), locale=locale)
    except (UnknownLocaleError, ValueError):
        return format_decimal(value, format=pattern.rstrip("."), locale="en")


def fallback_language(text: object) -> str:
    """The language `text` fell back to (a `Label` not in the page's language), else ''."""
    lang = getattr(text, "lang", "")
    if not lang or not text or lang.split("-")[0] == current_language().split("-")[0]:
        return ""
    return str(lang)


def label(text: object) -> Markup:
    """A structure's name; one that fell back to another language carries that `lang`
    and a visible mark (the language's code, explained in the page's language)."""
    lang = fallback_language(text)
    if not lang:
        return escape(text)
    page = current_language()
    try:
        in_page = Locale.parse(lang.replace("-", "_")).get_display_name(page.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        in_page = lang
    note = translate("Not available in this language; shown in %(language)s") % {
        "language": in_page or lang
    }
    return Markup(
        '<span class="fallback"><span lang="{lang}" dir="{dir}">{text}</span>'
        ' <abbr class="fallback-mark" title="{note}">{lang}</abbr></span>'
    ).format(lang=lang, dir=text_direction(lang), text=text, note=note)


def install_i18n(app: Flask) -> None:
    """Jinja2's i18n extension with the per-request catalogue, and the locale filters."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        translate, translate_plural, newstyle=True
    )
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["fallback_language"] = fallback_language
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.globals["text_direction"] = text_direction
