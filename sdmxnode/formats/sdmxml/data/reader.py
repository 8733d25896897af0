"""Streaming reader of SDMX-ML data messages (2.1 generic and structure-specific, 3.0) into rows.

`read_sdmxml_data` parses with `lxml.etree.iterparse` (entities, DTDs and network off, any
DOCTYPE refused, libxml2's nesting limit on), clears elements as it goes, and yields one
`DatasetRows` per `DataSet`, resolving its structure when the data set starts. Rows are
produced while parsing: the `rows` of one data set must be consumed (in order) before the
next `DatasetRows` is asked for; rows not consumed by then are skipped.

Mapping onto the row contract:
- series, group and data-set attributes are repeated on every observation row of their scope;
  group attributes go to the rows whose key matches the group key (at series level, or at
  observation level when a group key includes the dimension at observation);
- a series with attributes but no observations gives one row with only its key and
  attributes; groups matching no series are not reported;
- SDMX-ML 3.0 multiple measures are columns like any other component; a multi-valued
  (complex) component becomes one string, its values joined by `;`
  (`MULTI_VALUE_SEPARATOR`), and a multilingual value is its English text (else the first);
- SDMX-ML 2.1 explicit measures: an observation's `xsi:type` gives the measure dimension.
A component the DSD does not define is refused (`Invalid` naming the line).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import BinaryIO

from lxml import etree

from sdmxnode.errors import Invalid, NotFound
from sdmxnode.formats.rows import (
    ACTIONS,
    DatasetRows,
    StructureInfo,
    StructureResolver,
)
from sdmxnode.formats.sdmxml import NS21, NS30, NS31, unsupported_message
from sdmxnode.formats.sdmxml.data import generic as data_sdmxml_generic
from sdmxnode.formats.sdmxml.data import specific as data_sdmxml_specific
from sdmxnode.formats.sdmxml.data.dataset import ALL_DIMENSIONS, DataSetContext, line_of
from sdmxnode.formats.sdmxml.data.parse import ElementStream, read_root
from sdmxnode.refs import STRUCTURE_CLASSES, ArtefactRef, parse_urn

log = logging.getLogger(__name__)

_VARIANTS: dict[tuple[str, str], ModuleType] = {
    (NS21["mes"], "GenericData"): data_sdmxml_generic,
    (NS21["mes"], "GenericTimeSeriesData"): data_sdmxml_generic,
    (NS21["mes"], "StructureSpecificData"): data_sdmxml_specific,
    (NS21["mes"], "StructureSpecificTimeSeriesData"): data_sdmxml_specific,
    (NS30["mes"], "StructureSpecificData"): data_sdmxml_specific,
    # SDMX-ML 3.1: 3.0's message in its own namespaces (SDMX 3.0 action semantics)
    (NS31["mes"], "StructureSpecificData"): data_sdmxml_specific,
}
_ROWS: dict[ModuleType, Callable[[DataSetContext, ElementStream], Iterator[tuple]]] = {
    data_sdmxml_generic: data_sdmxml_generic.read_generic_rows,
    data_sdmxml_specific: data_sdmxml_specific.read_specific_rows,
}
#: Header `Structure` children naming what the data is structured by (2.1 spells the
#: provision agreement `ProvisionAgrement`).
_USAGE_TYPES = {
    "Structure": "DataStructure",
    "StructureUsage": "Dataflow",
    "ProvisionAgrement": "ProvisionAgreement",
    "ProvisionAgreement": "ProvisionAgreement",
}


@dataclass(frozen=True)
class HeaderStructure:
    """One `mes:Structure` of the header: what data sets with its structureID follow."""

    structure_id: str
    ref: ArtefactRef
    dimension_at_observation: str | None
    explicit_measures: bool
    where: str | None = None  # 'line N' of the header's Structure element


def read_sdmxml_data(
    stream: BinaryIO, resolve: StructureResolver, *, source: str = "message"
) -> Iterator[DatasetRows]:
    """The data sets of an SDMX-ML data message, streamed as rows (see the module doc)."""
    prefix, root = read_root(stream, source)
    variant = _VARIANTS.get((root.namespace or "", root.localname))
    if variant is None:
        raise Invalid(
            unsupported_message(root.namespace, root.localname, source=source, kind="data"),
            where="line 1",
        )
    message_ns = root.namespace or ""
    header_tag = f"{{{message_ns}}}Header"
    dataset_tag = f"{{{message_ns}}}DataSet"
    tags = (header_tag, dataset_tag, *variant.TAGS)
    elements = ElementStream(stream, prefix, tags, source)
    structures: dict[str, HeaderStructure] = {}
    header_action: str | None = None
    resolved: dict[ArtefactRef, StructureInfo] = {}
    previous: etree._Element | None = None
    while (element := elements.next_element()) is not None:
        if element.tag == header_tag:
            structures, header_action = read_header(element, source)
            element.clear()
            continue
        dataset = _dataset_of(element, dataset_tag)
        if dataset is None:
            raise Invalid(f"{source}: {element.tag} outside a DataSet", where=line_of(element))
        if dataset is previous:  # the rows reader stopped at an element it cannot place
            raise Invalid(
                f"{source}: {etree.QName(element).localname} is not where SDMX-ML allows it "
                f"(inside {etree.QName(element.getparent()).localname})",
                where=line_of(element),
            )
        previous = dataset
        elements.push_back(element)
        header = _header_for(dataset, structures, source)
        if header.ref not in resolved:
            try:
                resolved[header.ref] = resolve(header.ref)
            except NotFound as exc:  # located at the header's reference
                exc.where = exc.where or header.where or line_of(dataset)
                raise
        structure = resolved[header.ref]
        context = DataSetContext(
            source=source,
            structure=structure,
            element=dataset,
            dimension_at_observation=_dimension_at_observation(header, structure),
            explicit_measures=header.explicit_measures,
            complex_values=message_ns != NS21["mes"],
        )
        variant.read_dataset_values(context)
        rows = _ROWS[variant](context, elements)
        yield DatasetRows(
            structure_ref=header.ref,
            structure=structure,
            action=_action(dataset, header_action, source),
            columns=structure.columns,
            rows=rows,
            dataset_attributes={
                column: value
                for column, value in zip(structure.columns, context.base, strict=True)
                if value is not None
            },
            valid_from=set_attribute(dataset, "validFromDate"),
            valid_to=set_attribute(dataset, "validToDate"),
            source=source,
            sdmx_version="2.1" if message_ns == NS21["mes"] else "3.0",
        )
        for _ in rows:  # skip what the consumer left, to reach the next data set
            pass


def read_header(
    header: etree._Element, source: str
) -> tuple[dict[str, HeaderStructure], str | None]:
    """The header's structures by structureID, and its DataSetAction (if any)."""
    message_ns = etree.QName(header).namespace
    structures: dict[str, HeaderStructure] = {}
    action = None
    for child in header:
        if child.tag == f"{{{message_ns}}}Structure":
            structure_id = child.get("structureID") or ""
            ref = None
            for usage in child:
                if not isinstance(usage.tag, str):
                    continue
                type_ = _USAGE_TYPES.get(etree.QName(usage).localname)
                if type_ is not None:
                    ref = _structure_ref(usage, type_, source)
            if ref is None:
                raise Invalid(
                    f"{source}: header Structure {structure_id!r} names no structure",
                    where=line_of(child),
                )
            structures[structure_id] = HeaderStructure(
                structure_id,
                ref,
                child.get("dimensionAtObservation"),
                child.get("explicitMeasures") in ("true", "1"),
                line_of(child),
            )
        elif child.tag == f"{{{message_ns}}}DataSetAction":
            action = (child.text or "").strip() or None
    return structures, action


def _structure_ref(usage: etree._Element, type_: str, source: str) -> ArtefactRef:
    """From `<Ref agencyID id version class/>`, `<URN>` or (SDMX-ML 3.0) the URN as text."""
    for child in usage:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "Ref":
            cls = child.get("class") or ""
            return ArtefactRef(
                cls if cls in STRUCTURE_CLASSES else type_,
                child.get("agencyID") or "",
                child.get("id") or "",
                child.get("version") or "",
            )
        if name == "URN":
            return parse_structure_urn(child.text or "", source, usage)
    return parse_structure_urn(usage.text or "", source, usage)


def parse_structure_urn(
    urn: str, source: str = "message", element: etree._Element | None = None
) -> ArtefactRef:
    """The reference to the dataflow, DSD or provision agreement a URN names."""
    parsed = parse_urn(urn)
    if parsed is None or parsed.item or parsed.cls not in STRUCTURE_CLASSES:
        raise Invalid(
            f"{source}: {urn.strip()!r} is not the URN of a dataflow, DSD or provision agreement",
            where=line_of(element) if element is not None else None,
        )
    return parsed.ref()


def _dataset_of(element: etree._Element, dataset_tag: str) -> etree._Element | None:
    while element is not None and element.tag != dataset_tag:
        element = element.getparent()
    return element


def _header_for(
    dataset: etree._Element, structures: dict[str, HeaderStructure], source: str
) -> HeaderStructure:
    structure_id = set_attribute(dataset, "structureRef")
    if structure_id is not None and structure_id in structures:
        return structures[structure_id]
    if len(structures) == 1:
        # Real producers (ISTAT NSI web services) write a structureRef that differs from
        # the single header structureID; the schema stage reports the broken IDREF.
        header = next(iter(structures.values()))
        if structure_id is not None:
            log.warning(
                "%s: DataSet structureRef %r is not declared; using header Structure %r",
                source,
                structure_id,
                header.structure_id,
            )
        return header
    named = f"structureRef {structure_id!r}" if structure_id else "no structureRef"
    raise Invalid(
        f"{source}: the DataSet has {named}, which no header Structure declares "
        f"(declared: {', '.join(structures) or 'none'})",
        where=line_of(dataset),
    )


def set_attribute(dataset: etree._Element, name: str) -> str | None:
    """A data set XML attribute of the SDMX `SetAttributeGroup`, qualified or not.

    SDMX-ML 3.0 (and some 2.1 producers) qualify `action`, `validFromDate`, ... with the
    structure-specific namespace; 2.1 generic data leaves them unqualified.
    """
    value = dataset.get(name)
    if value is not None:
        return value
    for key, value in dataset.items():
        if key[0] == "{" and key.rpartition("}")[2] == name:
            return value
    return None


def _dimension_at_observation(header: HeaderStructure, structure: StructureInfo) -> str:
    if header.dimension_at_observation:
        return header.dimension_at_observation
    if structure.time_dimension is not None:
        return structure.time_dimension.id
    return ALL_DIMENSIONS


def _action(dataset: etree._Element, header_action: str | None, source: str) -> str:
    action = set_attribute(dataset, "action") or header_action or "Information"
    if action not in ACTIONS:
        raise Invalid(
            f"{source}: data set action {action!r} is not one of {', '.join(ACTIONS)}",
            where=line_of(dataset),
        )
    return action
