"""Checks of single component values against their SDMX text type (numbers, for now).

SDMX 2.1 Section 2 (Information Model), "3.6.3.3 Representation": facet value types map to
XML Schema types; the numeric ones are checked here the way `xs:integer`, `xs:decimal` and
`xs:double` read them. They run once per observation, so they use `int()`/`float()` and a few
character tests rather than a regular expression.
"""

from __future__ import annotations

from collections.abc import Callable

INTEGER_TYPES = frozenset({"bigInteger", "integer", "long", "short", "count"})
DECIMAL_TYPES = frozenset({"decimal", "inclusiveValueRange", "exclusiveValueRange", "incremental"})
FLOAT_TYPES = frozenset({"float", "double"})
NUMERIC_TYPES = INTEGER_TYPES | DECIMAL_TYPES | FLOAT_TYPES

#: Values a measure may take to say "no value" (SDMX: NaN for a missing observation value).
MISSING_VALUES = frozenset({"", "NaN"})
_SPECIAL_FLOATS = frozenset({"INF", "+INF", "-INF", "NaN"})


def is_integer(value: str) -> bool:
    """`value` is an `xs:integer` lexical value (optional sign, digits)."""
    try:
        int(value)
    except ValueError:
        return False
    return value.isascii() and "_" not in value and not value[0].isspace() and value[-1].isdigit()


def is_decimal(value: str) -> bool:
    """`value` is an `xs:decimal` lexical value (no exponent, INF or NaN)."""
    try:
        float(value)
    except ValueError:
        return False
    return (
        value.isascii()
        and value[-1] in "0123456789."
        and "_" not in value
        and "e" not in value
        and "E" not in value
        and not value[0].isspace()
    )


def is_double(value: str) -> bool:
    """`value` is an `xs:double` lexical value (exponent, INF, -INF and NaN allowed)."""
    if value.isascii() and value.isdigit():  # the common case (counts), without float()
        return True
    try:
        float(value)
    except ValueError:
        return False
    if value[-1] in "0123456789.":
        return value.isascii() and "_" not in value and not value[0].isspace()
    return value in _SPECIAL_FLOATS


def number_check(text_type: str | None) -> Callable[[str], bool] | None:
    """The predicate for values of `text_type` (None: a measure without type, read as a
    double), or None when the type is not numeric."""
    if text_type is None or text_type in FLOAT_TYPES:
        return is_double
    if text_type in INTEGER_TYPES:
        return is_integer
    if text_type in DECIMAL_TYPES:
        return is_decimal
    return None


def describe_type(text_type: str | None) -> str:
    """How the expected values of `text_type` are described in findings."""
    if text_type in INTEGER_TYPES:
        return f"an integer ({text_type})"
    if text_type in DECIMAL_TYPES:
        return f"a decimal number without exponent ({text_type})"
    return f"a number ({text_type or 'untyped measure, read as double'}; INF, -INF, NaN allowed)"
