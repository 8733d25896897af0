"""Series keys of data queries: 1.5 `+` lists and empty positions, 2.x `*`, `,` and truncation."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.errors import BadRequest
from sdmxnode.refs import ArtefactRef
from sdmxnode.rest.keys import KeyFilter, format_key, key_matcher, parse_key_v1, parse_key_v2

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"


def sets(*positions: str | None) -> KeyFilter:
    return KeyFilter(tuple(None if p is None else frozenset(p.split("+")) for p in positions))


# --- 1.5 (`4_4_data_queries.md`, OpenAPI `key` examples) -------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("D.USD.EUR.SP00.A", sets("D", "USD", "EUR", "SP00", "A")),
        ("D..EUR.SP00.A", sets("D", None, "EUR", "SP00", "A")),
        ("D.USD+JPY.EUR.SP00.A", sets("D", "USD+JPY", "EUR", "SP00", "A")),
        ("M.USD+GBP+JPY.EUR.SP00.A", sets("M", "USD+GBP+JPY", "EUR", "SP00", "A")),
        ("M..EUR.SP00.A", sets("M", None, "EUR", "SP00", "A")),
        ("D.USD+USD.EUR.SP00.A", sets("D", "USD", "EUR", "SP00", "A")),  # duplicates dropped
    ],
)
def test_v1_keys(text: str, expected: KeyFilter) -> None:
    keys = parse_key_v1(text)
    assert keys is not None and len(keys) == 1
    assert key_matcher(keys, 5) == (expected,)
    assert format_key(keys[0], 1) == text.replace("USD+USD", "USD")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M.DE.000000.ANR", sets("M", "DE", "000000", "ANR")),
        ("A+M.DE.000000.ANR", sets("A+M", "DE", "000000", "ANR")),
        ("A+M..000000.ANR", sets("A+M", None, "000000", "ANR")),
    ],
)
def test_v1_openapi_key_examples(text: str, expected: KeyFilter) -> None:
    assert key_matcher(parse_key_v1(text), 4) == (expected,)


@pytest.mark.parametrize("text", [None, "all"])
def test_v1_all_data(text: str | None) -> None:
    assert parse_key_v1(text) is None
    assert key_matcher(parse_key_v1(text), 5) is None


def test_v1_only_wildcards_select_everything() -> None:
    assert key_matcher(parse_key_v1("...."), 5) is None


@pytest.mark.parametrize(
    "text",
    ["D.USD+.EUR", "D.+USD.EUR", "D.USD++JPY.EUR", "D.U$D*.EUR", "D.US D.EUR", "D.USD,JPY.EUR"],
)
def test_v1_malformed_keys(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_key_v1(text)
    assert caught.value.where == "key"
    assert text in caught.value.message


@pytest.mark.parametrize(("text", "count"), [("D.USD.EUR.SP00", 5), ("D.USD.EUR.SP00.A.X", 5)])
def test_v1_key_needs_one_position_per_dimension(text: str, count: int) -> None:
    with pytest.raises(BadRequest) as caught:
        key_matcher(parse_key_v1(text), count)
    assert text in caught.value.message
    assert caught.value.where == "key"


# --- 2.x (`data.md`) -------------------------------------------------------------------


def test_v2_truncated_key_equals_explicit_wildcards() -> None:
    """`D.USD` is equivalent to `D.USD.*.*.*` (data.md)."""
    short = key_matcher(parse_key_v2("D.USD"), 5, trailing_wildcards=True)
    full = key_matcher(parse_key_v2("D.USD.*.*.*"), 5, trailing_wildcards=True)
    assert short == full == (sets("D", "USD", None, None, None),)


def test_v2_several_keys_and_wildcards() -> None:
    keys = parse_key_v2("M.USD.EUR.SP00.A,A.CHF.EUR.SP00.A")
    assert keys == (("M", "USD", "EUR", "SP00", "A"), ("A", "CHF", "EUR", "SP00", "A"))
    assert key_matcher(parse_key_v2("D.*.EUR.SP00.A"), 5, trailing_wildcards=True) == (
        sets("D", None, "EUR", "SP00", "A"),
    )
    # Empty positions are wildcards too (the OpenAPI pattern allows them; sdmx1 sends them).
    assert parse_key_v2("D..EUR") == parse_key_v2("D.*.EUR") == (("D", None, "EUR"),)
    # '+' lists from 1.5-era clients are accepted as OR within a position.
    assert key_matcher(parse_key_v2("A+M.DE"), 2, trailing_wildcards=True) == (sets("A+M", "DE"),)


@pytest.mark.parametrize("text", [None, "*", "M.USD,*"])
def test_v2_all_data(text: str | None) -> None:
    assert parse_key_v2(text) is None


def test_v2_key_of_wildcards_selects_everything() -> None:
    assert key_matcher(parse_key_v2("*.*"), 5, trailing_wildcards=True) is None


def test_v2_duplicate_keys_are_dropped() -> None:
    assert parse_key_v2("A.B,A.B") == (("A", "B"),)


@pytest.mark.parametrize("text", ["A.B,", ",A.B", "A.B,,C.D", "A.US D", "A.U*", "A.B/C"])
def test_v2_malformed_keys(text: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_key_v2(text)
    assert caught.value.where == "key"


def test_v2_key_longer_than_the_dsd() -> None:
    with pytest.raises(BadRequest) as caught:
        key_matcher(parse_key_v2("A.B.C"), 2, trailing_wildcards=True, api=2)
    assert "'A.B.C'" in caught.value.message


DIMENSIONS = ("FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX")


@pytest.mark.parametrize(
    ("text", "given", "example"),
    [("D.USD.EUR.SP00", 4, "'D.USD.EUR.SP00.'"), ("D.USD.EUR.SP00.A.X", 6, None)],
)
def test_v1_wrong_length_names_the_dimensions_in_order(
    text: str, given: int, example: str | None
) -> None:
    with pytest.raises(BadRequest) as caught:
        key_matcher(parse_key_v1(text), 5, dimension_ids=DIMENSIONS)
    message = caught.value.message
    assert f"'{text}' has {given} positions" in message
    assert "5 key dimensions" in message
    assert "FREQ.CURRENCY.CURRENCY_DENOM.EXR_TYPE.EXR_SUFFIX" in message
    assert "an empty position is a wildcard" in message
    assert example is None or example in message


def test_v2_too_long_names_the_dimensions_and_the_trailing_rule() -> None:
    with pytest.raises(BadRequest) as caught:
        key_matcher(
            parse_key_v2("D.USD.EUR.SP00.A.X"),
            5,
            trailing_wildcards=True,
            api=2,
            dimension_ids=DIMENSIONS,
        )
    message = caught.value.message
    assert "'D.USD.EUR.SP00.A.X' has 6 positions" in message
    assert "5 key dimensions" in message
    assert "FREQ.CURRENCY.CURRENCY_DENOM.EXR_TYPE.EXR_SUFFIX" in message
    assert "left out at the end" in message


def test_key_filter_matches() -> None:
    key_filter = sets("A+M", None, "EUR")
    assert key_filter.matches(("A", "USD", "EUR"))
    assert key_filter.matches(("M", "JPY", "EUR"))
    assert not key_filter.matches(("Q", "USD", "EUR"))
    assert not key_filter.matches(("A", "USD"))


# --- against the demo data -------------------------------------------------------------


def _demo_series() -> list[dict[str, str]]:
    series = []
    for _, element in etree.iterparse(str(DEMO), tag="Series"):
        series.append(dict(element.attrib))
        element.clear()
    return series


@pytest.mark.parametrize(
    ("v1_key", "v2_key", "wanted"),
    [
        ("A.1+900......", "A.1,A.900", {"REF_AREA": {"1", "900"}}),
        (".....M..", "*.*.*.*.*.M", {"SEX": {"M"}}),
        ("A.1....F+M..", "A.1.*.*.*.F,A.1.*.*.*.M", {"REF_AREA": {"1"}, "SEX": {"F", "M"}}),
    ],
)
def test_keys_select_the_demo_series_by_dimension_position(
    migration_resolver, v1_key: str, v2_key: str, wanted: dict[str, set[str]]
) -> None:
    """Positions follow the DSD's dimension order; the expectation filters by name."""
    info = migration_resolver(ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0"))
    dimension_ids = [dimension.id for dimension in info.dimensions]
    assert len(dimension_ids) == 8
    series = _demo_series()
    expected = [s for s in series if all(s[d] in values for d, values in wanted.items())]
    assert expected
    for keys, truncated in ((parse_key_v1(v1_key), False), (parse_key_v2(v2_key), True)):
        filters = key_matcher(keys, len(dimension_ids), trailing_wildcards=truncated)
        assert filters is not None
        chosen = [
            s for s in series if any(f.matches(tuple(s[d] for d in dimension_ids)) for f in filters)
        ]
        assert chosen == expected
