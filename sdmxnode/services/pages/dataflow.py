"""What the dataflow page shows: the DSD's components, availability and download links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sdmxnode.errors import NoResults
from sdmxnode.formats.registry.data import DATA_FORMATS, data_file_name
from sdmxnode.formats.rows import Labels, StructureInfo
from sdmxnode.rest.availability import parse_availability_query_v1
from sdmxnode.services.data.availability import Availability, find_availability
from sdmxnode.services.node import Node
from sdmxnode.services.pages import N_
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
    """A data download in one format: what people read, the URL, the file it saves as."""

    label: str  # an interface message (msgid, N_): the page translates it
    url: str
    file_name: str = ""
    format_name: str = ""
    detail: str = ""  # shown after the label in parentheses, as is (a format's name)


@dataclass(frozen=True)
class DownloadGroup:
    """Downloads for one kind of use (spreadsheets, SDMX software, analysts' tools)."""

    title: str  # an interface message (msgid, N_): the page translates it
    links: tuple[DownloadLink, ...]


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


def data_url(
    root: str,
    flow_ref: str,
    key: str = "all",
    fmt: str | None = None,
    periods: Mapping[str, str] | None = None,
) -> str:
    """The SDMX-REST 1.5 data URL for a flowRef and key under `root` (ending in '/'), in
    format `fmt`, limited by `periods` (`startPeriod`, `endPeriod`, `lastNObservations`)."""
    url = f"{root}rest/data/{quote(flow_ref, safe=',')}/{quote(key or 'all', safe='.+*')}"
    parameters = {**({"format": fmt} if fmt else {}), **(periods or {})}
    return f"{url}?{urlencode(parameters)}" if parameters else url


#: What people read for each SDMX format (the format's name follows in the link).
_SDMX_LABELS = {
    "genericdata-2.1": N_("SDMX-ML 2.1 generic"),
    "generictimeseriesdata-2.1": N_("SDMX-ML 2.1 generic, time series"),
    "structurespecificdata-2.1": N_("SDMX-ML 2.1 structure-specific"),
    "structurespecifictimeseriesdata-2.1": N_("SDMX-ML 2.1 structure-specific, time series"),
    "structurespecificdata-3.0": "SDMX-ML 3.0",
    "structurespecificdata-3.1": "SDMX-ML 3.1",
    "csvdata-1.0": "SDMX-CSV 1.0",
    "csvdata-2.0": "SDMX-CSV 2.0",
    "csvdata-2.1": "SDMX-CSV 2.1",
    "jsondata-1.0": "SDMX-JSON 1.0",
    "jsondata-2.0": "SDMX-JSON 2.0",
    "jsondata-2.1": "SDMX-JSON 2.1",
}
_ANALYSTS = {"parquet": "Apache Parquet", "arrow": N_("Apache Arrow (IPC stream)")}


def list_download_links(
    root: str, flow_ref: str, key: str = "all", periods: Mapping[str, str] | None = None
) -> list[DownloadGroup]:
    """The selection `key` (within `periods`, as `data_url`) in every data format the node
    writes, by use: for spreadsheets (CSV with names and codes, CSV with codes, Excel), for
    SDMX software, for analysts."""
    formats = {fmt.name: fmt for fmt in DATA_FORMATS}
    agency, id_, version = (flow_ref.split(",") + ["", "", ""])[:3]

    def link(label: str, name: str, extra: str = "", detail: str = "") -> DownloadLink:
        url = data_url(root, flow_ref, key, name, periods) + extra
        file_name = data_file_name(formats[name], agency, id_, version, key or "all")
        return DownloadLink(label, url, file_name, name, detail)

    spreadsheets = (
        link(N_("CSV (names and codes)"), "csvdata-2.0", "&labels=both"),
        link(N_("CSV (codes)"), "csvdata-2.0"),
        link(N_("Excel (data and notes)"), "xlsx"),
    )
    sdmx = tuple(
        link(_SDMX_LABELS.get(fmt.name, fmt.name), fmt.name, detail=fmt.name)
        for fmt in DATA_FORMATS
        if fmt.name not in _ANALYSTS and fmt.name != "xlsx"
    )
    analysts = tuple(link(label, name) for name, label in _ANALYSTS.items())
    return [
        DownloadGroup(N_("For spreadsheets"), spreadsheets),
        DownloadGroup("SDMX", sdmx),
        DownloadGroup(N_("For analysts"), analysts),
    ]
