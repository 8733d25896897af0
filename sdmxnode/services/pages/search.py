"""The home page's search: words matched in any order, case- and accent-insensitively, over
dataflows, code lists, codes (ids, names in every language, identifying annotations such as
M49 and ISO codes), and over data (a dataflow and codes with data in it, opening the explorer).
A year in the search ("Kenya 2019") within a dataflow's time span is that dataflow's time
range rather than a word to match (see `search_periods`).

The text searched is built once per generation of the structure store and kept in the model
cache; what has data comes from the availability of each dataflow (`holdings`). A query then
reads nothing per code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sdmxnode.rest.versions import parse_versions_v1
from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import model_of, text_in
from sdmxnode.services.pages.explorer.selection import default_key
from sdmxnode.services.pages.holdings import HeldFlow, list_held_flows
from sdmxnode.services.structures.queries import select_versions

#: Annotations that list other codes (aggregates' members): not a name of the code itself.
LISTING_ANNOTATIONS = frozenset({"MEMBERS"})
#: The most results of each kind.
MAX_DATA_HITS = 20
MAX_HITS = 100
#: How well a word matches a text: a whole word (or id), the start of a word, inside one.
EXACT, PREFIX, INSIDE = 3, 2, 1

_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"[0-9]{4}")


def normalise(text: str) -> str:
    """`text` folded for matching: accents dropped (NFKD without combining marks), case
    folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def query_words(text: str) -> list[str]:
    """The distinct words of a query, normalised, in the order given."""
    return list(dict.fromkeys(normalise(text).split()))


def year_words(words: Iterable[str]) -> list[str]:
    """The words of a query that are years (four digits)."""
    return [w for w in words if _YEAR.fullmatch(w)]


def search_periods(
    words: Sequence[str], time_start: str | None, time_end: str | None
) -> dict[str, str]:
    """The explorer's time range (`startPeriod`, `endPeriod`) that the years among `words`
    ask of data spanning `time_start` to `time_end` (SDMX periods, '2019', '2019-Q1'): from
    the first to the last of the years within that span; none when no year is within it
    (a year outside the data stays a word to match, so it finds only what names it)."""
    if not time_start or not time_end:
        return {}
    first, last = time_start[:4], time_end[:4]
    years = sorted(y for y in year_words(words) if first <= y <= last)
    if not years:
        return {}
    return {"startPeriod": years[0], "endPeriod": years[-1]}


def _period_words(periods: Mapping[str, str], words: Sequence[str]) -> set[str]:
    """The words of `words` that the time range `periods` (from `search_periods`) took."""
    if not periods:
        return set()
    return {w for w in year_words(words) if periods["startPeriod"] <= w <= periods["endPeriod"]}


@dataclass(frozen=True)
class Searchable:
    """What a thing can be found by: identifiers (matched whole or by their start) and texts
    (names, descriptions, matched anywhere), all normalised."""

    identifiers: tuple[str, ...]
    texts: tuple[str, ...]
    _words: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def of(cls, identifiers: Iterable[str], texts: Iterable[str]) -> Searchable:
        """The searchable form of raw identifiers and texts (normalised, deduplicated)."""
        ids = tuple(dict.fromkeys(normalise(i) for i in identifiers if i))
        folded = tuple(dict.fromkeys(normalise(t) for t in texts if t))
        words = frozenset(w for t in folded for w in _WORD.findall(t))
        return cls(ids, folded, words)

    def quality(self, word: str) -> int:
        """How well `word` (normalised) matches: EXACT, PREFIX, INSIDE or 0."""
        if word in self.identifiers or word in self._words or word in self.texts:
            return EXACT
        if any(i.startswith(word) for i in self.identifiers) or any(
            w.startswith(word) for w in self._words
        ):
            return PREFIX
        if any(word in t for t in self.texts):
            return INSIDE
        return 0

    @property
    def folded(self) -> str:
        """Everything searchable in one normalised text (for the pages' live filters)."""
        return " ".join(self.identifiers + self.texts)


@dataclass(frozen=True)
class IndexedCode:
    """A code of a code list, as search finds it."""

    id: str
    name: Any  # an sdmx1 InternationalString
    searchable: Searchable


@dataclass(frozen=True)
class IndexedArtefact:
    """A latest dataflow or code list, as search finds it (codes for a code list)."""

    artefact: Any  # StoredArtefact
    name: Any
    searchable: Searchable
    codes: tuple[IndexedCode, ...] = ()


@dataclass(frozen=True)
class SearchIndex:
    """The searchable text of the node's latest dataflows and code lists; code lists also
    by every version ('AGENCY:ID(VERSION)'), as DSDs name them."""

    dataflows: tuple[IndexedArtefact, ...]
    codelists: tuple[IndexedArtefact, ...]
    by_identity: Mapping[str, IndexedArtefact]


def _localised(text: object) -> list[str]:
    return [str(v) for v in (getattr(text, "localizations", None) or {}).values()]


def code_annotations(code: Any) -> list[tuple[str, str]]:
    """(type, text) of a code's annotations that name it (not those listing other codes)."""
    found = []
    for annotation in getattr(code, "annotations", None) or []:
        type_ = str(annotation.type or "")
        if type_ in LISTING_ANNOTATIONS:
            continue
        texts = _localised(annotation.text)
        if texts:
            found.append((type_, texts[0]))
    return found


def code_searchable(code: Any) -> Searchable:
    """A code found by its id, identifying annotations (one-word values: M49, ISO alpha-2)
    and its names and longer annotation texts in every language."""
    annotations = [text for _, text in code_annotations(code)]
    identifiers = [code.id] + [t for t in annotations if len(t.split()) == 1]
    texts = _localised(code.name) + [t for t in annotations if len(t.split()) > 1]
    return Searchable.of(identifiers, texts)


def _index_codelist(artefact: Any, codelist: Any) -> IndexedArtefact:
    codes = tuple(
        IndexedCode(code.id, code.name, code_searchable(code)) for code in codelist.items.values()
    )
    searchable = Searchable.of([codelist.id], _localised(codelist.name))
    return IndexedArtefact(artefact, codelist.name, searchable, codes)


def build_index(node: Node) -> SearchIndex:
    """The searchable text of the node's structures (see SearchIndex)."""
    latest = parse_versions_v1("latest")
    dataflows = []
    for artefact in select_versions(node.store.find_artefacts({"Dataflow"}), latest):
        flow = model_of(node, artefact)
        texts = _localised(flow.name) + _localised(flow.description)
        dataflows.append(IndexedArtefact(artefact, flow.name, Searchable.of([flow.id], texts)))
    every = node.store.find_artefacts({"Codelist"})
    newest = {a.pk for a in select_versions(every, latest)}
    by_identity = {a.ref.identity: _index_codelist(a, model_of(node, a)) for a in every}
    codelists = tuple(
        sorted(
            (entry for entry in by_identity.values() if entry.artefact.pk in newest),
            key=lambda e: (e.artefact.ref.agency_id, e.artefact.ref.id),
        )
    )
    return SearchIndex(tuple(dataflows), codelists, by_identity)


def get_index(node: Node) -> SearchIndex:
    """The search index of the store's current generation (built once, then cached)."""
    generation = node.store.generation()
    return node.cache.derived(("page search index", generation), lambda: build_index(node))


@dataclass(frozen=True)
class SearchHit:
    """A dataflow, code list or code that every word of a search matches."""

    kind: str  # 'dataflow' | 'codelist' | 'code'
    agency_id: str
    id: str
    name: str
    code: str = ""  # for kind 'code': the code id (id is then the code list's)
    has_data: bool = False  # for kind 'dataflow': it can be explored
    score: int = 0
    #: For kind 'dataflow' with data: the explorer's time range the search's years ask for.
    periods: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChosenCode:
    """A code a data hit selects: its dimension (id and name) and its name."""

    dimension: str
    dimension_name: str
    code: str
    name: str


@dataclass(frozen=True)
class DataHit:
    """Data of a dataflow for some codes: the explorer's selection `key` shows it."""

    agency_id: str
    id: str
    flow_name: str
    codes: tuple[ChosenCode, ...]
    key: str
    score: int
    #: The explorer's time range the search's years ask for (`startPeriod`, `endPeriod`).
    periods: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """'International migrant stock, Kenya, 2019': the dataflow, the chosen codes' names
        and the time range, if the search named years."""
        return ", ".join([self.flow_name, *(c.name for c in self.codes), *self.period_label])

    @property
    def period_label(self) -> list[str]:
        """['2019'] or ['2000-2019'] for a time range, [] without one."""
        if not self.periods:
            return []
        start, end = self.periods["startPeriod"], self.periods["endPeriod"]
        return [start if start == end else f"{start}-{end}"]


@dataclass(frozen=True)
class SearchResults:
    """Data first (what opens the explorer), then dataflows, code lists and codes."""

    data: list[DataHit]
    hits: list[SearchHit]


def search_node(node: Node, text: str, language: str) -> SearchResults:
    """What every word of `text` matches, each somewhere: a dataflow (id, name, description),
    a code list, a code (id, names, annotations), or a dataflow together with codes that
    have data in it (the words split between them), best matches first.

    Years (four digits) within the time span of a dataflow's data are its time range
    (`search_periods`) instead of words to match, for its data and dataflow hits; code lists
    and codes do without them, unless the search is years only. A year outside every
    dataflow's data is an ordinary word."""
    words = query_words(text)
    if not words:
        return SearchResults([], [])
    index = get_index(node)
    held = {flow.artefact.pk: flow for flow in list_held_flows(node)}
    periods = {
        pk: search_periods(words, flow.availability.time_start, flow.availability.time_end)
        for pk, flow in held.items()
    }
    taken = set().union(*(_period_words(p, words) for p in periods.values()))
    code_words = [w for w in words if w not in taken] or words
    hits: list[SearchHit] = []
    for entry in index.dataflows:
        flow_periods = periods.get(entry.artefact.pk, {})
        flow_words = [w for w in words if w not in _period_words(flow_periods, words)]
        score = _score(entry.searchable, flow_words) if flow_words else EXACT
        if score:
            ref = entry.artefact.ref
            name = text_in(entry.name, language)
            hits.append(
                SearchHit(
                    "dataflow",
                    ref.agency_id,
                    ref.id,
                    name,
                    "",
                    entry.artefact.pk in held,
                    score,
                    flow_periods,
                )
            )
    for entry in index.codelists:
        ref = entry.artefact.ref
        score = _score(entry.searchable, code_words)
        if score:
            hits.append(
                SearchHit(
                    "codelist",
                    ref.agency_id,
                    ref.id,
                    text_in(entry.name, language),
                    "",
                    False,
                    score,
                )
            )
        for code in entry.codes:
            score = _score(code.searchable, code_words)
            if score:
                name = text_in(code.name, language)
                hits.append(SearchHit("code", ref.agency_id, ref.id, name, code.id, False, score))
    kinds = {"dataflow": 0, "codelist": 1, "code": 2}
    hits.sort(key=lambda h: (kinds[h.kind], -h.score))
    data = _data_hits(
        node,
        index,
        [held[e.artefact.pk] for e in index.dataflows if e.artefact.pk in held],
        words,
        language,
        periods,
    )
    return SearchResults(data[:MAX_DATA_HITS], hits[:MAX_HITS])


def _score(searchable: Searchable, words: Sequence[str]) -> int:
    """The sum of the words' match qualities, or 0 when some word does not match."""
    total = 0
    for word in words:
        quality = searchable.quality(word)
        if not quality:
            return 0
        total += quality
    return total


@dataclass(frozen=True)
class _Candidate:
    position: int
    code: IndexedCode
    qualities: Mapping[str, int]


def _data_hits(
    node: Node,
    index: SearchIndex,
    flows: Sequence[HeldFlow],
    all_words: Sequence[str],
    language: str,
    periods: Mapping[int, Mapping[str, str]],
) -> list[DataHit]:
    """Per dataflow with data: the sets of codes with data (one per dimension at most) that,
    with the dataflow's own text, match every word but the years its time range took
    (`periods`, by dataflow key); the dataflow alone is a dataflow hit."""
    entries = {e.artefact.pk: e for e in index.dataflows}
    found: list[tuple[tuple, DataHit]] = []
    for order, flow in enumerate(flows):
        flow_entry = entries[flow.artefact.pk]
        flow_periods = periods.get(flow.artefact.pk, {})
        taken = _period_words(flow_periods, all_words)
        words = [w for w in all_words if w not in taken]
        by_flow = {w: flow_entry.searchable.quality(w) for w in words}
        open_words = [w for w in words if not by_flow[w]]
        if not open_words:
            continue
        combinations = list(_covers(open_words, _candidates(index, flow, open_words)))
        if not combinations:
            continue
        view = flow.view(node, language)
        labels, default = view.labels, default_key(view)
        for combination in combinations:
            score = sum(
                max([by_flow[w]] + [c.qualities.get(w, 0) for c in combination]) for w in words
            )
            dimensions = flow.structure.dimensions
            chosen = tuple(
                ChosenCode(
                    dimensions[c.position].id,
                    labels.components.get(dimensions[c.position].id, dimensions[c.position].id),
                    c.code.id,
                    text_in(c.code.name, language) or c.code.id,
                )
                for c in sorted(combination, key=lambda c: c.position)
            )
            key = flow.key_with(default, {c.dimension: c.code for c in chosen})
            ref = flow.artefact.ref
            hit = DataHit(
                ref.agency_id,
                ref.id,
                text_in(flow_entry.name, language),
                chosen,
                key,
                score,
                dict(flow_periods),
            )
            rank = (-score, len(chosen), [c.position for c in combination], order)
            found.append((rank, hit))
    found.sort(key=lambda pair: pair[0])
    return [hit for _, hit in found]


def _candidates(index: SearchIndex, flow: HeldFlow, words: Sequence[str]) -> list[_Candidate]:
    """The codes with data in the dataflow that match at least one of `words`, best first."""
    candidates = []
    for position, dimension in enumerate(flow.structure.dimensions):
        entry = index.by_identity.get(dimension.codelist or "")
        if entry is None:
            continue
        held = flow.held(dimension.id)
        for code in entry.codes:
            if code.id not in held:
                continue
            qualities = {w: q for w in words if (q := code.searchable.quality(w))}
            if qualities:
                candidates.append(_Candidate(position, code, qualities))
    candidates.sort(key=lambda c: (-sum(c.qualities.values()), c.position))
    return candidates


#: The most code combinations tried per dataflow.
MAX_COMBINATIONS = 30


def _covers(
    words: Sequence[str], candidates: Sequence[_Candidate]
) -> Iterator[tuple[_Candidate, ...]]:
    """Combinations of candidates on distinct dimensions that together match every word,
    each once (at most MAX_COMBINATIONS)."""
    seen: set[frozenset[tuple[int, str]]] = set()

    def cover(remaining: Sequence[str], chosen: tuple[_Candidate, ...]) -> Iterator[tuple]:
        if not remaining:
            identity = frozenset((c.position, c.code.id) for c in chosen)
            if identity not in seen:
                seen.add(identity)
                yield chosen
            return
        used = {c.position for c in chosen}
        for candidate in candidates:
            if candidate.position in used or remaining[0] not in candidate.qualities:
                continue
            rest = [w for w in remaining if w not in candidate.qualities]
            yield from cover(rest, (*chosen, candidate))
            if len(seen) >= MAX_COMBINATIONS:
                return

    yield from cover(list(words), ())
