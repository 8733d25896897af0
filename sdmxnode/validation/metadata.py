"""Reference-metadata rules: a metadata set against its metadataflow and metadata structure.

The one validation engine's rules for metadata, with the same findings, report and codes as
data (SDMX 2.1 Section 2, 7.3-7.4; SDMX 3.0 Section 2, 7.4): the structure is known; each
reported attribute exists where the MSD nests it (UNKNOWN_ATTRIBUTE), occurs at most
maxOccurs times (TOO_MANY_OCCURRENCES), a mandatory one (minOccurs > 0) is present wherever
its parent is (MISSING_ATTRIBUTE); a coded value is a code of its list (UNKNOWN_CODE), other
values are of their text type (BAD_VALUE); XHTML is well-formed and holds no script
(UNSAFE_XHTML); every target fits the MSD's metadata target or the metadataflow's target
URNs (TARGET_NOT_ALLOWED) and names an object the node holds (UNRESOLVED_TARGET).
Findings are located by line, report id (2.1) and attribute path (`CONTACT.ADDRESS.CITY`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Protocol

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.metadata import MetadataReport, MetadataSet, ReportedAttribute
from sdmxnode.formats.sdmxml import parse_xml
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.metadata_structure import (
    AttributeSpec,
    MetadataflowPlan,
    MetadataStructurePlan,
    read_metadata_structure,
    read_metadataflow,
)
from sdmxnode.validation.report import Report
from sdmxnode.validation.values import number_check


class ArtefactSource(Protocol):
    """The structures metadata is checked against (the node's store, or a scratch node)."""

    def find_xml(self, ref: ArtefactRef) -> tuple[ArtefactRef, bytes] | None:
        """The artefact's identity and stored SDMX-ML element (latest version for '' or a
        version the node does not hold exactly), None if the node holds none."""


#: URN item classes the node can look up in their schemes, by the element naming them.
_ITEM_ELEMENTS = frozenset(
    {
        "Code",
        "Category",
        "Concept",
        "Agency",
        "DataProvider",
        "DataConsumer",
        "MetadataProvider",
        "OrganisationUnit",
        "ValueItem",
        "ReportingCategory",
    }
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_TYPE_PATTERNS = {
    "GregorianDay": (_DATE, "a date YYYY-MM-DD"),
    "GregorianYear": (re.compile(r"^-?\d{4}(Z|[+-]\d{2}:\d{2})?$"), "a year YYYY"),
    "GregorianYearMonth": (re.compile(r"^\d{4}-\d{2}$"), "a month YYYY-MM"),
    "Boolean": (re.compile(r"^(true|false|1|0)$"), "true or false"),
    "URI": (re.compile(r"^\S+$"), "a URI"),
}
#: XHTML elements that run or embed code, refused in metadata.
_SCRIPT_ELEMENTS = frozenset({"script", "iframe", "object", "embed", "frame", "frameset"})
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.I)


class MetadataChecker:
    """Checks metadata sets against the structures of `source`, caching what it reads."""

    def __init__(self, source: ArtefactSource, *, structure: ArtefactRef | None = None) -> None:
        self.source = source
        #: The MSD or metadataflow to check against instead of the one a set names.
        self.structure = structure
        self._codes: dict[ArtefactRef, frozenset[str] | None] = {}
        #: The structures read for each wanted reference (the sets of a message share them).
        self._read: dict[ArtefactRef, tuple[MetadataStructurePlan, MetadataflowPlan | None]] = {}

    def check(self, metadata_set: MetadataSet, report: Report) -> bool:
        """Add the findings of one set to `report`; True when it has no error."""
        errors = report.errors
        plans = self._plans(metadata_set, report)
        if plans is not None:
            msd, flow = plans
            for metadata_report in metadata_set.reports:
                self._check_report(metadata_report, msd, flow, report)
        return report.errors == errors

    def _plans(
        self, metadata_set: MetadataSet, report: Report
    ) -> tuple[MetadataStructurePlan, MetadataflowPlan | None] | None:
        wanted = self.structure or metadata_set.structure
        if wanted in self._read:
            return self._read[wanted]
        found = self.source.find_xml(wanted)
        if found is None:
            report.error(
                "UNKNOWN_STRUCTURE",
                f"the metadata set {metadata_set.id!r} is reported against {wanted}, which the"
                " node does not hold",
                line=metadata_set.line,
            )
            return None
        ref, xml = found
        flow: MetadataflowPlan | None = None
        if ref.type == "Metadataflow":
            flow = read_metadataflow(xml, ref)
            msd_found = self.source.find_xml(flow.structure) if flow.structure else None
            if msd_found is None:
                report.error(
                    "UNKNOWN_STRUCTURE",
                    f"{ref} uses the metadata structure {flow.structure}, which the node does"
                    " not hold",
                    line=metadata_set.line,
                )
                return None
            ref, xml = msd_found
        if ref.type != "MetadataStructure":
            report.error(
                "UNKNOWN_STRUCTURE",
                f"{ref} is not a metadataflow or metadata structure: metadata sets reported"
                " against it cannot be checked",
                line=metadata_set.line,
            )
            return None
        self._read[wanted] = read_metadata_structure(xml, ref), flow
        return self._read[wanted]

    def _check_report(
        self,
        metadata_report: MetadataReport,
        msd: MetadataStructurePlan,
        flow: MetadataflowPlan | None,
        report: Report,
    ) -> None:
        where = {"line": metadata_report.line, "report": metadata_report.id or None}
        spec = msd.reports.get(metadata_report.id)
        if spec is None and not metadata_report.id and len(msd.reports) == 1:
            spec = next(iter(msd.reports.values()))  # a 3.0 set against a 2.1 MSD
        if spec is None:
            report.error(
                "UNKNOWN_ATTRIBUTE",
                f"{msd.ref} defines no report structure {metadata_report.id!r}",
                **where,
            )
            return
        self._check_targets(metadata_report, msd, flow, report)
        self._check_attributes(spec, metadata_report.attributes, "", metadata_report, report)

    def _check_attributes(
        self,
        parent: AttributeSpec,
        attributes: Iterable[ReportedAttribute],
        path: str,
        metadata_report: MetadataReport,
        report: Report,
        line: int | None = None,
    ) -> None:
        attributes = list(attributes)
        counts = Counter(a.id for a in attributes)
        report_id = metadata_report.id or None
        for child in parent.children:
            if child.min_occurs > 0 and counts[child.id] == 0:
                report.error(
                    "MISSING_ATTRIBUTE",
                    f"the mandatory metadata attribute {child.id} is absent"
                    + (f" from {path}" if path else ""),
                    line=line or metadata_report.line,
                    report=report_id,
                    component=_joined(path, child.id),
                )
        for attribute in attributes:
            here = _joined(path, attribute.id)
            where = {"line": attribute.line, "report": report_id, "component": here}
            spec = parent.child(attribute.id)
            if spec is None:
                known = ", ".join(c.id for c in parent.children) or "none"
                report.error(
                    "UNKNOWN_ATTRIBUTE",
                    f"{attribute.id} is not a metadata attribute of the MSD here (known: {known})",
                    **where,
                )
                continue
            if spec.max_occurs is not None and counts[spec.id] > spec.max_occurs:
                counts[spec.id] = -1  # reported once
                report.error(
                    "TOO_MANY_OCCURRENCES",
                    f"{attribute.id} is reported more often than its maxOccurs {spec.max_occurs}",
                    **where,
                )
            self._check_value(spec, attribute, report, where)
            self._check_attributes(
                spec, attribute.attributes, here, metadata_report, report, attribute.line
            )

    def _check_value(
        self, spec: AttributeSpec, attribute: ReportedAttribute, report: Report, where: dict
    ) -> None:
        for _lang, xhtml in attribute.xhtml:
            problem = xhtml_problem(xhtml)
            if problem is not None:
                report.error("UNSAFE_XHTML", f"{attribute.id}: {problem}", **where)
        value = attribute.value
        if value is None:
            if spec.text_type == "XHTML" and attribute.texts:
                report.error("BAD_VALUE", f"{attribute.id} is XHTML, not plain text", **where)
            return
        if spec.enumeration is not None:
            codes = self._codes_of(spec.enumeration)
            if codes is None:
                report.error(
                    "UNKNOWN_STRUCTURE",
                    f"{attribute.id} is coded by {spec.enumeration}, which the node does not hold",
                    **where,
                )
            elif value not in codes:
                report.error(
                    "UNKNOWN_CODE",
                    f"{value!r} is not a code of {spec.enumeration} ({attribute.id})",
                    **where,
                )
            return
        _check_type(spec.text_type, value, attribute.id, report, where)

    def _codes_of(self, ref: ArtefactRef) -> frozenset[str] | None:
        if ref not in self._codes:
            found = self.source.find_xml(ref)
            self._codes[ref] = item_ids(found[1]) if found is not None else None
        return self._codes[ref]

    def _check_targets(
        self,
        metadata_report: MetadataReport,
        msd: MetadataStructurePlan,
        flow: MetadataflowPlan | None,
        report: Report,
    ) -> None:
        where = {"line": metadata_report.line, "report": metadata_report.id or None}
        if metadata_report.target_id:  # SDMX 2.1: the report uses one MSD metadata target
            allowed = msd.report_targets.get(metadata_report.id, ())
            if metadata_report.target_id not in allowed:
                report.error(
                    "TARGET_NOT_ALLOWED",
                    f"report structure {metadata_report.id} does not use the metadata target"
                    f" {metadata_report.target_id} (it uses: {', '.join(allowed) or 'none'})",
                    **where,
                )
                return
        parts = {p.id: p for p in msd.targets.get(metadata_report.target_id, ())}
        patterns = [_wildcard(urn) for urn in flow.targets] if flow is not None else []
        for target in metadata_report.targets:
            part = parts.get(target.id) if metadata_report.target_id else None
            if metadata_report.target_id and part is None:
                report.error(
                    "TARGET_NOT_ALLOWED",
                    f"metadata target {metadata_report.target_id} has no part {target.id!r}",
                    **where,
                )
                continue
            if target.kind != "object":
                continue  # periods, keys and constraints are values, not objects
            urn = target.value.split("#", 1)[0]
            if patterns and not any(p.match(urn) for p in patterns):
                report.error(
                    "TARGET_NOT_ALLOWED",
                    f"{urn} is not among the targets of {flow.ref if flow else ''}",
                    **where,
                )
                continue
            self._resolve_target(urn, part.object_type if part else None, part, report, where)

    def _resolve_target(self, urn, object_type, part, report: Report, where: dict) -> None:
        from sdmxnode.formats.metadata import parse_target_urn

        identity = parse_target_urn(urn)
        cls = re.search(r"\.([A-Za-z]+)=", urn)
        if identity is None or cls is None:
            report.error("UNRESOLVED_TARGET", f"{urn!r} is not an SDMX URN", **where)
            return
        if object_type and cls.group(1) != object_type:
            report.error(
                "TARGET_NOT_ALLOWED",
                f"{urn} is a {cls.group(1)}, the metadata target wants a {object_type}",
                **where,
            )
            return
        ref = ArtefactRef(identity.type, identity.agency_id, identity.id, identity.version)
        enumeration = part.enumeration if part is not None else None
        if enumeration is not None and (enumeration.agency_id, enumeration.id) != (
            ref.agency_id,
            ref.id,
        ):
            report.error("TARGET_NOT_ALLOWED", f"{urn} is not an item of {enumeration}", **where)
            return
        found = self.source.find_xml(ref)
        if found is None or found[0].version != ref.version:
            report.error("UNRESOLVED_TARGET", f"{urn}: the node holds no {ref}", **where)
            return
        if identity.item and identity.item not in (self._codes_of(found[0]) or ()):
            report.error("UNRESOLVED_TARGET", f"{urn}: {ref} has no item {identity.item}", **where)


def _joined(path: str, id_: str) -> str:
    return f"{path}.{id_}" if path else id_


def _wildcard(urn: str) -> re.Pattern[str]:
    """A metadataflow target URN (SDMX 3.0 `WildcardUrnType`: `*` for any id or version)."""
    return re.compile("^" + ".*".join(re.escape(part) for part in urn.split("*")) + "$")


def _check_type(text_type: str | None, value: str, id_: str, report: Report, where: dict) -> None:
    if text_type is None:
        return
    number = number_check(text_type[:1].lower() + text_type[1:])
    if number is not None:
        if not number(value):
            report.error("BAD_VALUE", f"{id_}: {value!r} is not of type {text_type}", **where)
        return
    if text_type == "DateTime" and not _DATE_TIME.match(value):
        if _DATE.match(value):
            report.warning(
                "BAD_VALUE",
                f"{id_}: {value!r} is a date where the MSD declares DateTime (read as its"
                " first instant)",
                **where,
            )
        else:
            report.error("BAD_VALUE", f"{id_}: {value!r} is not of type DateTime", **where)
        return
    pattern = _TYPE_PATTERNS.get(text_type)
    if pattern is not None and not pattern[0].match(value):
        report.error("BAD_VALUE", f"{id_}: {value!r} is not {pattern[1]} ({text_type})", **where)
    if text_type == "XHTML":
        report.error("BAD_VALUE", f"{id_} is XHTML, not a plain value", **where)


def xhtml_problem(xhtml: str) -> str | None:
    """Why an XHTML fragment is refused (not well-formed, a script element, an `on*` event
    attribute, a `javascript:` URL), None when it is safe to show."""
    try:
        root = etree.fromstring(
            f"<wrapper>{xhtml}</wrapper>".encode(),
            etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False),
        )
    except etree.XMLSyntaxError as exc:
        return f"the XHTML is not well-formed: {exc.msg}"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname.lower()
        if name in _SCRIPT_ELEMENTS:
            return f"the XHTML holds a <{name}> element"
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on"):
                return f"the XHTML holds an event handler attribute {local!r} on <{name}>"
            if _SCRIPT_URL.match(value):
                return f"the XHTML holds a script URL in {local!r} on <{name}>"
    return None


def item_ids(xml: bytes) -> frozenset[str]:
    """The ids of the items of a stored item scheme, nested ones also as their dotted path
    (a category `TOT` under `DEM` under `PSC` is also `PSC.DEM.TOT`)."""
    try:
        root = parse_xml(xml, what="item scheme").getroot()
    except Invalid:
        return frozenset()
    ids: set[str] = set()

    def walk(element: etree._Element, path: str) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if etree.QName(child).localname in _ITEM_ELEMENTS and child.get("id"):
                here = f"{path}.{child.get('id')}" if path else child.get("id", "")
                ids.add(child.get("id", ""))
                ids.add(here)
                walk(child, here)

    walk(root, "")
    return frozenset(ids)
