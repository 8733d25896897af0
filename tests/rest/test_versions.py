"""Version parsing and selection: SDMX-REST 1.5 keywords and 2.x `querying_versions.md` (B2)."""

from __future__ import annotations

import pytest

from sdmxnode.errors import BadRequest
from sdmxnode.rest.versions import parse_versions_v1, parse_versions_v2, version_key

# One artefact's versions as (version, is_final): semantic versions, a draft with an
# extension, and a final-looking version that is not final.
SEMVER = [
    ("1.0.0", True),
    ("1.1.0", True),
    ("1.2.0-draft", False),
    ("2.0.0", True),
    ("2.1.0", False),
]
# Legacy SDMX 2.1 style versions (one and two parts).
LEGACY = [("1", True), ("1.0", True), ("1.2", True), ("1.10", False), ("2.0", True)]


@pytest.mark.parametrize(
    ("query", "candidates", "expected"),
    [
        # Exact versions.
        ("1.1.0", SEMVER, ["1.1.0"]),
        ("1.2.0-draft", SEMVER, ["1.2.0-draft"]),
        ("1.2", LEGACY, ["1.2"]),
        ("1", LEGACY, ["1"]),
        ("3.0.0", SEMVER, []),
        # Latest stable: final, no extension, three parts, x > 0.
        ("+", SEMVER, ["2.0.0"]),
        ("+.0.0", SEMVER, ["2.0.0"]),
        ("1+.0.0", SEMVER, ["2.0.0"]),
        ("1.+.0", SEMVER, ["1.1.0"]),
        ("1.0+.0", SEMVER, ["1.1.0"]),
        ("2.+.0", SEMVER, ["2.0.0"]),
        ("1.1.+", SEMVER, ["1.1.0"]),
        ("1.1.0+", SEMVER, ["1.1.0"]),
        ("2.1.+", SEMVER, []),
        ("1+.1.0", SEMVER, ["2.0.0"]),
        ("1.1+.0", SEMVER, ["1.1.0"]),
        ("1.2+.0", SEMVER, []),
        ("+", LEGACY, []),
        # Latest of any status.
        ("~", SEMVER, ["2.1.0"]),
        ("~", LEGACY, ["2.0"]),
        ("~.0", SEMVER, []),
        ("~.0", LEGACY, ["2.0"]),
        ("0~.0", LEGACY, ["2.0"]),
        ("~.0.0", SEMVER, ["2.1.0"]),
        ("~.0.0", LEGACY, []),
        ("1.~", LEGACY, ["1.10"]),
        ("1.0~", LEGACY, ["1.10"]),
        ("1.~.0", SEMVER, ["1.2.0-draft"]),
        ("1.1.~", SEMVER, ["1.1.0"]),
        ("1~.1", LEGACY, ["2.0"]),
        ("1~.1.0", SEMVER, ["2.1.0"]),
        ("1.1~", LEGACY, ["1.10"]),
        ("1.1~.0", SEMVER, ["1.2.0-draft"]),
        ("1.2.0~", SEMVER, ["1.2.0-draft"]),
        ("1.0.0~", SEMVER, ["1.0.0"]),
        # All versions.
        ("*", SEMVER, ["1.0.0", "1.1.0", "1.2.0-draft", "2.0.0", "2.1.0"]),
        ("*", LEGACY, ["1", "1.0", "1.2", "1.10", "2.0"]),
        ("*.0", SEMVER, []),
        ("*.0", LEGACY, ["1.0", "1.2", "1.10", "2.0"]),
        ("*.0.0", SEMVER, ["1.0.0", "1.1.0", "1.2.0-draft", "2.0.0", "2.1.0"]),
        ("1.*", LEGACY, ["1.0", "1.2", "1.10"]),
        ("1.*.0", SEMVER, ["1.0.0", "1.1.0", "1.2.0-draft"]),
        ("1.1.*", SEMVER, ["1.1.0"]),
        ("1*.1", LEGACY, ["1.2", "1.10", "2.0"]),
        ("1*.1.0", SEMVER, ["1.1.0", "1.2.0-draft", "2.0.0", "2.1.0"]),
        ("1.2*", LEGACY, ["1.2", "1.10"]),
        ("1.1*.0", SEMVER, ["1.1.0", "1.2.0-draft"]),
        ("1.1.0*", SEMVER, ["1.1.0"]),
        # OR.
        ("1~.2.0,1.2.0+", SEMVER, ["2.1.0"]),
        ("+,1.1.0*", SEMVER, ["1.1.0", "2.0.0"]),
        ("+,1.2.1*", SEMVER, ["2.0.0"]),
        ("1.0.0,2.0.0", SEMVER, ["1.0.0", "2.0.0"]),
    ],
)
def test_v2_selection_follows_querying_versions(
    query: str, candidates: list[tuple[str, bool]], expected: list[str]
) -> None:
    assert parse_versions_v2(query).select(candidates) == expected


@pytest.mark.parametrize(
    "query",
    [
        # B2 "Unsupported syntax", each example of the spec.
        "+.2.3",
        "1.+.3",
        "~.2",
        "~.2.3",
        "1.~.3",
        "*.2",
        "*.2.3",
        "1.*.3",
        "+.0",
        "2.3+",
        "~.0.*",
        "3.2*.1+",
        "3.2+.1+",
        # 1.5 keywords are not 2.x versions.
        "latest",
        "all",
        # Malformed.
        "",
        "1.0,",
        ",1.0",
        "01.0",
        "1.2.3.4",
        "1.0.0-",
        "1.0-draft",
        "1.2.+-draft",
        "0.+.0",
        "1~",
        "1.x",
        "1.0.0-dr@ft",
    ],
)
def test_v2_unsupported_forms_are_bad_requests(query: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_versions_v2(query)
    assert caught.value.where == "version"
    assert caught.value.http_status(2) == 400


@pytest.mark.parametrize("query", ["+.2.3", "1.*.3", "2.3+", "3.2+.1+", "01.0"])
def test_v2_version_errors_quote_the_bad_version(query: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_versions_v2(query)
    assert f"'{query}'" in caught.value.message


@pytest.mark.parametrize(
    ("replacement_hint", "query"),
    [("'+.0.0'", "+.2.3"), ("'1.*.0'", "1.*.3"), ("'2.3+.0'", "2.3+"), ("'~.0'", "~.2")],
)
def test_v2_version_errors_suggest_the_supported_form(replacement_hint: str, query: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_versions_v2(query)
    assert replacement_hint in caught.value.message


def test_v2_exact_version_finds_a_numerically_equal_stored_version() -> None:
    assert parse_versions_v2("1.0").select([("1.0.0", True), ("2.0.0", True)]) == ["1.0.0"]


def test_exact_version_prefers_the_same_spelling() -> None:
    candidates = [("1.0", True), ("1.0.0", True)]
    assert parse_versions_v2("1.0.0").select(candidates) == ["1.0.0"]
    assert parse_versions_v1("1.0").select(candidates) == ["1.0"]


def test_selection_of_no_candidates_is_empty() -> None:
    assert parse_versions_v2("~").select([]) == []
    assert parse_versions_v1("latest").select([]) == []


@pytest.mark.parametrize(
    ("query", "candidates", "expected"),
    [
        # 1.5 `latest` is the highest version of any status (as public endpoints do).
        ("latest", SEMVER, ["2.1.0"]),
        ("latest", LEGACY, ["2.0"]),
        ("latest", [("1.0", True), ("1.1", False)], ["1.1"]),
        ("all", LEGACY, ["1", "1.0", "1.2", "1.10", "2.0"]),
        ("1.0", LEGACY, ["1.0"]),
        ("1.0+2.1", [("1.0", True), ("2.0", True), ("2.1", False)], ["1.0", "2.1"]),
        ("1.0+1.2+9.9", LEGACY, ["1.0", "1.2"]),
    ],
)
def test_v1_selection(query: str, candidates: list[tuple[str, bool]], expected: list[str]) -> None:
    assert parse_versions_v1(query).select(candidates) == expected


@pytest.mark.parametrize(
    "query",
    ["", "~", "+", "*", "1.0+", "+1.0", "latest+1.0", "1.0+all", "1.x", "1.0.0-draft", "v1"],
)
def test_v1_invalid_versions_are_bad_requests(query: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_versions_v1(query)
    assert caught.value.where == "version"


def test_exact_versions_are_exposed_for_storage() -> None:
    assert parse_versions_v1("1.0+2.1").exact_versions == ("1.0", "2.1")
    assert parse_versions_v2("1.0.0,2.0.0").exact_versions == ("1.0.0", "2.0.0")
    assert parse_versions_v2("1.0.0,+").exact_versions is None
    assert parse_versions_v1("latest").exact_versions is None


def test_is_all_only_for_the_plain_wildcards() -> None:
    assert parse_versions_v1("all").is_all
    assert parse_versions_v2("*").is_all
    assert not parse_versions_v2("1.*").is_all
    assert not parse_versions_v2("~").is_all


@pytest.mark.parametrize(
    ("left", "right"),
    [("1.0", "1.0.0"), ("1", "1.0"), ("1", "1.0.0"), ("2.10.0", "2.10")],
)
def test_version_key_ignores_trailing_zero_parts(left: str, right: str) -> None:
    assert version_key(left) == version_key(right)


def test_version_key_orders_like_semantic_versioning() -> None:
    # The precedence example of semver.org section 11, then numeric parts as numbers.
    ordered = [
        "0.9",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.2",
        "1.9",
        "1.10",
        "2.0.0-draft",
        "2",
        "10.0",
    ]
    shuffled = ordered[::2] + ordered[1::2]
    assert sorted(shuffled, key=version_key) == ordered


def test_version_key_is_total_over_strings_that_are_not_versions() -> None:
    versions = ["1.0", "draft", "1.0.0-x", "abc", "1.0a"]
    ordered = sorted(versions, key=version_key)
    assert ordered[:3] == ["1.0a", "abc", "draft"]  # non-versions first, as text
    assert ordered[3:] == ["1.0.0-x", "1.0"]
