"""2.x component filters `c[COMPONENT]=op:value,...` of data and availability queries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sdmxnode.errors import BadRequest
from sdmxnode.rest.identifiers import MAX_VALUES
from sdmxnode.rest.parameters import COMPONENT_ID, argument_values, is_component_parameter
from sdmxnode.rest.periods import period_range

# 2.x `data.md` operator table (checklist B4): `eq` is the default.
OPERATORS: tuple[str, ...] = ("eq", "ne", "lt", "le", "gt", "ge", "co", "nc", "sw", "ew")
COMPARISON_OPERATORS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
TIME_PERIOD = "TIME_PERIOD"
# `c[ID]`, with the brackets possibly still percent-encoded (`c%5BID%5D`, a 2.2 tip).
_PARAMETER = re.compile(r"c(?:\[|%5B)(?P<component>[^\]%]*)(?:\]|%5D)", re.IGNORECASE)
# An operator prefix: letters then ':' (`ge:2020`). Values that start with letters and a
# colon need an explicit operator (`eq:ab:cd`).
_OPERATOR_PREFIX = re.compile(r"(?P<operator>[A-Za-z]+):(?P<value>.*)", re.DOTALL)
# AND separators: '+', and ' ' because form decoding of a query string turns an unencoded
# '+' into a space (so neither can occur inside a filter value).
_AND = re.compile(r"[+ ]")
# A date-time value's positive offset (`ge:2020-01-01T00:00:00+01:00`) is split off by the
# AND separator; an `hh:mm` term right after a time of day is glued back to it.
_OFFSET = re.compile(r"\d{2}:\d{2}")
_ENDS_WITH_TIME = re.compile(r"T\d{2}:\d{2}:\d{2}(\.\d+)?$")


@dataclass(frozen=True)
class ComponentFilter:
    """One `c[COMPONENT]` filter: an OR (`,`) of ANDs (`+`) of (operator, value) terms.

    `c[X]=A,B+C` is X = A OR (X = B AND X = C); each operator applies to its own value
    (`c[X]=ne:A,B` is X <> A OR X = B; 2.2 `data.md` table).
    """

    component: str
    clauses: tuple[tuple[tuple[str, str], ...], ...]


def parse_component_filters(args: Mapping[str, str]) -> tuple[ComponentFilter, ...]:
    """Every `c[...]` parameter of `args`, in order, each component at most once.

    Raises BadRequest naming the parameter for a malformed name (`c`, `c[]`), an invalid
    component id, a component filtered twice (also through differently encoded names), an
    empty value or term, an unknown operator, and for TIME_PERIOD a comparison value that
    is not a time period.
    """
    filters: list[ComponentFilter] = []
    seen: set[str] = set()
    for name in args:
        if not is_component_parameter(name):
            continue
        match = _PARAMETER.fullmatch(name)
        if match is None:
            raise BadRequest(
                f"malformed component filter '{name}': write c[COMPONENT_ID]=value,"
                " e.g. c[FREQ]=A or c[TIME_PERIOD]=ge:2020-01+le:2020-12",
                where=name,
            )
        component = match.group("component")
        where = f"c[{component}]"
        if COMPONENT_ID.fullmatch(component) is None:
            raise BadRequest(
                f"'{component}' in '{name}' is not a component id (a letter, then letters,"
                " digits, '_' or '-')",
                where=where,
            )
        if component in seen:
            raise BadRequest(
                f"component {component} is filtered more than once; give each component one"
                " c[...] parameter and join alternatives with ','",
                where=where,
            )
        seen.add(component)
        values = argument_values(args, name)
        if len(values) > 1:
            raise BadRequest(
                f"{where} is given more than once; join alternatives with ','", where=where
            )
        filters.append(ComponentFilter(component, _parse_clauses(values[0], component, where)))
    return tuple(filters)


def _parse_clauses(
    text: str, component: str, where: str
) -> tuple[tuple[tuple[str, str], ...], ...]:
    if text.strip() == "":
        raise BadRequest(f"{where} has no value", where=where)
    alternatives = text.split(",")
    if len(alternatives) > MAX_VALUES:
        raise BadRequest(
            f"{where} lists {len(alternatives)} alternatives; at most {MAX_VALUES} are allowed",
            where=where,
        )
    clauses: list[tuple[tuple[str, str], ...]] = []
    for alternative in alternatives:
        terms = _rejoin_offsets(_AND.split(alternative))
        if "" in terms:
            raise BadRequest(
                f"empty value in {where}='{text}' (check for a doubled, leading or trailing"
                " ',' or '+')",
                where=where,
            )
        clause = tuple(_parse_term(term, component, where) for term in terms)
        if clause not in clauses:
            clauses.append(clause)
    return tuple(clauses)


def _rejoin_offsets(terms: list[str]) -> list[str]:
    """Glue a date-time's `+hh:mm` offset back to it after splitting on the AND separators."""
    joined: list[str] = []
    for term in terms:
        if joined and _OFFSET.fullmatch(term) and _ENDS_WITH_TIME.search(joined[-1]):
            joined[-1] = f"{joined[-1]}+{term}"
        else:
            joined.append(term)
    return joined


def _parse_term(term: str, component: str, where: str) -> tuple[str, str]:
    match = _OPERATOR_PREFIX.fullmatch(term)
    if match is None:
        operator, value = "eq", term
    else:
        operator, value = match.group("operator").lower(), match.group("value")
        if operator not in OPERATORS:
            raise BadRequest(
                f"unknown operator '{match.group('operator')}' in {where}; expected one of: "
                + ", ".join(OPERATORS),
                where=where,
            )
        if value == "":
            raise BadRequest(f"operator '{operator}' without a value in {where}", where=where)
    if component == TIME_PERIOD and operator in COMPARISON_OPERATORS:
        period_range(value, where=where)  # validates; comparisons use the period's span
    return operator, value
