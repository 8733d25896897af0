"""Streaming readers of SDMX-ML generic metadata messages (2.1 and 3.0) into the metadata model.

Parsed with `lxml.etree.iterparse` under the node's safe settings (no entities, DTDs or
network; a DOCTYPE refused; libxml2's depth limit on), one `MetadataSet` element at a time,
cleared once read, each reported attribute carrying its line.

SDMX 2.1 (Section 3A, `SDMXMetadataGeneric.xsd`): the header's `Structure` names the MSD
(`common:Structure`) or the metadataflow (`common:StructureUsage`) by `structureID`; a
`MetadataSet` holds `Report`s (their `id` is the MSD report structure's id, `Target/@id` the
metadata target's) of `ReportedAttribute`s nested in `AttributeSet`s. A 2.1 set has only
an optional `setID`: its 3.0 identity is the node's choice, `identity_21`.
SDMX 3.0 (`v3_0/metadata/generic`): a `MetadataSet` is maintainable (agencyID, id, version),
names its `Metadataflow` or `MetadataProvisionAgreement` by URN, its `Target`s by URN, and
holds nested `Attribute`s; it is kept as a set with one report.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from copy import deepcopy
from typing import BinaryIO

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.metadata import (
    MetadataReport,
    MetadataSet,
    ReportedAttribute,
    TargetValue,
    report_from_21,
)
from sdmxnode.formats.sdmxml import NAMESPACES, NS21, NS30, NS31
from sdmxnode.formats.sdmxml.data.parse import ElementStream, read_root, syntax_error
from sdmxnode.refs import ArtefactRef

GEN21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/metadata/generic"
GEN30 = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/metadata/generic"
GEN31 = GEN30.replace("/v3_0/", "/v3_1/")
_GENERIC = {"3.0": GEN30, "3.1": GEN31}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: The version the node gives 2.1 metadata sets, which have none (see `identity_21`).
VERSION_21 = "1.0"
#: Header structure children of 2.1 metadata messages -> the type they reference.
_USAGES = {"Structure": "MetadataStructure", "StructureUsage": "Metadataflow"}
#: URN classes of what a 3.0 metadata set is reported against -> the node's type.
_URN_TYPES = {
    "Metadataflow": "Metadataflow",
    "MetadataProvisionAgreement": "MetadataProvisionAgreement",
    "MetadataStructure": "MetadataStructure",
}
#: The SDMX-ML roots that are generic metadata messages, by namespace.
METADATA_ROOTS = {
    (NS21["mes"], "GenericMetadata"): "2.1",
    (NS30["mes"], "GenericMetadata"): "3.0",
    (NS31["mes"], "GenericMetadata"): "3.1",
}


def is_metadata_root(root: etree.QName) -> bool:
    """Whether an SDMX-ML root element is a generic metadata message this module reads."""
    return (root.namespace or "", root.localname) in METADATA_ROOTS


def read_metadata_ml(stream: BinaryIO, *, source: str = "message") -> Iterator[MetadataSet]:
    """The metadata sets of an SDMX-ML 2.1, 3.0 or 3.1 generic metadata message, one at a time.

    Raises Invalid (naming the line) for malformed XML, a message of another kind, a set
    naming a structure the header does not declare, or a reference that is not one.
    """
    prefix, root = read_root(stream, source)
    version = METADATA_ROOTS.get((root.namespace or "", root.localname))
    if version is None:
        raise Invalid(f"{source} is not an SDMX-ML generic metadata message ({root.localname})")
    mes = NAMESPACES[version]["mes"]
    tags = [f"{{{mes}}}Header", f"{{{mes}}}MetadataSet"]
    elements = ElementStream(stream, prefix, tags, source)
    header = _Header()
    try:
        for _, element in elements.resume():
            if etree.QName(element).localname == "Header":
                header = _read_header(element, version)
            elif version == "2.1":
                yield _read_set_21(element, header, source)
            else:
                yield _read_set_30(element, header, source, version)
            element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, source) from exc


class _Header:
    """What a set needs from the header: the sender and the declared structures."""

    def __init__(self) -> None:
        self.sender = ""
        self.structures: dict[str, ArtefactRef] = {}


def _read_header(element: etree._Element, version: str) -> _Header:
    header = _Header()
    ns = NAMESPACES[version]
    sender = element.find(f"{{{ns['mes']}}}Sender")
    header.sender = sender.get("id", "") if sender is not None else ""
    for structure in element.iterfind(f"{{{ns['mes']}}}Structure"):
        for child in structure:
            type_ = _USAGES.get(etree.QName(child).localname)
            if type_ is not None:
                header.structures[structure.get("structureID", "")] = _reference(child, type_)
    return header


def _reference(element: etree._Element, default_type: str) -> ArtefactRef:
    """A 2.1 reference: a `Ref` (agencyID, id, version, class) or a `URN` child."""
    ref = element.find("Ref")
    if ref is not None:
        return ArtefactRef(
            ref.get("class", default_type),
            ref.get("agencyID", ""),
            ref.get("id", ""),
            ref.get("version", "1.0"),
        )
    urn = element.findtext("URN") or (element.text or "")
    parsed = urn_ref(urn.strip())
    if parsed is None:
        raise Invalid(f"not an SDMX reference: {urn.strip()!r}", where=_where(element))
    return parsed


def urn_ref(urn: str) -> ArtefactRef | None:
    """The maintainable artefact an SDMX URN names (the node's type), or None."""
    from sdmxnode.formats.metadata import parse_target_urn

    identity = parse_target_urn(urn)
    if identity is None or identity.item:
        return None
    type_ = _URN_TYPES.get(identity.type, identity.type)
    return ArtefactRef(type_, identity.agency_id, identity.id, identity.version)


def _where(element: etree._Element) -> str | None:
    return f"line {element.sourceline}" if element.sourceline else None


def _texts(element: etree._Element, tag: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (child.get(_XML_LANG, "en"), child.text or "") for child in element if child.tag == tag
    )


def _xhtml(element: etree._Element, tag: str) -> tuple[tuple[str, str], ...]:
    """(xml:lang, the serialised XHTML content) of each `StructuredText` child."""
    found = []
    for child in element:
        if child.tag != tag:
            continue
        inner = []
        for part in child:
            if not isinstance(part.tag, str):
                continue  # a comment or processing instruction
            copy = deepcopy(part)
            etree.cleanup_namespaces(copy)  # the SDMX namespaces the div inherits
            inner.append(etree.tostring(copy, encoding="unicode", with_tail=False))
        found.append((child.get(_XML_LANG, "en"), "".join(inner)))
    return tuple(found)


def _attribute(element: etree._Element, version: str) -> ReportedAttribute:
    ns = NAMESPACES[version]
    gen = GEN21 if version == "2.1" else _GENERIC[version]
    if version == "2.1":
        value = element.get("value")
        nested = element.find(f"{{{gen}}}AttributeSet")
        children = (
            list(nested.iterfind(f"{{{gen}}}ReportedAttribute")) if nested is not None else []
        )
    else:
        values = [v.text or "" for v in element.iterfind(f"{{{gen}}}Value")]
        value = " ".join(values) if values else None
        children = list(element.iterfind(f"{{{gen}}}Attribute"))
    return ReportedAttribute(
        id=element.get("id", ""),
        value=value,
        texts=_texts(element, f"{{{ns['com']}}}Text"),
        xhtml=_xhtml(element, f"{{{ns['com']}}}StructuredText"),
        attributes=tuple(_attribute(child, version) for child in children),
        line=element.sourceline,
    )


def _target_value(element: etree._Element) -> TargetValue:
    """One 2.1 `ReferenceValue`: an object, a data key, a constraint or a report period."""
    ref_id = element.get("id", "")
    for child in element:
        name = etree.QName(child).localname
        if name == "ObjectReference":
            return TargetValue(ref_id, "object", (child.findtext("URN") or "").strip())
        if name == "ReportPeriod":
            return TargetValue(ref_id, "period", (child.text or "").strip())
        if name == "ConstraintContentReference":
            return TargetValue(ref_id, "constraint", (child.findtext("URN") or "").strip())
        if name == "DataKey":
            pairs = [
                f"{kv.get('id', '')}={kv.findtext('{*}Value') or ''}"
                for kv in child
                if etree.QName(kv).localname == "KeyValue"
            ]
            return TargetValue(ref_id, "datakey", ";".join(pairs))
        if name == "DataSetReference":
            provider = child.find("{*}DataProvider")
            urn = provider.findtext("URN") if provider is not None else ""
            dataset = child.findtext("{*}ID") or ""
            return TargetValue(ref_id, "object", f"{(urn or '').strip()}#{dataset}")
    raise Invalid(f"reference value {ref_id!r} holds no value", where=_where(element))


def identity_21(
    set_id: str | None, structure: ArtefactRef, sender: str, reports: tuple[MetadataReport, ...]
) -> tuple[str, str, str]:
    """The node's (agency, id, version) for a 2.1 metadata set, which SDMX 2.1 does not give.

    agency: the header's sender (who maintains what it reports), else the structure's
    maintainer; version: VERSION_21; id: the `setID`, else `MDS_` and 16 hex digits of a
    digest of the structure and the reports' targets, so that sending a report about the
    same targets again finds the same set (Replace, Delete) whatever its attributes say.
    """
    agency = sender or structure.agency_id
    if set_id:
        return agency, set_id, VERSION_21
    digest = hashlib.sha256(str(structure).encode())
    for report in reports:
        digest.update(f"\x1e{report.id}\x1f{report.target_id}".encode())
        for target in report.targets:
            digest.update(f"\x1f{target.id}={target.kind}:{target.value}".encode())
    return agency, f"MDS_{digest.hexdigest()[:16].upper()}", VERSION_21


def _read_set_21(element: etree._Element, header: _Header, source: str) -> MetadataSet:
    structure_id = element.get("structureRef", "")
    structure = header.structures.get(structure_id)
    if structure is None:
        raise Invalid(
            f"{source}: the metadata set names structure {structure_id!r}, which the header"
            " does not declare",
            where=_where(element),
        )
    reports = []
    for report in element.iterfind(f"{{{GEN21}}}Report"):
        target = report.find(f"{{{GEN21}}}Target")
        values = (
            tuple(_target_value(v) for v in target.iterfind(f"{{{GEN21}}}ReferenceValue"))
            if target is not None
            else ()
        )
        attribute_set = report.find(f"{{{GEN21}}}AttributeSet")
        attributes = (
            tuple(
                _attribute(a, "2.1")
                for a in attribute_set.iterfind(f"{{{GEN21}}}ReportedAttribute")
            )
            if attribute_set is not None
            else ()
        )
        read = MetadataReport(
            id=report.get("id", ""),
            target_id=target.get("id", "") if target is not None else "",
            targets=values,
            attributes=attributes,
            line=report.sourceline,
        )
        reports.append(report_from_21(read))  # a 3.0 set written in 2.1: as it was
    provider = element.find(f"{{{GEN21}}}DataProvider")
    agency, set_id, version = identity_21(
        element.get("setID"), structure, header.sender, tuple(reports)
    )
    return MetadataSet(
        agency_id=agency,
        id=set_id,
        version=version,
        structure=structure,
        reports=tuple(reports),
        names=_texts(element, f"{{{NS21['com']}}}Name"),
        provider=_provider_urn(provider),
        action=element.get("action", "Information"),
        reporting_begin=element.get("reportingBeginDate"),
        reporting_end=element.get("reportingEndDate"),
        valid_from=element.get("validFromDate"),
        valid_to=element.get("validToDate"),
        line=element.sourceline,
    )


def _provider_urn(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    urn = element.findtext("URN")
    if urn:
        return urn.strip()
    ref = element.find("Ref")
    if ref is None:
        return None
    return (
        "urn:sdmx:org.sdmx.infomodel.base.DataProvider="
        f"{ref.get('agencyID', '')}:{ref.get('maintainableParentID', 'DATA_PROVIDERS')}"
        f"({ref.get('maintainableParentVersion', '1.0')}).{ref.get('id', '')}"
    )


def _read_set_30(
    element: etree._Element, header: _Header, source: str, version: str = "3.0"
) -> MetadataSet:
    """A 3.0 (or 3.1: same layout, other namespaces) metadata set."""
    gen = _GENERIC[version]
    structure: ArtefactRef | None = None
    for tag in ("Metadataflow", "MetadataProvisionAgreement"):
        found = element.find(f"{{{gen}}}{tag}")
        if found is not None:
            structure = urn_ref((found.text or "").strip())
            if structure is None:
                raise Invalid(
                    f"{source}: {tag} is not an SDMX URN: {(found.text or '').strip()!r}",
                    where=_where(found),
                )
    if structure is None:
        raise Invalid(
            f"{source}: the metadata set names no metadataflow or metadata provision agreement",
            where=_where(element),
        )
    targets = tuple(
        TargetValue("", "object", (t.text or "").strip())
        for t in element.iterfind(f"{{{gen}}}Target")
    )
    attributes = tuple(_attribute(a, version) for a in element.iterfind(f"{{{gen}}}Attribute"))
    return MetadataSet(
        agency_id=element.get("agencyID", ""),
        id=element.get("id", ""),
        version=element.get("version", "1.0"),
        structure=structure,
        reports=(MetadataReport("", "", targets, attributes, line=element.sourceline),),
        names=_texts(element, f"{{{NAMESPACES[version]['com']}}}Name"),
        provider=None,
        action=element.get("action", "Information"),
        reporting_begin=element.get("reportingBeginDate"),
        reporting_end=element.get("reportingEndDate"),
        valid_from=element.get("validFromDate"),
        valid_to=element.get("validToDate"),
        is_final=element.get("isFinal", "true") != "false",
        line=element.sourceline,
    )
