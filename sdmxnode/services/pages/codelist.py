"""What the code-list page shows: codes in tree order with names in every language, their
identifying annotations (M49, ISO alpha-2) as columns, parents, members, and a link to the
aggregate check of each aggregate that has data; filtered by words (`?q=`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sdmx.model import common

from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import (
    DEFAULT_LANGUAGE,
    ArtefactEntry,
    artefact_entry,
    get_artefact,
    languages_of,
    model_of,
    text_in,
)
from sdmxnode.services.pages.holdings import list_held_flows
from sdmxnode.services.pages.search import (
    code_annotations,
    code_searchable,
    get_index,
    query_words,
)
from sdmxnode.services.structures.info import code_hierarchy

#: An annotation type is a column when every value of it is at most this long.
MAX_COLUMN_TEXT = 40


@dataclass(frozen=True)
class AggregateCheck:
    """A dataflow whose aggregate check covers a code (an aggregate with data there)."""

    agency_id: str
    id: str
    name: str


@dataclass(frozen=True)
class CodeRow:
    """One code of a code list: names by language, place in the hierarchy, annotations,
    members and aggregate checks."""

    id: str
    names: dict[str, str]
    parent: str | None
    level: int
    parent_name: str = ""
    annotations: dict[str, str] = field(default_factory=dict)
    members: tuple[tuple[str, str], ...] = ()  # (code, name)
    checks: tuple[AggregateCheck, ...] = ()
    search_text: str = ""  # id, names and annotations, normalised (the live filter's)


@dataclass(frozen=True)
class CodelistView:
    """A code list as its page shows it."""

    entry: ArtefactEntry
    description: str
    languages: list[str]
    codes: list[CodeRow]
    total: int
    versions: list[str] = field(default_factory=list)
    #: Annotation types shown as columns (short values on the codes: M49, ISO_ALPHA2).
    columns: list[str] = field(default_factory=list)


def _depth(code: common.Code) -> int:
    depth = 0
    parent = code.parent
    while isinstance(parent, common.Code) and depth < 50:
        depth += 1
        parent = parent.parent
    return depth


def _in_tree_order(codes: list[common.Code]) -> list[common.Code]:
    """Codes with each parent followed by its children (document order among siblings)."""
    children: dict[str | None, list[common.Code]] = {}
    known = {c.id for c in codes}
    for code in codes:
        parent = code.parent.id if isinstance(code.parent, common.Code) else None
        children.setdefault(parent if parent in known else None, []).append(code)
    ordered: list[common.Code] = []
    seen: set[str] = set()

    def visit(parent: str | None) -> None:
        for code in children.get(parent, []):
            if code.id not in seen:
                seen.add(code.id)
                ordered.append(code)
                visit(code.id)

    visit(None)
    return ordered + [c for c in codes if c.id not in seen]


def annotation_columns(codes: Iterable[Any]) -> list[str]:
    """The annotation types of the codes whose every value is short (identifiers and
    short labels, as M49 and ISO_ALPHA2), in the order first met."""
    lengths: dict[str, int] = {}
    for code in codes:
        for type_, text in code_annotations(code):
            lengths[type_] = max(lengths.get(type_, 0), len(text))
    return [type_ for type_, longest in lengths.items() if type_ and longest <= MAX_COLUMN_TEXT]


def _parent_id(code: common.Code) -> str | None:
    return code.parent.id if isinstance(code.parent, common.Code) else None


def filter_codes(
    codes: list[common.Code], texts: Mapping[str, str], query: str
) -> list[common.Code]:
    """The codes every word of `query` appears in (`texts`: per code, its id, names in every
    language and annotations, normalised), with their ancestors, in the given order."""
    words = query_words(query)
    if not words:
        return codes
    matching = {c.id for c in codes if all(w in texts.get(c.id, "") for w in words)}
    keep = set(matching)
    for code in codes:
        if code.id in matching:
            parent = code.parent
            while isinstance(parent, common.Code) and parent.id not in keep:
                keep.add(parent.id)
                parent = parent.parent
    return [c for c in codes if c.id in keep]


def _aggregate_checks(node: Node, identity: str, language: str) -> dict[str, list[AggregateCheck]]:
    """Per code: the dataflows with data where it is an aggregate of a dimension coded by
    the code list `identity` ('AGENCY:ID(VERSION)') and has data."""
    found: dict[str, list[AggregateCheck]] = {}
    for flow in list_held_flows(node):
        name = text_in(model_of(node, flow.artefact).name, language) or flow.artefact.name
        check = AggregateCheck(flow.artefact.ref.agency_id, flow.artefact.ref.id, name)
        codes: set[str] = set()
        for dimension in flow.structure.dimensions:
            if dimension.codelist == identity and dimension.hierarchy:
                held = flow.held(dimension.id)
                codes.update(code for code, _ in dimension.hierarchy if code in held)
        for code in codes:
            found.setdefault(code, []).append(check)
    return found


def get_codelist_view(
    node: Node, agency_id: str, id_: str, version: str | None, language: str, query: str = ""
) -> CodelistView:
    """A code list's codes in tree order with names in every language it carries, short
    annotations as columns, members and aggregate checks; with `query`, only the codes
    every word of it appears in (and their ancestors)."""
    artefact = get_artefact(node, "Codelist", agency_id, id_, version)
    codelist = model_of(node, artefact)
    languages = languages_of([codelist]) or [DEFAULT_LANGUAGE]
    every = list(codelist.items.values())
    columns = annotation_columns(every)
    indexed = get_index(node).by_identity.get(artefact.ref.identity)
    texts = (
        {c.id: c.searchable.folded for c in indexed.codes}
        if indexed is not None
        else {c.id: code_searchable(c).folded for c in every}
    )
    codes = filter_codes(_in_tree_order(every), texts, query)
    members: Mapping[str, tuple[str, ...]] = dict(code_hierarchy(codelist))
    checks = _aggregate_checks(node, artefact.ref.identity, language)

    def name_of(code_id: str) -> str:
        item = codelist.items.get(code_id)
        return text_in(item.name, language) if item is not None else code_id

    rows = []
    for code in codes:
        parent = _parent_id(code)
        annotations = dict(code_annotations(code))
        rows.append(
            CodeRow(
                code.id,
                {lang: str(code.name.localizations.get(lang, "")) for lang in languages},
                parent,
                _depth(code),
                name_of(parent) if parent else "",
                {c: annotations[c] for c in columns if c in annotations},
                tuple((m, name_of(m)) for m in members.get(code.id, ())),
                tuple(checks.get(code.id, ())),
                texts.get(code.id, ""),
            )
        )
    versions = [a.ref.version for a in node.store.find_artefacts({"Codelist"}, {agency_id}, {id_})]
    return CodelistView(
        entry=artefact_entry(node, artefact, language, set()),
        description=text_in(codelist.description, language),
        languages=languages,
        codes=rows,
        total=len(codelist.items),
        versions=versions,
        columns=columns,
    )
