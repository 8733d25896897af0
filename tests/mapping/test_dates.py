"""Date pattern maps: Java date-format patterns onto SDMX periods of a frequency."""

from __future__ import annotations

import pytest

from sdmxnode.errors import SemanticError
from sdmxnode.formats.sdmxml.maps import DatePatternMapping
from sdmxnode.services.mapping.dates import DateConverter, strptime_format


def converter(pattern: str, frequency: str | None = "M", **options: str) -> DateConverter:
    mapping = DatePatternMapping(
        "DPM",
        ("DATE",),
        ("TIME_PERIOD",),
        pattern,
        options.get("locale", "en"),
        frequency,
        options.get("frequency_dimension"),
    )
    return DateConverter(mapping, {"DATE": 0, "FREQ": 1})


def test_java_letters_become_strptime_directives() -> None:
    assert strptime_format("dd/MM/yyyy") == "%d/%m/%Y"
    assert strptime_format("MMM yy") == "%b %y"
    assert strptime_format("yyyy'T'MM") == "%YT%m"


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [("A", "2019"), ("S", "2019-S1"), ("Q", "2019-Q2"), ("M", "2019-04"), ("D", "2019-04-03")],
)
def test_a_date_becomes_the_period_of_the_target_frequency(frequency: str, expected: str) -> None:
    assert converter("dd/MM/yyyy", frequency).convert(("03/04/2019", None, 7)) == (expected, None)


def test_the_frequency_may_come_from_a_source_component() -> None:
    dates = converter("MMMM yyyy", None, frequency_dimension="FREQ")
    assert dates.convert(("April 2019", "Q", 7)) == ("2019-Q2", None)


def test_a_date_not_following_the_pattern_is_a_problem() -> None:
    value, problem = converter("dd/MM/yyyy").convert(("2019-04-03", None, 7))
    assert value is None and problem is not None and "dd/MM/yyyy" in problem


def test_unknown_letters_and_locales_are_refused() -> None:
    with pytest.raises(SemanticError, match="letter 'Q'"):
        converter("yyyy-QQ")
    with pytest.raises(SemanticError, match="English"):
        converter("MMM yyyy", locale="fr")
