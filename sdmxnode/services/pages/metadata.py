"""What the metadata pages show: a metadata set's report in words, and the sets that
document a dataflow.

Attribute names come from the concepts the MSD gives its metadata attributes, coded values
from the MSD's code lists, texts in the page language (else English, else the first), and
structured text through the allow-list sanitiser. Any name the node cannot find stays an id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from sdmxnode.errors import NotFound, SdmxNodeError
from sdmxnode.formats.languages import Label, best_label
from sdmxnode.formats.metadata import (
    MetadataSet,
    ReportedAttribute,
    TargetIdentity,
    Texts,
    from_json,
    parse_target_urn,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import get_artefact, model_of, text_in
from sdmxnode.services.pages.xhtml import sanitise_xhtml
from sdmxnode.storage.metadata.reads import MetadataReads


@dataclass(frozen=True)
class AttributeRow:
    """One reported attribute, indented by `depth` under its parent."""

    id: str
    name: str
    depth: int
    values: list[tuple[str, str]]  # (value, name of the code or the value itself)
    text: str
    html: Markup
    html_lang: str = ""  # the language of `html` (it may have fallen back to another)


@dataclass(frozen=True)
class TargetView:
    """What a set is about: the URN, what it names and a readable label."""

    urn: str
    identity: TargetIdentity | None
    label: str


@dataclass(frozen=True)
class MetadataSetView:
    """A metadata set as its page shows it."""

    metadata_set: MetadataSet
    name: str
    targets: list[TargetView]
    rows: list[AttributeRow]


@dataclass(frozen=True)
class FlowMetadata:
    """A metadata set documenting a dataflow, for one area (if it targets a code)."""

    agency_id: str
    id: str
    version: str
    name: str
    area: str  # the targeted code's id, '' if none
    area_name: str


def text_for(texts: Texts, language: str) -> str:
    """The text in `language`, else English, else the first; '' if none (a `Label`, so
    the pages mark a text that fell back to another language)."""
    return best_label(dict(texts), language) if texts else ""


class NameBook:
    """Names of concepts, codes and MSD attributes in one language, each scheme read once."""

    def __init__(self, node: Node, language: str) -> None:
        self.node = node
        self.language = language
        self._items: dict[tuple[str, str, str, str], dict[str, str]] = {}

    def items(self, type_: str, agency: str, id_: str, version: str | None) -> dict[str, str]:
        """Item id -> name of a code list or concept scheme; {} if the node lacks it."""
        key = (type_, agency, id_, version or "")
        if key not in self._items:
            try:
                scheme = model_of(self.node, get_artefact(self.node, type_, agency, id_, version))
                self._items[key] = {
                    item.id: text_in(item.name, self.language) or item.id
                    for item in scheme.items.values()
                }
            except SdmxNodeError:
                self._items[key] = {}
        return self._items[key]

    def target_label(self, target: TargetIdentity) -> str:
        """A code's or concept's name, a structure's name, else its identity."""
        identity = f"{target.agency_id}:{target.id}({target.version})"
        if target.item:
            names = self.items(target.type, target.agency_id, target.id, target.version)
            name = names.get(target.item)
            if not name:
                return f"{identity}.{target.item}"
            return Label(f"{name} ({target.item})", getattr(name, "lang", self.language))
        try:
            artefact = get_artefact(
                self.node, target.type, target.agency_id, target.id, target.version
            )
            return text_in(model_of(self.node, artefact).name, self.language) or identity
        except SdmxNodeError:
            return identity


@dataclass(frozen=True)
class DeclaredAttribute:
    """A metadata attribute of an MSD: its concept's name and its codes' names."""

    name: str
    codes: dict[str, str]


def msd_attributes(
    node: Node, structure: ArtefactRef, book: NameBook
) -> dict[str, DeclaredAttribute]:
    """Attribute id -> its concept's name and code names, from the MSD the set reports
    against (directly or through its metadataflow); {} when the node lacks them."""
    try:
        ref = structure
        if ref.type == "Metadataflow":
            flow = model_of(node, get_artefact(node, ref.type, ref.agency_id, ref.id, ref.version))
            msd_ref = flow.structure
            ref = ArtefactRef(
                "MetadataStructure", str(msd_ref.maintainer.id), msd_ref.id, msd_ref.version
            )
        if ref.type != "MetadataStructure":
            return {}
        msd = model_of(node, get_artefact(node, ref.type, ref.agency_id, ref.id, ref.version))
    except (SdmxNodeError, AttributeError):
        return {}
    declared: dict[str, DeclaredAttribute] = {}
    for attribute in _walk(list(msd.attributes)):
        concept = attribute.concept_identity
        name = attribute.id
        scheme = getattr(concept, "parent", None)
        if scheme is not None and scheme.maintainer is not None:
            concepts = book.items(
                "ConceptScheme", str(scheme.maintainer.id), scheme.id, scheme.version
            )
            name = concepts.get(concept.id, name)
        codes: dict[str, str] = {}
        representation = attribute.local_representation
        codelist = getattr(representation, "enumerated", None)
        if codelist is not None and codelist.maintainer is not None:
            codes = book.items(
                "Codelist", str(codelist.maintainer.id), codelist.id, codelist.version
            )
        declared[attribute.id] = DeclaredAttribute(name, codes)
    return declared


def _walk(attributes: list[Any]) -> Iterator[Any]:
    for attribute in attributes:
        yield attribute
        yield from _walk(list(getattr(attribute, "child", None) or []))


def _rows(
    attributes: tuple[ReportedAttribute, ...],
    declared: dict[str, DeclaredAttribute],
    language: str,
    depth: int = 0,
) -> Iterator[AttributeRow]:
    for attribute in attributes:
        known = declared.get(attribute.id)
        values = []
        if attribute.value is not None:
            codes = known.codes if known else {}
            values.append((attribute.value, codes.get(attribute.value, attribute.value)))
        xhtml = text_for(attribute.xhtml, language)
        yield AttributeRow(
            attribute.id,
            known.name if known else attribute.id,
            depth,
            values,
            text_for(attribute.texts, language),
            Markup(sanitise_xhtml(xhtml)) if xhtml else Markup(""),  # noqa: S704 - sanitised
            getattr(xhtml, "lang", ""),
        )
        yield from _rows(attribute.attributes, declared, language, depth + 1)


def get_metadata_view(
    node: Node, agency_id: str, id_: str, version: str, language: str
) -> MetadataSetView:
    """The stored set `agency_id:id_(version)` in words; NotFound if the node lacks it."""
    reads = MetadataReads.sharing(node.store)
    found = reads.find_sets(agencies=[agency_id], ids=[id_], versions=[version])
    if not found:
        raise NotFound(f"no metadata set {agency_id}:{id_}({version}) in this node", where="path")
    metadata_set = from_json(found[0].body)
    book = NameBook(node, language)
    declared = msd_attributes(node, metadata_set.structure, book)
    targets: list[TargetView] = []
    rows: list[AttributeRow] = []
    for report in metadata_set.reports:
        for target in report.targets:
            identity = parse_target_urn(target.value) if target.kind == "object" else None
            label = book.target_label(identity) if identity else target.value
            targets.append(TargetView(target.value, identity, label))
        rows.extend(_rows(report.attributes, declared, language))
    name = text_for(metadata_set.names, language) or metadata_set.id
    return MetadataSetView(metadata_set, name, targets, rows)


def flow_metadata_sets(node: Node, flow: ArtefactRef) -> list[tuple[MetadataSet, str]]:
    """The metadata sets whose reports target the dataflow `flow` (this version), each with
    the id of the code it also targets (the country; '' if none)."""
    reads = MetadataReads.sharing(node.store)
    found = []
    for hit in reads.find_targeting({"Dataflow"}, [flow.agency_id], [flow.id]):
        if hit.target.version != flow.version:
            continue
        metadata_set = from_json(hit.metadata_set.body)
        found.append((metadata_set, _area_of(metadata_set)))
    return found


def _area_of(metadata_set: MetadataSet) -> str:
    codelist = _area_codelist(metadata_set)
    return codelist.item if codelist is not None else ""


def _area_codelist(metadata_set: MetadataSet) -> TargetIdentity | None:
    for report in metadata_set.reports:
        for target in report.targets:
            identity = parse_target_urn(target.value)
            if identity is not None and identity.type == "Codelist" and identity.item:
                return identity
    return None


def list_flow_metadata(node: Node, flow: ArtefactRef, language: str) -> list[FlowMetadata]:
    """The metadata sets documenting the dataflow `flow`, by the name of their country."""
    book = NameBook(node, language)
    found = []
    for metadata_set, area in flow_metadata_sets(node, flow):
        codelist = _area_codelist(metadata_set)
        area_name = area
        if codelist is not None:
            names = book.items("Codelist", codelist.agency_id, codelist.id, codelist.version)
            area_name = names.get(area, area)
        found.append(
            FlowMetadata(
                metadata_set.agency_id,
                metadata_set.id,
                metadata_set.version,
                text_for(metadata_set.names, language) or metadata_set.id,
                area,
                area_name,
            )
        )
    return sorted(found, key=lambda f: (f.area_name.casefold(), f.id))


def metadata_rest_url(root: str, agency_id: str, id_: str, version: str) -> str:
    """The SDMX-REST 2.x URL of one set under `root` (ending in '/'). Any provider (`*`):
    a set's provider segment is its metadata provider or, without one, its agency."""
    del agency_id  # the 2.x metadataset query has no agency segment
    return f"{root}rest/v2/metadata/metadataset/*/{quote(id_)}/{quote(version)}"
