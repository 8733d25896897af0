"""Applying a representation map to values: exact rules, regular expressions, substrings, validity.

SDMX 3.0 Section 2 (structure mapping) lets a `RepresentationMapping` match its source value
literally, as a regular expression (`isRegEx`, whose capture groups the target value may
use) or on a part of the value (`startIndex`/`endIndex`), and limit a rule to a business
validity (`validFrom`/`validTo`). The node's reading, written down in the README:

- a literal rule wins over any pattern; among patterns the first in document order wins;
- a regular expression must match the whole value; the target may name groups as ``\\1``;
- `startIndex`/`endIndex` are 1-based and inclusive (either may be absent: from the start,
  to the end), and the rule matches when that part of the value equals the source value;
- a rule with a validity applies to an observation whose period starts within it (both
  ends inclusive); a period-less lookup ignores validities.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml.maps import RepresentationMapping, SourceValue, ValueRule
from sdmxnode.validation.periods import period_bounds

__all__ = ["ValueMapper"]

Matcher = Callable[[str], "re.Match[str] | bool"]


@dataclass(frozen=True)
class _Pattern:
    rule: ValueRule
    matchers: tuple[Matcher, ...]
    regex: bool  # some source value is a regular expression: targets may use its groups


def _matcher(source: SourceValue, where: str) -> Matcher:
    if source.is_regex:
        try:
            compiled = re.compile(source.value)
        except re.error as exc:
            raise Invalid(
                f"{where}: {source.value!r} is not a regular expression ({exc})", where=where
            ) from exc
        return compiled.fullmatch  # type: ignore[return-value]
    start = (source.start_index or 1) - 1
    end = source.end_index
    wanted = source.value
    return lambda value: value[start:end] == wanted


class ValueMapper:
    """One representation map, compiled: `map(values, period)` gives the target values."""

    def __init__(self, mapping: RepresentationMapping) -> None:
        self.mapping = mapping
        where = f"RepresentationMap {mapping.ref.identity}"
        self.arity = max(1, len(mapping.sources))
        self._exact: dict[tuple[str, ...], list[ValueRule]] = {}
        self._patterns: list[_Pattern] = []
        self.dated = any(r.valid_from or r.valid_to for r in mapping.rules)
        produced: dict[tuple[str, ...], int] = {}
        for rule in mapping.rules:
            if len(rule.sources) != self.arity:
                raise Invalid(
                    f"{where}: a rule gives {len(rule.sources)} source values for "
                    f"{self.arity} sources",
                    where=where,
                )
            if all(s.is_literal for s in rule.sources):
                self._exact.setdefault(tuple(s.value for s in rule.sources), []).append(rule)
                produced[rule.targets] = produced.get(rule.targets, 0) + 1
            else:
                self._patterns.append(
                    _Pattern(
                        rule,
                        tuple(_matcher(s, where) for s in rule.sources),
                        any(s.is_regex for s in rule.sources),
                    )
                )
        #: Target values several rules produce (every pattern's may be reached by many
        #: values): two source series may land on one target series through them.
        self.shared = frozenset(t for t, count in produced.items() if count > 1)
        self.has_patterns = bool(self._patterns)

    def is_shared(self, targets: tuple[str, ...]) -> bool:
        """True when source values other than the ones just mapped may give `targets`."""
        return self.has_patterns or targets in self.shared

    def map(self, values: tuple[str, ...], period: str | None = None) -> tuple[str, ...] | None:
        """The target values for `values` (one per source), or None when no rule maps them."""
        start = _start(period) if self.dated and period else None
        for rule in self._exact.get(values, ()):
            if _valid(rule, start):
                return rule.targets
        for pattern in self._patterns:
            if not _valid(pattern.rule, start):
                continue
            matches = [m(v) for m, v in zip(pattern.matchers, values, strict=True)]
            if not all(matches):
                continue
            if not pattern.regex:
                return pattern.rule.targets
            match = next(m for m in matches if isinstance(m, re.Match))
            try:
                return tuple(match.expand(t) for t in pattern.rule.targets)
            except (re.error, IndexError) as exc:
                where = f"RepresentationMap {self.mapping.ref.identity}"
                raise Invalid(
                    f"{where}: target {pattern.rule.targets!r} names a group its regular "
                    f"expression lacks ({exc})",
                    where=where,
                ) from exc
        return None


def _start(period: str) -> str | None:
    try:
        return period_bounds(period)[0][:10]
    except ValueError:
        return None  # a bad period: validation reports it; only undated rules apply


def _valid(rule: ValueRule, start: str | None) -> bool:
    if start is None:
        return True
    if rule.valid_from and start < rule.valid_from[:10]:
        return False
    return not (rule.valid_to and start > rule.valid_to[:10])
