"""Identifier syntax of SDMX-REST path segments: id patterns, value lists and wildcards."""

from __future__ import annotations

import re

from sdmxnode.errors import BadRequest

# Patterns from the SDMX-REST OpenAPI files (1.5.0 `components/parameters`, 2.1.0 likewise),
# which follow the SDMX common types of the same names.
# IDType (resourceID): letters, digits, `_`, `@`, `$`, `-`.
ID_TYPE = re.compile(r"[A-Za-z\d_@$-]+")
# NCNameIDType nested with dots (agencyID, e.g. `SDMX.ECB`; also concept and agency item ids).
# The 1.5 OpenAPI `agencies` pattern is a copy of its `provider` pattern (it admits
# `AGENCY,ID`); the prose says NCNameIDType, which is what is checked here.
NESTED_NCNAME_ID_TYPE = re.compile(r"[A-Za-z][A-Za-z\d_-]*(\.[A-Za-z][A-Za-z\d_-]*)*")
# NestedIDType (item ids of most item schemes, e.g. `A.1.1`).
NESTED_ID_TYPE = re.compile(r"[A-Za-z\d_@$-]+(\.[A-Za-z\d_@$-]+)*")
# A ValueList value (2.x "any type for valuelist"): anything but separators and controls.
VALUE_TYPE = re.compile(r"[^\s,/]+")

# Implementation limits (not from the standard): they keep absurd URLs from reaching storage.
MAX_ID_LENGTH = 255
MAX_VALUES = 500

_DESCRIPTIONS = {
    ID_TYPE: "letters, digits, '_', '@', '$' and '-'",
    NESTED_NCNAME_ID_TYPE: (
        "dot-separated parts that each start with a letter and then hold letters, digits,"
        " '_' and '-'"
    ),
    NESTED_ID_TYPE: "dot-separated parts of letters, digits, '_', '@', '$' and '-'",
    VALUE_TYPE: "characters other than spaces, ',' and '/'",
}


def fold_keyword(value: str) -> str:
    """`value` in lower case when it is ASCII, else unchanged: what is compared with the
    reserved path keywords (`all`, `latest`), so that `ALL`, `All` and `LATEST` are accepted
    as the major public endpoints accept them (README, "Choices where the standard is
    ambiguous"). Keywords are ASCII, so no other script can fold into one."""
    return value.lower() if value.isascii() else value


def split_values(
    text: str,
    *,
    separator: str,
    wildcards: frozenset[str],
    pattern: re.Pattern[str],
    where: str,
) -> tuple[str, ...] | None:
    """Split a multi-value path segment; None when any value is a wildcard (= any).

    `wildcards` are given in lower case and match in any case (see `fold_keyword`). Every
    other value must match `pattern` completely and be at most MAX_ID_LENGTH long;
    empty values (`ECB+`, `,ECB`) are errors. Duplicates are dropped, order is kept.
    """
    if text == "":
        raise BadRequest(f"the {where} segment is empty", where=where)
    parts = text.split(separator)
    if len(parts) > MAX_VALUES:
        raise BadRequest(
            f"the {where} segment lists {len(parts)} values; at most {MAX_VALUES} are allowed",
            where=where,
        )
    if any(fold_keyword(part) in wildcards for part in parts):
        return None
    if "" in parts:
        raise BadRequest(
            f"empty value in the {where} segment '{text}'"
            f" (check for a doubled, leading or trailing '{separator}')",
            where=where,
        )
    values: list[str] = []
    for part in parts:
        check_id(part, pattern=pattern, where=where)
        if part not in values:
            values.append(part)
    return tuple(values)


def check_id(value: str, *, pattern: re.Pattern[str], where: str) -> None:
    """Raise BadRequest naming `value` unless it fully matches `pattern` within the length limit."""
    if value == "":
        raise BadRequest(f"empty {where}", where=where)
    if len(value) > MAX_ID_LENGTH:
        raise BadRequest(
            f"{where} value '{value[:40]}...' is {len(value)} characters long;"
            f" at most {MAX_ID_LENGTH} are allowed",
            where=where,
        )
    if pattern.fullmatch(value) is None:
        allowed = _DESCRIPTIONS.get(pattern, f"the pattern {pattern.pattern}")
        raise BadRequest(
            f"'{value}' is not a valid {where}: it must consist of {allowed}", where=where
        )
