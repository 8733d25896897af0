"""What the dataflow page shows: the DSD's components, availability and download links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sdmxnode.errors import NoResults
from sdmxnode.formats.registry.data import DATA_FORMATS
from sdmxnode.formats.rows import Labels, StructureInfo
from sdmxnode.rest.availability import parse_availability_query_v1
from sdmxnode.services.data.availability import Availability, find_availability
from sdmxnode.services.node import Node
from sdmxnode.services.pages.catalogue import get_artefact, model_of, text_in
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.storage.records import StoredArtefact


@dataclass(frozen=True)
class ComponentView:
    """A dimension, measure or attribute with its name and code list."""

    id: str
    role: str
    name: str
    codelist: str | None  # 'AGENCY:ID(VERSION)'
    codelist_agency: str | None
    codelist_id: str | None
    codelist_version: str | None
    attachment: str
    mandatory: bool


@dataclass(frozen=True)
class DownloadLink:
    """A data download in one format."""

    label: str
    url: str


@dataclass(frozen=True)
class DataflowView:
    """A dataflow with its structure, labels and (when it has data) availability."""

    artefact: StoredArtefact
    name: str
    description: str
    structure: StructureInfo
    labels: Labels
    components: list[ComponentView]
    availability: Availability | None

    @property
    def flow_ref(self) -> str:
        """The SDMX-REST 1.5 flowRef 'AGENCY,ID,VERSION'."""
        ref = self.artefact.ref
        return f"{ref.agency_id},{ref.id},{ref.version}"

    def available_codes(self, dimension: str) -> list[tuple[str, str]]:
        """(code, name) of the codes of `dimension` that have data, in code list order."""
        if self.availability is None:
            return []
        present = set(self.availability.values.get(dimension, []))
        names = self.labels.codes.get(dimension, {})
        ordered = [(code, name) for code, name in names.items() if code in present]
        ordered += [(code, code) for code in sorted(present - set(names))]
        return ordered


def _codelist_parts(text: str | None) -> tuple[str | None, str | None, str | None]:
    """'AG:ID(V)' -> ('AG', 'ID', 'V')."""
    if not text or ":" not in text:
        return None, None, None
    agency, _, rest = text.partition(":")
    id_, _, version = rest.partition("(")
    return agency, id_, version.rstrip(")") or None


def get_dataflow_view(
    node: Node, agency_id: str, id_: str, version: str | None, language: str
) -> DataflowView:
    """A dataflow, its DSD as components with names, and availability if it has data."""
    artefact = get_artefact(node, "Dataflow", agency_id, id_, version)
    dataflow = model_of(node, artefact)
    ref = artefact.ref
    builder = StructureInfoBuilder(node.store, node.cache)
    structure = builder(ref)
    labels = builder.labels(ref, (language,))
    components = []
    for component in (
        structure.dimensions
        + ((structure.time_dimension,) if structure.time_dimension else ())
        + structure.measures
        + structure.attributes
    ):
        parts = _codelist_parts(component.codelist)
        components.append(
            ComponentView(
                component.id,
                component.role,
                labels.components.get(component.id, component.id),
                component.codelist,
                *parts,
                component.attachment if component.role == "attribute" else "",
                component.mandatory,
            )
        )
    availability = None
    if node.data.find_layout(artefact.pk) is not None:
        query = parse_availability_query_v1(
            f"{agency_id},{id_},{artefact.ref.version}", None, None, None, {}
        )
        try:
            availability = find_availability(node, query)
        except NoResults:
            availability = None
    return DataflowView(
        artefact,
        text_in(dataflow.name, language) or artefact.name,
        text_in(dataflow.description, language),
        structure,
        labels,
        components,
        availability,
    )


def data_url(root: str, flow_ref: str, key: str = "all", fmt: str | None = None) -> str:
    """The SDMX-REST 1.5 data URL for a flowRef and key under `root` (ending in '/')."""
    url = f"{root}rest/data/{quote(flow_ref, safe=',')}/{quote(key or 'all', safe='.+*')}"
    return f"{url}?format={fmt}" if fmt else url


def list_download_links(root: str, flow_ref: str, key: str = "all") -> list[DownloadLink]:
    """One link per data format the node writes, for the selection `key`."""
    return [DownloadLink(fmt.name, data_url(root, flow_ref, key, fmt.name)) for fmt in DATA_FORMATS]
