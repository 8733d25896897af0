"""A test-only reader of SDMX-ML 2.1 structure-specific data (plain lxml), standing in for
the real readers of `sdmxnode/formats/` until they are merged; same interface as theirs:
`rows_of(path, resolver) -> DatasetRows`.

Component values found in the message but not in the DSD become extra columns after the
DSD's own, so that validation can report them.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from sdmxnode.formats.data_rows import DatasetRows, StructureRef, StructureResolver
from sdmxnode.formats.sdmxml import NS21, parse_xml

#: Unqualified XML attributes that SDMX-ML itself defines on DataSet, Series, Group and Obs.
_STANDARD = {
    "action",
    "setID",
    "reportingBeginDate",
    "reportingEndDate",
    "validFromDate",
    "validToDate",
    "publicationYear",
    "publicationPeriod",
    "dataScope",
    "structureRef",
    "type",
}


def _components(element: etree._Element) -> dict[str, str]:
    return {k: v for k, v in element.attrib.items() if not k.startswith("{") and k not in _STANDARD}


def rows_of(path: Path, resolver: StructureResolver) -> DatasetRows:
    """The first data set of the message at `path`, with its rows (structure from `resolver`)."""
    root = parse_xml(path.read_bytes()).getroot()
    structure = root.find("mes:Header/mes:Structure", NS21)
    usage = structure.find("com:StructureUsage/Ref", NS21)
    kind = "dataflow"
    if usage is None:
        usage, kind = structure.find("com:Structure/Ref", NS21), "datastructure"
    ref = StructureRef(kind, usage.get("agencyID"), usage.get("id"), usage.get("version", ""))
    info = resolver(ref)
    dataset = root.find("mes:DataSet", NS21)
    known = set(info.columns)
    extras: list[str] = []
    for element in dataset.iter():
        for name in _components(element):
            if name not in known and name not in extras:
                extras.append(name)
    columns = info.columns + tuple(extras)
    dataset_values = _components(dataset)
    groups = [_components(g) for g in dataset if etree.QName(g).localname == "Group"]

    def rows():
        for series in dataset:
            name = etree.QName(series).localname
            if name == "Obs":
                values = {**dataset_values, **_components(series)}
                yield tuple(values.get(c) for c in columns) + (series.sourceline,)
                continue
            if name != "Series":
                continue
            series_values = {**dataset_values, **_components(series)}
            for group in groups:
                if all(series_values.get(k) == v for k, v in group.items() if k in info.columns):
                    series_values = {**group, **series_values}
            observations = [o for o in series if etree.QName(o).localname == "Obs"]
            if not observations:
                yield tuple(series_values.get(c) for c in columns) + (series.sourceline,)
            for obs in observations:
                values = {**series_values, **_components(obs)}
                yield tuple(values.get(c) for c in columns) + (obs.sourceline,)

    return DatasetRows(
        structure_ref=ref,
        structure=info,
        action=dataset.get("action", "Information"),
        columns=columns,
        rows=rows(),
        dataset_attributes={k: v for k, v in dataset_values.items() if k in known},
    )
