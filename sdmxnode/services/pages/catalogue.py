"""What the pages show about structures: dataflows by category, code lists, search, languages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sdmx.model import common

from sdmxnode.errors import NotFound
from sdmxnode.rest.versions import parse_versions_v1
from sdmxnode.services.node import Node
from sdmxnode.services.structures.queries import select_versions
from sdmxnode.storage.records import StoredArtefact

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class ArtefactEntry:
    """One maintainable artefact as a page lists it."""

    agency_id: str
    id: str
    version: str
    name: str
    has_data: bool = False


@dataclass(frozen=True)
class CategoryGroup:
    """A category of a category scheme and the dataflows categorised under it."""

    id: str
    name: str
    dataflows: list[ArtefactEntry]


@dataclass(frozen=True)
class Catalogue:
    """What the node publishes: dataflows by category, the rest, and code lists."""

    scheme_name: str
    groups: list[CategoryGroup]
    uncategorised: list[ArtefactEntry]
    codelists: list[ArtefactEntry]
    artefact_count: int


@dataclass(frozen=True)
class SearchHit:
    """A dataflow, code list or code whose id or name matches a search."""

    kind: str  # 'dataflow' | 'codelist' | 'code'
    agency_id: str
    id: str
    name: str
    code: str = ""  # for kind 'code': the code id (id is then the code list's)


@dataclass(frozen=True)
class CodeRow:
    """One code of a code list: names by language and place in the hierarchy."""

    id: str
    names: dict[str, str]
    parent: str | None
    level: int


@dataclass(frozen=True)
class CodelistView:
    """A code list as its page shows it."""

    entry: ArtefactEntry
    description: str
    languages: list[str]
    codes: list[CodeRow]
    total: int
    versions: list[str] = field(default_factory=list)


def model_of(node: Node, artefact: StoredArtefact) -> Any:
    """The sdmx1 object of a stored artefact (cached)."""
    return node.cache.get(artefact, node.store.read_one_xml(artefact))


def text_in(text: object, language: str) -> str:
    """The `language` text of an sdmx1 InternationalString, else English, else the first."""
    localizations = getattr(text, "localizations", None) or {}
    for wanted in (language, DEFAULT_LANGUAGE):
        if wanted in localizations:
            return str(localizations[wanted])
    return str(next(iter(localizations.values()), ""))


def languages_of(objects: Iterable[Any]) -> list[str]:
    """The languages the names of `objects` (and of their items) are given in, English first."""
    found: set[str] = set()
    for obj in objects:
        found.update(getattr(obj.name, "localizations", {}) or {})
        for item in getattr(obj, "items", {}).values():
            found.update(getattr(item.name, "localizations", {}) or {})
    return sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang))


def list_languages(node: Node) -> list[str]:
    """Every language the node's dataflows and code lists carry names in."""
    artefacts = node.store.find_artefacts({"Dataflow", "Codelist", "CategoryScheme"})
    return languages_of(model_of(node, a) for a in artefacts) or [DEFAULT_LANGUAGE]


def latest(candidates: list[StoredArtefact], version: str | None = None) -> StoredArtefact:
    """The artefact of `version` among `candidates`, or the latest; raises NotFound."""
    selector = parse_versions_v1(version or "latest")
    chosen = select_versions(candidates, selector)
    if not chosen:
        raise NotFound("no such artefact in this node", where="path")
    return chosen[-1]


def get_artefact(
    node: Node, type_: str, agency_id: str, id_: str, version: str | None = None
) -> StoredArtefact:
    """The stored artefact of that type, agency and id (`version` or latest); NotFound if none."""
    candidates = node.store.find_artefacts({type_}, {agency_id}, {id_})
    if not candidates:
        raise NotFound(f"no {type_} {agency_id}:{id_} in this node", where="path")
    try:
        return latest(candidates, version)
    except NotFound as exc:
        raise NotFound(f"no {type_} {agency_id}:{id_}({version}) in this node") from exc


def _entry(
    node: Node, artefact: StoredArtefact, language: str, with_data: set[int]
) -> ArtefactEntry:
    return ArtefactEntry(
        artefact.ref.agency_id,
        artefact.ref.id,
        artefact.ref.version,
        text_in(model_of(node, artefact).name, language) or artefact.name,
        artefact.pk in with_data,
    )


def get_catalogue(node: Node, language: str) -> Catalogue:
    """Dataflows grouped by the categories of the node's category scheme, and code lists."""
    flows = select_versions(node.store.find_artefacts({"Dataflow"}), parse_versions_v1("latest"))
    with_data = {f.pk for f in flows if node.data.find_layout(f.pk) is not None}
    entries = {(f.ref.agency_id, f.ref.id): _entry(node, f, language, with_data) for f in flows}
    schemes = node.store.find_artefacts({"CategoryScheme"})
    scheme = model_of(node, schemes[-1]) if schemes else None
    placed: dict[str, list[ArtefactEntry]] = {}
    categorised: set[tuple[str, str]] = set()
    for artefact in node.store.find_artefacts({"Categorisation"}):
        categorisation = model_of(node, artefact)
        target = categorisation.artefact
        maintainer = getattr(target, "maintainer", None)
        key = (maintainer.id if maintainer is not None else "", target.id)
        if key in entries and categorisation.category is not None:
            placed.setdefault(categorisation.category.id, []).append(entries[key])
            categorised.add(key)
    groups = []
    if scheme is not None:
        for category in scheme.items.values():
            members = sorted(placed.get(category.id, []), key=lambda e: e.name)
            if members:
                groups.append(CategoryGroup(category.id, text_in(category.name, language), members))
    codelists = select_versions(
        node.store.find_artefacts({"Codelist"}), parse_versions_v1("latest")
    )
    return Catalogue(
        scheme_name=text_in(scheme.name, language) if scheme is not None else "",
        groups=groups,
        uncategorised=[e for k, e in entries.items() if k not in categorised],
        codelists=sorted((_entry(node, c, language, set()) for c in codelists), key=lambda e: e.id),
        artefact_count=node.store.count_artefacts(),
    )


def search_catalogue(node: Node, text: str, language: str, limit: int = 100) -> list[SearchHit]:
    """Dataflows, code lists and codes whose id or name (in any language) contains `text`."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    hits: list[SearchHit] = []

    def matches(id_: str, name: object) -> bool:
        localizations = getattr(name, "localizations", None) or {}
        return wanted in id_.casefold() or any(
            wanted in str(v).casefold() for v in localizations.values()
        )

    for type_, kind in (("Dataflow", "dataflow"), ("Codelist", "codelist")):
        artefacts = select_versions(node.store.find_artefacts({type_}), parse_versions_v1("latest"))
        for artefact in artefacts:
            obj = model_of(node, artefact)
            if matches(obj.id, obj.name):
                hits.append(
                    SearchHit(kind, artefact.ref.agency_id, obj.id, text_in(obj.name, language))
                )
            if kind == "codelist":
                for code in obj.items.values():
                    if matches(code.id, code.name):
                        hits.append(
                            SearchHit(
                                "code",
                                artefact.ref.agency_id,
                                obj.id,
                                text_in(code.name, language),
                                code.id,
                            )
                        )
            if len(hits) >= limit:
                return hits[:limit]
    return hits


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


def get_codelist_view(
    node: Node, agency_id: str, id_: str, version: str | None, language: str, query: str = ""
) -> CodelistView:
    """A code list's codes in tree order with names in every language it carries; with
    `query`, only codes whose id or a name contains it (and their ancestors)."""
    artefact = get_artefact(node, "Codelist", agency_id, id_, version)
    codelist = model_of(node, artefact)
    languages = languages_of([codelist]) or [DEFAULT_LANGUAGE]
    codes = _in_tree_order(list(codelist.items.values()))
    wanted = query.strip().casefold()
    if wanted:
        matching = {
            c.id
            for c in codes
            if wanted in c.id.casefold()
            or any(wanted in str(v).casefold() for v in c.name.localizations.values())
        }
        keep = set(matching)
        for code in codes:
            if code.id in matching:
                parent = code.parent
                while isinstance(parent, common.Code):
                    keep.add(parent.id)
                    parent = parent.parent
        codes = [c for c in codes if c.id in keep]
    rows = [
        CodeRow(
            code.id,
            {lang: str(code.name.localizations.get(lang, "")) for lang in languages},
            code.parent.id if isinstance(code.parent, common.Code) else None,
            _depth(code),
        )
        for code in codes
    ]
    versions = [a.ref.version for a in node.store.find_artefacts({"Codelist"}, {agency_id}, {id_})]
    return CodelistView(
        entry=_entry(node, artefact, language, set()),
        description=text_in(codelist.description, language),
        languages=languages,
        codes=rows,
        total=len(codelist.items),
        versions=versions,
    )
