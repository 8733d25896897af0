"""Query-string parameters shared by data, availability and schema queries: checks and parsing."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime

from sdmxnode.errors import BadRequest, NotImplementedSdmx
from sdmxnode.rest.periods import parse_date_time

# A component id (dimension, attribute, measure): NCNameIDType without dots, the pattern of
# the OpenAPI `componentID` and `dimensionAtObservation` parameters (1.5 and 2.x).
COMPONENT_ID = re.compile(r"[A-Za-z][A-Za-z\d_-]*")
ALL_DIMENSIONS = "AllDimensions"
_POSITIVE_INTEGER = re.compile(r"\+?\d{1,18}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def check_parameters(
    args: Mapping[str, str],
    known: Collection[str],
    ignored: Collection[str],
    *,
    query: str,
    hints: Mapping[str, str] | None = None,
    not_implemented: Mapping[str, str] | None = None,
) -> None:
    """Reject parameters that are unknown, or given twice, for a `query` ("data query", ...).

    Names in `known` or `ignored` are accepted; `c[...]` filters are checked elsewhere and
    pass when `c` is in `known`. A name in `hints` gets that hint (e.g. a 1.5 parameter
    used on 2.x); a name in `not_implemented` (a standard parameter the node does not
    support) raises NotImplementedSdmx with that reason. Repeats are only visible when
    `args` is a multi-dict with `getlist` (werkzeug's `request.args`).
    """
    for name in args:
        if name in ignored:
            continue
        if len(argument_values(args, name)) > 1:
            raise BadRequest(f"the query parameter '{name}' is given more than once", where=name)
        if name in known or ("c" in known and is_component_parameter(name)):
            continue
        if not_implemented and name in not_implemented:
            raise NotImplementedSdmx(
                f"the query parameter '{name}' is not supported by this node:"
                f" {not_implemented[name]}",
                where=name,
            )
        hint = (hints or {}).get(name)
        detail = f"; {hint}" if hint else "; allowed: " + ", ".join(sorted(known))
        raise BadRequest(f"unknown query parameter '{name}' for a {query}{detail}", where=name)


def argument_values(args: Mapping[str, str], name: str) -> list[str]:
    """Every value of parameter `name`: all of them for a multi-dict, else the one value."""
    getlist = getattr(args, "getlist", None)
    if callable(getlist):
        return list(getlist(name))
    return [args[name]] if name in args else []


def is_component_parameter(name: str) -> bool:
    """Whether a query parameter name is a 2.x component filter (`c[...]`, maybe encoded)."""
    lowered = name.lower()
    return lowered == "c" or lowered.startswith(("c[", "c%5b"))


def parse_positive_integer(text: str | None, *, where: str) -> int | None:
    """A positive integer parameter (`firstNObservations`, `lastNObservations`), or None."""
    if text is None:
        return None
    value = text.strip()
    if _POSITIVE_INTEGER.fullmatch(value) is None or int(value) < 1:
        raise BadRequest(f"{where}='{text}' must be a positive integer (1, 2, ...)", where=where)
    return int(value)


def parse_boolean(text: str | None, *, where: str, default: bool = False) -> bool:
    """An xs:boolean parameter (`true`, `false`, `1`, `0`; case-insensitive), or `default`."""
    if text is None:
        return default
    value = _BOOLEANS.get(text.strip().lower())
    if value is None:
        raise BadRequest(f"{where}='{text}' must be 'true' or 'false'", where=where)
    return value


def parse_updated_after(text: str | None) -> datetime | None:
    """The `updatedAfter` xs:dateTime as a timezone-aware datetime (see parse_date_time)."""
    if text is None:
        return None
    return parse_date_time(text, where="updatedAfter")


def parse_dimension_at_observation(text: str | None) -> str | None:
    """`dimensionAtObservation`: `AllDimensions`, `TIME_PERIOD` or a dimension id; None if absent.

    Whether the dimension exists in the data structure is checked once it is known.
    """
    if text is None:
        return None
    if COMPONENT_ID.fullmatch(text) is None:
        raise BadRequest(
            f"dimensionAtObservation='{text}' must be 'AllDimensions', 'TIME_PERIOD' or a"
            " dimension id (a letter, then letters, digits, '_' or '-')",
            where="dimensionAtObservation",
        )
    return text


def parse_choice(text: str | None, choices: tuple[str, ...], *, where: str) -> str:
    """One keyword out of `choices` (case-insensitive); the first choice is the default."""
    if text is None:
        return choices[0]
    value = text.strip().lower()
    if value not in choices:
        raise BadRequest(
            f"{where}='{text}' is not a valid value; expected one of: " + ", ".join(choices),
            where=where,
        )
    return value
