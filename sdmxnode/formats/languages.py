"""Which language a message's single-language texts (SDMX-JSON `name`, SDMX-CSV labels) use.

The SDMX-JSON field guides give every localised text twice: `names` with every language and
`name`, the "best-language-match" for the request, whose language is the first of
`meta.contentLanguages`. The node picks that main language once per message from what the
client asked for (`sdmxnode.rest.languages`), then falls back to English, then to the first
language in sorted order; a text that lacks the main language falls back the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

#: The fallback language, and the main language when a client asks for none.
DEFAULT_LANGUAGE = "en"


def main_language(available: Collection[str], preferred: Sequence[str] = ()) -> str:
    """The language of a message's best-match texts, among the (lower-case) `available`.

    The first preferred tag that is available, or whose primary language is (`fr-ch` asks
    for `fr`; `fr` accepts `fr-ch`); else English; else the first available in sorted order
    (English when nothing is available).
    """
    for wanted in preferred:
        if wanted in available:
            return wanted
        primary = wanted.split("-")[0]
        if primary in available:
            return primary
        related = sorted(tag for tag in available if tag.split("-")[0] == primary)
        if related:
            return related[0]
    if DEFAULT_LANGUAGE in available or not available:
        return DEFAULT_LANGUAGE
    return sorted(available)[0]


def best_text(texts: Mapping[str, str], language: str) -> str:
    """The text in `language`, else in English, else the first one; '' for no text."""
    for tag in (language, DEFAULT_LANGUAGE):
        if tag in texts:
            return texts[tag]
    return next(iter(texts.values()), "")


class Label(str):
    """A text and the language it is actually in: a name in the page's language, or the
    English (or other) name it fell back to, so pages can mark fallbacks (`lang`)."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Label:
        """`text`, in the language `lang`."""
        label = super().__new__(cls, text)
        label.lang = lang
        return label

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        """Pickling keeps the language (a cache may pickle the labels)."""
        return (str(self), self.lang)


def best_label(texts: Mapping[str, str], language: str) -> Label:
    """`best_text`, remembering which language the text came in."""
    for tag in (language, DEFAULT_LANGUAGE):
        if tag in texts:
            return Label(texts[tag], tag)
    for tag, text in texts.items():
        return Label(text, tag)
    return Label("", language)
