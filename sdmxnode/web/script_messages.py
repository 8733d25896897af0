"""The texts the pages' scripts (`sdmxnode/static/*.js`) write into a page, as gettext
messages: a page with scripts carries them in its language in a JSON block
(`<script type="application/json" id="page-messages">`, see `base.html`) that
`static/messages.js` reads; each script falls back to the English msgid."""

from __future__ import annotations

from flask import Flask

from sdmxnode.web.i18n import catalogue, current_language


def N_(message: str) -> str:  # noqa: N802  (gettext's name for "extract, translate later")
    """`message` unchanged: marks it for `pybabel extract -k N_`."""
    return message


#: Every text a script writes, by the English text the script falls back to (placeholders
#: `%(name)s`, filled in by the script; numbers formatted for the page's locale).
SCRIPT_MESSAGES: tuple[str, ...] = (
    # explorer.js: the chart's accessible name, its exported file, the copy buttons' status.
    N_("%(title)s: line chart of %(series)s series over %(periods)s periods"),
    N_("Line chart of %(series)s series over %(periods)s periods"),
    N_("Flags: %(flags)s"),
    N_("Copied to the clipboard."),
    N_("Copying failed: select the text and copy it."),
    # filters.js: the chosen codes' buttons, the search boxes, the aggregate warning.
    N_("Only this"),
    N_("Select its %(count)s members"),
    N_("Remove %(name)s"),
    N_(
        "%(dimension)s: %(aggregate)s is an aggregate of %(parts)s, chosen with it: charted "
        "together, its line adds theirs up."
    ),
    N_("%(shown)s of %(total)s shown"),
    N_("Search %(name)s"),
    N_("Chosen: %(name)s"),
    # codelist.js: the count of the rows the filter box keeps.
    N_("(%(shown)s of %(total)s shown)"),
    # compare.js: the find box.
    N_("Find a country or area"),
    N_("%(shown)s of %(total)s rows match"),
    # mirror.js: the lines of each corridor's chart.
    N_("destination's report"),
    N_("origin's report"),
    N_("difference (destination's minus origin's)"),
    N_("%(title)s: %(lines)s by period"),
)


def script_messages(language: str | None = None) -> dict[str, str]:
    """The scripts' texts translated into `language` (the page's by default), by English
    msgid; only those the catalogue translates (an English page needs none)."""
    translations = catalogue(language or current_language())
    found = {}
    for message in SCRIPT_MESSAGES:
        translated = translations.gettext(message)
        if translated != message:
            found[message] = translated
    return found


def install_script_messages(app: Flask) -> None:
    """`script_messages()` for the templates (`base.html` renders the block)."""
    app.jinja_env.globals["script_messages"] = script_messages
