"""Series-key path segments of data queries (1.5 `+`-lists and empty wildcards, 2.x `*` and `,`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sdmxnode.errors import BadRequest
from sdmxnode.rest.identifiers import (
    ID_TYPE,
    MAX_ID_LENGTH,
    MAX_VALUES,
    check_id,
    fold_keyword,
)

# One key position value. 1.5: the OpenAPI `key` pattern allows IDType values only.
# 2.x: the OpenAPI `key` items are `\S+`; a value cannot hold the separators '.', ',' and
# '+', nor be '*'.
_VALUE_V2 = re.compile(r"[^\s.,+*/]+")
MAX_KEY_POSITIONS = 100

RawKey = tuple[str | None, ...]


@dataclass(frozen=True)
class KeyFilter:
    """One series key as sets of accepted values per dimension position (None = wildcard).

    Positions are those of the key dimensions of the data structure (the time dimension is
    not part of a series key).
    """

    values: tuple[frozenset[str] | None, ...]

    def matches(self, key: Sequence[str]) -> bool:
        """Whether a series key (one value per key dimension, in DSD order) is selected."""
        if len(key) != len(self.values):
            return False
        return all(
            accepted is None or value in accepted
            for value, accepted in zip(key, self.values, strict=True)
        )

    @property
    def is_wildcard(self) -> bool:
        """Whether every position is a wildcard (the key selects every series)."""
        return all(accepted is None for accepted in self.values)


def parse_key_v1(text: str | None) -> tuple[RawKey, ...] | None:
    """Parse a 1.5 key segment (`4_4_data_queries.md`): None when it selects all data.

    Positions are separated by '.', an empty position is a wildcard (`D..EUR.SP00.A`), a
    position may list several values with '+' (`D.USD+JPY.EUR.SP00.A`), and the keyword
    `all` (in any case, or an omitted segment) selects everything. Values are kept as written (with
    their '+'); `key_matcher` splits them once the number of dimensions is known.
    """
    if text is None or fold_keyword(text) == "all":
        return None
    return (_parse_one(text, "+", None, 1),)


def parse_key_v2(text: str | None) -> tuple[RawKey, ...] | None:
    """Parse a 2.x key segment (`data.md`): None when it selects all data.

    Several keys are separated by ',' (OR); positions by '.'; `*` is a wildcard for one
    position, and so is an empty position (the OpenAPI pattern allows it and 1.5-era
    clients such as sdmx1 send `D..EUR`). Positions left out at the end are wildcards
    (`D.USD` = `D.USD.*.*.*`), which `key_matcher` applies. As in 1.5, '+' may join several
    values of one position (an extension: 2.x has no multi-value positions, but clients
    built for 1.5 send them). A key that is only `*` selects everything.
    """
    if text is None or text == "*":
        return None
    parts = text.split(",")
    if len(parts) > MAX_VALUES:
        raise BadRequest(
            f"the key segment lists {len(parts)} keys; at most {MAX_VALUES} are allowed",
            where="key",
        )
    keys: list[RawKey] = []
    for part in parts:
        if part == "":
            raise BadRequest(
                f"empty key in '{text}' (check for a doubled, leading or trailing ',')",
                where="key",
            )
        if part == "*":
            return None
        key = _parse_one(part, "+", "*", 2)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def format_key(key: RawKey, api: int) -> str:
    """A raw key written back as in a URL (wildcards as '' on 1.5 and '*' on 2.x)."""
    wildcard = "" if api == 1 else "*"
    return ".".join(wildcard if value is None else value for value in key)


def key_matcher(
    query_keys: Sequence[RawKey] | None,
    dimension_count: int,
    *,
    trailing_wildcards: bool = False,
    api: int = 1,
    dimension_ids: Sequence[str] = (),
) -> tuple[KeyFilter, ...] | None:
    """Turn the raw keys of a query into KeyFilters for a DSD with `dimension_count` key dims.

    Returns None when the keys select every series (no keys, or one key that is only
    wildcards). A key needs exactly one position per key dimension (1.5
    `4_4_data_queries.md`); with `trailing_wildcards` (the 2.x rule of `data.md`: "Any
    dimension value omitted at the end of the Key is assumed as equivalent to a wildcard")
    it may have fewer. A key with too many (or, on 1.5, too few) positions raises
    BadRequest naming that key, how many positions it has and the key dimensions in order
    (`dimension_ids`, when given). `api` chooses how keys are written in error messages.
    """
    if query_keys is None:
        return None
    filters: list[KeyFilter] = []
    for key in query_keys:
        count = len(key)
        if count > dimension_count or (count < dimension_count and not trailing_wildcards):
            raise BadRequest(
                _wrong_length(key, dimension_count, dimension_ids, trailing_wildcards, api),
                where="key",
            )
        values = tuple(None if value is None else frozenset(value.split("+")) for value in key) + (
            None,
        ) * (dimension_count - count)
        key_filter = KeyFilter(values)
        if key_filter.is_wildcard:
            return None
        if key_filter not in filters:
            filters.append(key_filter)
    return tuple(filters)


def _wrong_length(
    key: RawKey,
    dimension_count: int,
    dimension_ids: Sequence[str],
    trailing_wildcards: bool,
    api: int,
) -> str:
    """The message for a key with the wrong number of positions."""
    count = len(key)
    message = (
        f"key '{format_key(key, api)}' has {count} position{'s' * (count != 1)} but the data"
        f" structure has {dimension_count} key dimension{'s' * (dimension_count != 1)}"
    )
    if len(dimension_ids) == dimension_count:
        message += f", one position each in this order: {'.'.join(dimension_ids)}"
    if trailing_wildcards:
        return message + "; positions left out at the end are wildcards ('*')"
    message += "; an empty position is a wildcard"
    if count < dimension_count:
        padded = format_key(key + (None,) * (dimension_count - count), api)
        message += f", e.g. '{padded}'"
    return message


def _parse_one(text: str, separator: str, wildcard: str | None, api: int) -> RawKey:
    positions = text.split(".")
    if len(positions) > MAX_KEY_POSITIONS:
        raise BadRequest(
            f"key '{text[:60]}...' has {len(positions)} positions; at most"
            f" {MAX_KEY_POSITIONS} are allowed",
            where="key",
        )
    key: list[str | None] = []
    for number, position in enumerate(positions, start=1):
        if position == "" or position == wildcard:
            key.append(None)
            continue
        values = position.split(separator)
        if len(values) > MAX_VALUES:
            raise BadRequest(
                f"position {number} of key '{text}' lists {len(values)} values; at most"
                f" {MAX_VALUES} are allowed",
                where="key",
            )
        if wildcard is not None and wildcard in values:
            key.append(None)  # `A+*` is any value
            continue
        unique: list[str] = []
        for value in values:
            _check_value(value, text, number, separator, api)
            if value not in unique:
                unique.append(value)
        key.append(separator.join(unique))
    return tuple(key)


def _check_value(value: str, key: str, number: int, separator: str, api: int) -> None:
    where = "key"
    if value == "":
        raise BadRequest(
            f"empty value at position {number} of key '{key}' (check for a doubled, leading"
            f" or trailing '{separator}')",
            where=where,
        )
    if api == 1:
        try:
            check_id(value, pattern=ID_TYPE, where=where)
        except BadRequest as exc:
            raise BadRequest(
                f"position {number} of key '{key}': {exc.message}", where=where
            ) from exc
    elif len(value) > MAX_ID_LENGTH:
        raise BadRequest(
            f"position {number} of key '{key[:60]}...': a value is {len(value)} characters"
            f" long; at most {MAX_ID_LENGTH} are allowed",
            where=where,
        )
    elif _VALUE_V2.fullmatch(value) is None:
        raise BadRequest(
            f"position {number} of key '{key}': '{value}' is not a valid key value (no"
            " spaces, '*' or '/'; '.' separates positions and ',' keys)",
            where=where,
        )
