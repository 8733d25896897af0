"""What the pages show about structures: dataflows by category, artefacts, names by language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sdmxnode.errors import NotFound
from sdmxnode.formats.languages import Label
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


def model_of(node: Node, artefact: StoredArtefact) -> Any:
    """The sdmx1 object of a stored artefact (cached)."""
    return node.model(artefact)


def text_in(text: object, language: str) -> str:
    """The `language` text of an sdmx1 InternationalString, else English, else the first
    (a `Label`: the pages mark the texts that fell back to another language)."""
    localizations = getattr(text, "localizations", None) or {}
    for wanted in (language, DEFAULT_LANGUAGE):
        if wanted in localizations:
            return Label(str(localizations[wanted]), wanted)
    for tag, value in localizations.items():
        return Label(str(value), str(tag))
    return ""


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

    def build() -> list[str]:
        artefacts = node.store.find_artefacts({"Dataflow", "Codelist", "CategoryScheme"})
        return languages_of(model_of(node, a) for a in artefacts) or [DEFAULT_LANGUAGE]

    # Every page asks (the language menu): kept until the artefacts change.
    return list(node.cache.derived(("page-languages", node.store.generation()), build))


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


def artefact_entry(
    node: Node, artefact: StoredArtefact, language: str, with_data: set[int]
) -> ArtefactEntry:
    """How a page lists a stored artefact: identity, name in `language`, and whether it
    holds data (its pk is in `with_data`)."""
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
    entries = {
        (f.ref.agency_id, f.ref.id): artefact_entry(node, f, language, with_data) for f in flows
    }
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
        codelists=sorted(
            (artefact_entry(node, c, language, set()) for c in codelists), key=lambda e: e.id
        ),
        artefact_count=node.store.count_artefacts(),
    )
