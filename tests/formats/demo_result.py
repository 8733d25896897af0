"""DataResults for the writer tests, built from the demo data file with a tiny lxml reader.

The rows are made here, independently of the node's readers: one tuple per observation,
aligned with `StructureInfo.columns` plus a trailing location (the line number).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sdmx
from lxml import etree

from sdmxnode.formats.rows import DataResult, Labels, StructureInfo
from sdmxnode.refs import ArtefactRef

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
DEMO_REF = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")


def read_demo_series(series_limit: int | None = None) -> list[tuple[dict, list[dict]]]:
    """(series attributes, [observation attributes...]) per Series element, in file order."""
    found: list[tuple[dict, list[dict]]] = []
    for _, element in etree.iterparse(str(DEMO_FILE), tag="{*}Series"):
        observations = [dict(obs.attrib) | {"_line": obs.sourceline} for obs in element]
        found.append((dict(element.attrib), observations))
        element.clear()
        if series_limit is not None and len(found) >= series_limit:
            break
    return found


def demo_rows(structure: StructureInfo, series_limit: int | None = None) -> list[tuple]:
    columns = structure.columns
    rows = []
    for series, observations in read_demo_series(series_limit):
        for observation in observations:
            values = series | observation
            rows.append(tuple(values.get(c) for c in columns) + (values["_line"],))
    return rows


def demo_result(
    structure: StructureInfo,
    series_limit: int | None = None,
    *,
    series_only: bool = False,
    labels: Labels | None = None,
    dimension_at_observation: str = "TIME_PERIOD",
) -> DataResult:
    """The demo data (or its first `series_limit` series) as a query would answer it."""
    rows = demo_rows(structure, series_limit)
    if series_only:
        columns = structure.columns
        blank = {i for i, c in enumerate(columns) if c == "TIME_PERIOD" or c == "OBS_VALUE"}
        blank |= {
            i
            for i, c in enumerate(columns)
            if (component := structure.component(c))
            and component.attachment == "observation"
            and component.role == "attribute"
        }
        seen: dict[tuple, tuple] = {}
        for row in rows:
            key = row[: len(structure.dimensions)]
            if key not in seen:
                seen[key] = tuple(None if i in blank else v for i, v in enumerate(row))
        rows = list(seen.values())
    if dimension_at_observation not in ("TIME_PERIOD", "AllDimensions"):
        position = structure.columns.index(dimension_at_observation)
        rows.sort(
            key=lambda r: (
                tuple(v or "" for i, v in enumerate(r[:-1]) if i != position) + (r[position],)
            )
        )
    return DataResult(
        structure_ref=DEMO_REF,
        structure=structure,
        columns=structure.columns,
        rows=iter(rows),
        dimension_at_observation=dimension_at_observation,
        series_only=series_only,
        labels=labels,
    )


def with_rows(result: DataResult, rows: list[tuple]) -> DataResult:
    return replace(result, rows=iter(rows))


def reference_records(
    structure: StructureInfo, series_limit: int | None = None
) -> list[dict[str, str]]:
    """One dict per observation of the demo file: component id -> value ('' when absent)."""
    return [
        {c: (series | observation).get(c, "") for c in structure.columns}
        for series, observations in read_demo_series(series_limit)
        for observation in observations
    ]


def demo_labels() -> Labels:
    """English names of the demo dataflow, its components and codes, read with sdmx1 from the
    project's structure files (the DSD message, its concept scheme and the code lists)."""
    message = sdmx.read_sdmx(PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml")
    concepts = {
        concept.id: str(concept.name)
        for scheme in sdmx.read_sdmx(
            PROJECT_ROOT / "dsd" / "IMDX-CS_MIGRATION-1.0.0.xml"
        ).concept_scheme.values()
        for concept in scheme
    }
    code_lists = {}
    for path in sorted((PROJECT_ROOT / "codelists").glob("*.xml")):
        for found in sdmx.read_sdmx(path).codelist.values():
            code_lists[(found.maintainer.id, found.id, found.version)] = found
    dsd = message.structure["DSD_MIG_STOCK"]
    components = {}
    codes = {}
    for component in [*dsd.dimensions, *dsd.measures, *dsd.attributes]:
        if component.concept_identity is not None:
            components[component.id] = concepts[component.concept_identity.id]
        representation = component.local_representation
        stub = representation.enumerated if representation else None
        if stub is not None:
            full = code_lists[(stub.maintainer.id, stub.id, stub.version)]
            codes[component.id] = {code.id: str(code.name) for code in full}
    return Labels(
        components=components,
        codes=codes,
        structure_name=str(message.dataflow["DF_MIG_STOCK_IMS"].name),
    )


def deleted_rows(structure: StructureInfo, rows: list[tuple]) -> list[tuple]:
    """`rows` as an `updatedAfter` answer reports deleted observations: the dimensions and
    the time period, every measure and attribute None, location 0."""
    keys = {d.id for d in structure.dimensions}
    if structure.time_dimension is not None:
        keys.add(structure.time_dimension.id)
    kept = [i for i, column in enumerate(structure.columns) if column in keys]
    return [
        tuple(row[i] if i in kept else None for i in range(len(structure.columns))) + (0,)
        for row in rows
    ]


def with_deletions(
    structure: StructureInfo, changed: int, deleted: int, **options: object
) -> tuple[DataResult, list[tuple]]:
    """An `updatedAfter` answer: the first `changed` demo series as a Replace data set,
    followed by the next `deleted` series as a Delete data set; and the deleted rows."""
    rows = demo_rows(structure, changed + deleted)
    split = len(demo_rows(structure, changed))
    first = demo_result(structure, changed, **options)  # type: ignore[arg-type]
    first.action = "Replace"
    gone = deleted_rows(structure, rows[split:])
    first.following = [
        DataResult(
            structure_ref=first.structure_ref,
            structure=structure,
            columns=first.columns,
            rows=iter(gone),
            dimension_at_observation=first.dimension_at_observation,
            action="Delete",
        )
    ]
    return first, gone
