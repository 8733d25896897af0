"""Representation map rules: exact, regular expression, substring, validity, sharing."""

from __future__ import annotations

import pytest

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml.maps import RepresentationMapping, SourceValue, ValueRule
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.mapping.values import ValueMapper

REF = ArtefactRef("RepresentationMap", "XA", "RM", "1.0")


def mapper(*rules: ValueRule, sources: int = 1) -> ValueMapper:
    return ValueMapper(RepresentationMapping(REF, ("String",) * sources, ("CL",), rules))


def rule(source: str, target: str, **options: object) -> ValueRule:
    valid_from = options.pop("valid_from", None)
    valid_to = options.pop("valid_to", None)
    return ValueRule((SourceValue(source, **options),), (target,), valid_from, valid_to)  # type: ignore[arg-type]


def test_an_exact_rule_wins_over_an_earlier_pattern() -> None:
    m = mapper(rule("K.*", "PATTERN", is_regex=True), rule("KE", "KEN"))
    assert m.map(("KE",)) == ("KEN",)
    assert m.map(("KR",)) == ("PATTERN",)
    assert m.map(("XX",)) is None


def test_a_regular_expression_matches_the_whole_value_and_fills_groups() -> None:
    m = mapper(rule(r"(\d\d)-(\d\d)", r"Y\1T\2", is_regex=True))
    assert m.map(("15-19",)) == ("Y15T19",)
    assert m.map(("15-19x",)) is None  # a full match, not a search


def test_the_first_matching_pattern_in_document_order_wins() -> None:
    m = mapper(rule("1.*", "FIRST", is_regex=True), rule("12.*", "SECOND", is_regex=True))
    assert m.map(("123",)) == ("FIRST",)


def test_substring_indexes_are_one_based_and_inclusive() -> None:
    m = mapper(rule("KE", "KEN", start_index=3, end_index=4), rule("X", "END", start_index=5))
    assert m.map(("A.KE.9",)) == ("KEN",)
    assert m.map(("A.KR.9",)) is None
    assert m.map(("ABCDX",)) == ("END",)


def test_validity_limits_a_rule_to_periods_starting_within_it() -> None:
    m = mapper(
        rule("YU", "SCG", valid_from="1992-01-01", valid_to="2005-12-31"),
        rule("YU", "YUG", valid_to="1991-12-31"),
    )
    assert m.map(("YU",), "1990") == ("YUG",)
    assert m.map(("YU",), "2000-Q3") == ("SCG",)
    assert m.map(("YU",), "2010") is None
    assert m.map(("YU",)) == ("SCG",)  # no period: the first rule, validity ignored


def test_targets_several_rules_share_are_marked_shared() -> None:
    m = mapper(rule("YU", "SRB"), rule("RS", "SRB"), rule("KE", "KEN"))
    assert m.is_shared(("SRB",))
    assert not m.is_shared(("KEN",))
    assert mapper(rule("K.", "K", is_regex=True)).is_shared(("K",))


def test_several_sources_must_all_match() -> None:
    both = ValueRule((SourceValue("1"), SourceValue("A")), ("M_ADULT",))
    m = ValueMapper(RepresentationMapping(REF, ("S", "T"), ("CL",), (both,)))
    assert m.map(("1", "A")) == ("M_ADULT",)
    assert m.map(("1", "B")) is None


def test_a_bad_regular_expression_or_arity_is_refused() -> None:
    with pytest.raises(Invalid, match="not a regular expression"):
        mapper(rule("(", "X", is_regex=True))
    with pytest.raises(Invalid, match="2 sources"):
        mapper(rule("A", "B"), sources=2)
