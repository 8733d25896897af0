"""Version syntax of SDMX-REST structure queries (1.5 keywords, 2.x semantic wildcards)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sdmxnode.errors import BadRequest
from sdmxnode.rest.identifiers import fold_keyword

EXACT = "exact"
LATEST = "latest"  # the highest matching version of any status
LATEST_STABLE = "latest_stable"  # the highest matching stable version
ALL = "all"  # every matching version

MAX_VERSION_TERMS = 100

# A stored version: numeric parts, then an optional extension (SDMX 3.0 `X.Y.Z-EXT`).
_STORED_VERSION = re.compile(r"(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?")
# 1.5 OpenAPI `versions`: `^(all|latest|[\d]+(\.[\d]+)*(\+[\d]+(\.[\d]+)*)*)$`, one value.
_V1_VERSION = re.compile(r"\d+(\.\d+)*")
# 2.x: one version part, a number without leading zeros and/or one wildcard operator.
_V2_PART = re.compile(r"(0|[1-9]\d*)?([+~*])?")
# 2.x extension identifiers, from the 2.1.0 OpenAPI `versions` pattern (semver pre-release).
_EXT_ID = r"([A-Za-z-][A-Za-z0-9-]*|[A-Za-z0-9-]+[A-Za-z-][A-Za-z0-9-]*|0|[1-9][0-9]*)"
_V2_EXTENSION = re.compile(rf"{_EXT_ID}(\.{_EXT_ID})*")


def version_key(version: str) -> tuple:
    """A sort key giving a total order over version strings.

    Numeric parts compare as numbers and trailing zero parts are ignored, so `1.0`, `1.0.0`
    and `1` are equal and `1.10` sorts after `1.9`. A version with an extension
    (`1.2.0-draft`) sorts before the same version without one, and extensions compare as
    semver pre-release identifiers (numbers before words, numbers numerically). Strings that
    are not versions at all sort before every version, among themselves as text.
    """
    match = _STORED_VERSION.fullmatch(version)
    if match is None:
        return (0, (), 0, ((1, 0, version),))
    numbers = tuple(int(part) for part in match.group(1).split("."))
    while numbers and numbers[-1] == 0:
        numbers = numbers[:-1]
    extension = match.group(2)
    if extension is None:
        return (1, numbers, 1, ())
    identifiers = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in extension.split(".")
    )
    return (1, numbers, 0, identifiers)


def _split_stored(version: str) -> tuple[tuple[int, ...], str | None] | None:
    match = _STORED_VERSION.fullmatch(version)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split(".")), match.group(2)


@dataclass(frozen=True)
class VersionTerm:
    """One version expression (one value between separators) of a version segment.

    `kind` is EXACT (`version` holds it), LATEST, LATEST_STABLE or ALL. A wildcard term with
    `parts` set matches only versions with that many numeric parts (2: `x.y`; 3: `x.y.z` or
    `x.y.z-ext`), whose leading parts equal `fixed` and whose numeric parts are at least
    `floor` (compared as a tuple). `parts` None matches any version of any form.
    """

    kind: str
    version: str | None = None
    parts: int | None = None
    fixed: tuple[int, ...] = ()
    floor: tuple[int, ...] = ()

    def matches(self, version: str, is_final: bool) -> bool:
        """Whether the wildcard term admits `version` (exact terms: see VersionSelector)."""
        if self.kind == EXACT:
            return version == self.version
        if self.parts is None and self.kind != LATEST_STABLE:
            return True
        split = _split_stored(version)
        if split is None:
            return False
        numbers, extension = split
        if self.kind == LATEST_STABLE and (extension is not None or not is_final):
            return False
        if self.parts is None:
            return True
        if len(numbers) != self.parts or (self.parts < 3 and extension is not None):
            return False
        return numbers[: len(self.fixed)] == self.fixed and numbers >= self.floor


@dataclass(frozen=True)
class VersionSelector:
    """A parsed version segment: the OR of its terms, for one API line.

    Selection is done per artefact (one agency and id): `select` gets every stored
    (version, is_final) of that artefact and returns the versions the query asks for.
    """

    api: int
    text: str
    terms: tuple[VersionTerm, ...]

    def select(self, candidates: Sequence[tuple[str, bool]]) -> list[str]:
        """Given all (version, is_final) of ONE artefact (agency, id), the versions to return.

        Each term selects on its own and the results are united (the `+` of 1.5 and the `,`
        of 2.x are OR). The result is sorted by `version_key`, without duplicates.

        - exact: the candidate spelled the same way; when there is none, the candidates
          equal by `version_key` (so `1.0` finds a stored `1.0.0` and the reverse);
        - latest (1.5 `latest`, 2.x `~` forms): the highest matching version of any status,
          final or not, with or without extension. For 1.5 this follows what the public
          endpoints do, although the 1.5 prose speaks of the "version in production";
        - latest stable (2.x `+` forms): the highest matching version that is final and has
          no extension; the `+` forms only match three-part versions (`x.y.z`);
        - all (1.5 `all`, 2.x `*` forms): every matching version.
        """
        chosen: set[str] = set()
        for term in self.terms:
            if term.kind == EXACT:
                chosen.update(_select_exact(term, candidates))
                continue
            matching = [version for version, final in candidates if term.matches(version, final)]
            if term.kind == ALL:
                chosen.update(matching)
            elif matching:
                chosen.add(max(matching, key=lambda version: (version_key(version), version)))
        return sorted(chosen, key=lambda version: (version_key(version), version))

    @property
    def exact_versions(self) -> tuple[str, ...] | None:
        """The versions named, when every term is an exact version; otherwise None."""
        if all(term.kind == EXACT for term in self.terms):
            return tuple(term.version for term in self.terms if term.version is not None)
        return None

    @property
    def is_all(self) -> bool:
        """Whether every version of every artefact is selected (1.5 `all`, 2.x `*`)."""
        return any(term.kind == ALL and term.parts is None for term in self.terms)


def _select_exact(term: VersionTerm, candidates: Sequence[tuple[str, bool]]) -> list[str]:
    same = [version for version, _ in candidates if version == term.version]
    if same or term.version is None:
        return same
    wanted = version_key(term.version)
    return [version for version, _ in candidates if version_key(version) == wanted]


def parse_versions_v1(text: str) -> VersionSelector:
    """Parse a 1.5 version segment: `latest` (the default), `all`, `1.0` or `1.0+2.1`.

    Follows the 1.5 OpenAPI `versions` pattern: the keywords stand alone, and exact
    versions are dot-separated numbers joined by `+`. `latest` selects the highest version
    of any status (see VersionSelector.select). The keywords match in any case (`LATEST`,
    `All`; see `fold_keyword`).
    """
    keyword = fold_keyword(text)
    if keyword in ("latest", "all"):
        return VersionSelector(1, keyword, (VersionTerm(LATEST if keyword == "latest" else ALL),))
    values = _split_terms(text, "+")
    terms: list[VersionTerm] = []
    for value in values:
        if fold_keyword(value) in ("latest", "all"):
            raise BadRequest(
                f"the keyword '{value}' cannot be combined with other versions in '{text}'",
                where="version",
            )
        if _V1_VERSION.fullmatch(value) is None:
            raise BadRequest(
                f"'{value}' is not a valid version: use 'latest', 'all' or dot-separated"
                " numbers such as '1.0', several joined by '+'",
                where="version",
            )
        terms.append(VersionTerm(EXACT, version=value))
    return VersionSelector(1, text, tuple(terms))


def parse_versions_v2(text: str) -> VersionSelector:
    """Parse a 2.x version segment (`doc/querying_versions.md`, checklist B2).

    - `~` (the default) latest of any status, `+` latest stable, `*` all versions;
    - exact `1.2.3`, `1.2.3-draft`, legacy `1.2` and deprecated `1`;
    - `X.+.0`, `X.Y.+` latest stable within a major / minor version, and with a floor
      `X+.Y.Z`, `X.Y+.Z`, `X.Y.Z+` (X > 0; stable versions always have three parts);
    - `~.0`, `~.0.0`, `X.~`, `X.~.0`, `X.Y.~` and floors `X~.Y`, `X~.Y.Z`, `X.Y~`, `X.Y~.Z`,
      `X.Y.Z~`: latest of any status; the same shapes with `*` select all versions. Two-part
      forms match `x.y` versions, three-part forms `x.y.z` and `x.y.z-ext`, and a floor
      compares the numeric parts only (`1.2.0-draft` satisfies `1~.2.0`);
    - several of these joined by `,` (OR).

    Unsupported forms are rejected with BadRequest: a non-zero part after a wildcarded
    part (`+.2.3`, `1.*.3`), `+` with two parts (`+.0`, `2.3+`), two wildcard operators in
    one version (`~.0.*`, `3.2+.1+`), and the 1.5 keywords `latest` and `all` (in any
    case), with the 2.x form to use instead.
    """
    terms = tuple(_parse_term_v2(value) for value in _split_terms(text, ","))
    return VersionSelector(2, text, terms)


def _split_terms(text: str, separator: str) -> list[str]:
    if text == "":
        raise BadRequest("the version segment is empty", where="version")
    values = text.split(separator)
    if len(values) > MAX_VERSION_TERMS:
        raise BadRequest(
            f"{len(values)} versions requested; at most {MAX_VERSION_TERMS} are allowed",
            where="version",
        )
    if "" in values:
        raise BadRequest(
            f"empty version in '{text}' (check for a doubled or trailing '{separator}')",
            where="version",
        )
    return values


def _bad_v2(value: str, reason: str) -> BadRequest:
    return BadRequest(f"unsupported version '{value}': {reason}", where="version")


def _parse_term_v2(value: str) -> VersionTerm:
    keyword = _keyword_term_v2(value)
    if keyword is not None:
        return keyword
    main, dash, extension = value.partition("-")
    parts = main.split(".")
    if len(parts) > 3:
        raise _bad_v2(value, "a version has at most three parts (X.Y.Z)")
    numbers, operators = _parts_v2(value, parts)
    if not operators:
        if dash:
            _check_extension_v2(value, parts, extension)
        return VersionTerm(EXACT, version=value)
    if dash:
        raise _bad_v2(value, "wildcards cannot be combined with an extension")
    if len(operators) > 1:
        raise _bad_v2(value, "use only one of the wildcard operators '+', '~', '*' per version")
    return _wildcard_term_v2(value, main, parts, numbers, operators[0])


def _keyword_term_v2(value: str) -> VersionTerm | None:
    """The term of a version that is one operator alone (`~`, `*`, `+`), else None."""
    if value == "~":
        return VersionTerm(LATEST)
    if value == "*":
        return VersionTerm(ALL)
    if value == "+":
        return VersionTerm(LATEST_STABLE, parts=3, floor=(1, 0, 0))
    keyword = fold_keyword(value)
    if keyword in ("latest", "all"):
        replacement = "'~' (latest of any status) or '+' (latest stable)"
        if keyword == "all":
            replacement = "'*'"
        raise _bad_v2(value, f"the 1.5 keyword is not valid on 2.x; use {replacement}")
    return None


def _parts_v2(value: str, parts: list[str]) -> tuple[list[int], list[tuple[int, str, bool]]]:
    """The numbers of a version's parts and its operators as (position, operator, bare)."""
    numbers: list[int] = []
    operators: list[tuple[int, str, bool]] = []
    for position, part in enumerate(parts):
        match = _V2_PART.fullmatch(part)
        if part == "" or match is None:
            raise _bad_v2(
                value,
                f"part '{part}' must be a number without leading zeros, optionally followed"
                " by one of '+', '~', '*', or one of these alone",
            )
        number, operator = match.groups()
        numbers.append(int(number) if number is not None else 0)
        if operator is not None:
            operators.append((position, operator, number is None))
    return numbers, operators


def _check_extension_v2(value: str, parts: list[str], extension: str) -> None:
    if len(parts) != 3:
        raise _bad_v2(value, "an extension needs a three-part version (X.Y.Z-EXT)")
    if _V2_EXTENSION.fullmatch(extension) is None:
        raise _bad_v2(value, f"extension '{extension}' is not a valid semantic-version extension")


def _wildcard_term_v2(
    value: str,
    main: str,
    parts: list[str],
    numbers: list[int],
    wildcard: tuple[int, str, bool],
) -> VersionTerm:
    position, operator, bare = wildcard
    if bare and any(numbers[position + 1 :]):
        zeros = ".".join(["0"] * (len(parts) - position - 1))
        raise _bad_v2(
            value,
            f"parts after a wildcarded part must be 0 (use '{'.'.join(parts[: position + 1])}"
            f".{zeros}')",
        )
    kind = {"+": LATEST_STABLE, "~": LATEST, "*": ALL}[operator]
    floor = tuple(numbers)
    if operator == "+":
        if len(parts) != 3:
            hint = f"'{main}.0'" if len(parts) == 2 else "'+' or 'X.Y.Z+'"
            raise _bad_v2(
                value, f"'+' selects stable versions, which have three parts (use {hint})"
            )
        if bare and position == 0:
            floor = (1, 0, 0)  # `+.0.0` = `1+.0.0`
        elif numbers[0] == 0:
            raise _bad_v2(value, "the major version must be greater than 0 with '+'")
    elif len(parts) == 1:
        raise _bad_v2(value, f"'{operator}' needs at least two parts here (e.g. '{main}.0')")
    return VersionTerm(kind, parts=len(parts), fixed=tuple(numbers[:position]), floor=floor)


DEFAULT_VERSIONS_V1 = parse_versions_v1("latest")
DEFAULT_VERSIONS_V2 = parse_versions_v2("~")
