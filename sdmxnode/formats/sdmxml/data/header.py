"""The header of an SDMX-ML data message as the data readers need it: the structures its data
sets follow (by structureID), its DataSetAction, and the data set attributes that refer to them;
and what both readers (lxml's generic, expat's structure-specific) do with them when a data set
starts and when it is handed on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from sdmxnode.errors import Invalid, NotFound
from sdmxnode.formats.rows import ACTIONS, DatasetRows, StructureInfo, StructureResolver
from sdmxnode.formats.sdmxml.data.dataset import ALL_DIMENSIONS, DataSetContext, line_of
from sdmxnode.refs import STRUCTURE_CLASSES, ArtefactRef, parse_urn

log = logging.getLogger(__name__)

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


def header_for(
    dataset: etree._Element, structures: dict[str, HeaderStructure], source: str
) -> HeaderStructure:
    """The header Structure a DataSet follows (by its structureRef, else the only one)."""
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


def dimension_at_observation(header: HeaderStructure, structure: StructureInfo) -> str:
    """The header's dimensionAtObservation, else the time dimension, else AllDimensions."""
    if header.dimension_at_observation:
        return header.dimension_at_observation
    if structure.time_dimension is not None:
        return structure.time_dimension.id
    return ALL_DIMENSIONS


def dataset_action(dataset: etree._Element, header_action: str | None, source: str) -> str:
    """The data set's action, else the header's DataSetAction, else Information."""
    action = set_attribute(dataset, "action") or header_action or "Information"
    if action not in ACTIONS:
        raise Invalid(
            f"{source}: data set action {action!r} is not one of {', '.join(ACTIONS)}",
            where=line_of(dataset),
        )
    return action


def data_set_context(
    dataset: etree._Element,
    structures: dict[str, HeaderStructure],
    resolved: dict[ArtefactRef, StructureInfo],
    resolve: StructureResolver,
    source: str,
    *,
    complex_values: bool = False,
) -> tuple[HeaderStructure, DataSetContext]:
    """The header Structure the DataSet follows, and the context its rows are read in: its
    structure resolved once per message (kept in `resolved`); a NotFound is located at the
    header's reference."""
    header = header_for(dataset, structures, source)
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
        dimension_at_observation=dimension_at_observation(header, structure),
        explicit_measures=header.explicit_measures,
        complex_values=complex_values,
    )
    return header, context


def data_set_rows(
    context: DataSetContext,
    header: HeaderStructure,
    header_action: str | None,
    rows: Iterator[tuple],
    source: str,
    sdmx_version: str,
) -> DatasetRows:
    """The data set handed to the consumer: its action, its own values (`context.base`,
    filled from the DataSet element) and its rows, still to be read."""
    structure = context.structure
    dataset = context.element
    return DatasetRows(
        structure_ref=header.ref,
        structure=structure,
        action=dataset_action(dataset, header_action, source),
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
        sdmx_version=sdmx_version,
    )
