"""The languages a query asks for: the `lang` query parameter, else `Accept-Language`.

SDMX-REST 1.5 `4_6_conneg.md` and 2.x `content_negotiation.md`: `Accept-Language` selects
the language of the localised texts (with quality values, RFC 9110 section 12.5.4); the 2.x
`extend.md` convention adds the `lang` query parameter (an ISO 639 code with an optional
country, or `all`), which takes priority over the header.
"""

from __future__ import annotations

import re

from sdmxnode.errors import BadRequest

#: A language tag as `lang` takes it (ISO 639-1/2 code, optional region or subtags).
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
#: `lang=all`: every language, the node's main language for the best-match texts.
ALL_LANGUAGES = "all"


def parse_languages(lang: str | None, accept_language: str | None) -> tuple[str, ...]:
    """The languages asked for, best first, as lower-case tags (`fr-ch`, `fr`).

    `lang` wins when given (`all` asks for no particular language: an empty tuple); a
    malformed `lang` is a BadRequest. `Accept-Language` ranges are ordered by quality
    (ties in header order); `*`, ranges with q=0 and malformed ranges are left out.
    """
    if lang is not None:
        value = lang.strip()
        if value.lower() == ALL_LANGUAGES:
            return ()
        if not LANGUAGE_TAG.fullmatch(value):
            raise BadRequest(
                f"lang='{lang}' is not a language: give an ISO 639 code with an optional "
                "country (en, fr, fr-CH) or 'all'",
                where="lang",
            )
        return (_normalise(value),)
    return _accept_language(accept_language or "")


def _accept_language(header: str) -> tuple[str, ...]:
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        if not LANGUAGE_TAG.fullmatch(tag):
            continue  # '*' and malformed ranges choose nothing
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, order, _normalise(tag)))
    found = [tag for _, _, tag in sorted(ranked)]
    return tuple(dict.fromkeys(found))


def _normalise(tag: str) -> str:
    return tag.replace("_", "-").lower()
