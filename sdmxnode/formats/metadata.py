"""The reference-metadata model every metadata reader yields and every writer takes.

One model for SDMX 2.1 `GenericMetadata` and SDMX 3.0/3.1 generic metadata (SDMX-ML and
SDMX-JSON 2.0/2.1). SDMX 2.1 (section 3A, 7.4): a metadata set holds reports, each with a
target (reference values) and reported attributes. SDMX 3.0 (section 2, 7.4.3): a metadata
set is maintainable, names the identifiable objects it targets by URN and holds the reported
attributes directly; it is kept here as a set with one report. Metadata sets are small (tens
of attributes per report), so unlike data they are plain objects.

`to_json` / `from_json` give the canonical JSON the store keeps for each set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sdmxnode.refs import ArtefactRef, parse_urn

#: Kinds of target value. 2.1 `ReferenceValue` holds one of these; 3.0 targets are URNs.
TARGET_KINDS = ("object", "datakey", "constraint", "period")

#: Actions of a metadata message (SDMX 2.1 `ActionType`, SDMX 3.0 adds Merge).
ACTIONS = ("Information", "Append", "Replace", "Merge", "Delete")

Texts = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TargetValue:
    """One thing a report is about.

    `id`: the 2.1 `ReferenceValue` id (the MSD target object's id); '' in SDMX 3.0.
    `kind`: one of TARGET_KINDS. `value`: a URN ("object"), a period ("period"), the key
    as `DIM=VALUE;...` ("datakey") or the constraint's URN ("constraint").
    """

    id: str
    kind: str
    value: str


@dataclass(frozen=True)
class ReportedAttribute:
    """A reported metadata attribute, with its child attributes.

    `value`: a coded or non-enumerated value (2.1 `value`, 3.0 `common:Value` without a
    language); `texts`: multilingual text as (xml:lang, text); `xhtml`: structured text as
    (xml:lang, the serialised XHTML `div`). A presentational attribute has none of them.
    """

    id: str
    value: str | None = None
    texts: Texts = ()
    xhtml: Texts = ()
    attributes: tuple[ReportedAttribute, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MetadataReport:
    """What one 2.1 `Report` holds (or a whole 3.0 metadata set).

    `id`: the 2.1 report id ('' in SDMX 3.0); `target_id`: the 2.1 MSD metadata target the
    report uses ('' in SDMX 3.0); `targets`: what the report is about.
    """

    id: str
    target_id: str
    targets: tuple[TargetValue, ...]
    attributes: tuple[ReportedAttribute, ...]
    line: int | None = field(default=None, compare=False)


#: How SDMX-ML 2.1 names the parts of a 3.0 set, which has none: the node writes a 3.0
#: metadata structure in 2.1 as one report structure `REPORT` for one metadata target
#: `IDENTIFIABLE_OBJECT_TARGET` of OBJECT_TARGETS_21 identifiable objects (any class), and a
#: 3.0 set as one report `REPORT` whose reference values name its target URNs in order.
REPORT_ID_21 = "REPORT"
TARGET_ID_21 = "IDENTIFIABLE_OBJECT_TARGET"
OBJECT_TARGETS_21 = 5
OBJECT_TARGET_IDS_21 = ("IDENTIFIABLE_OBJECT",) + tuple(
    f"IDENTIFIABLE_OBJECT_{n}" for n in range(2, OBJECT_TARGETS_21 + 1)
)


def report_in_21(report: MetadataReport) -> MetadataReport:
    """A report as SDMX-ML 2.1 writes it: a 3.0 report (no ids) in the 2.1 form of its
    structure (REPORT_ID_21, TARGET_ID_21, OBJECT_TARGET_IDS_21); a 2.1 report as it is.
    ValueError for a 3.0 report with more targets than that form has objects."""
    if report.id or report.target_id:
        return report
    if len(report.targets) > OBJECT_TARGETS_21:
        raise ValueError(
            f"a metadata set of SDMX 3.0 with {len(report.targets)} targets has no SDMX-ML 2.1"
            f" form (its 2.1 metadata structure has {OBJECT_TARGETS_21} target objects)"
        )
    targets = tuple(
        TargetValue(id_, t.kind, t.value)
        for id_, t in zip(OBJECT_TARGET_IDS_21, report.targets, strict=False)
    )
    return MetadataReport(REPORT_ID_21, TARGET_ID_21, targets, report.attributes, report.line)


def report_from_21(report: MetadataReport) -> MetadataReport:
    """The inverse of `report_in_21`: a report in the 2.1 form of a 3.0 structure, read
    from SDMX-ML 2.1, back as the 3.0 report it was written from; any other as it is."""
    ids = OBJECT_TARGET_IDS_21[: len(report.targets)]
    if (
        report.id != REPORT_ID_21
        or report.target_id != TARGET_ID_21
        or tuple(t.id for t in report.targets) != ids
        or any(t.kind != "object" for t in report.targets)
    ):
        return report
    targets = tuple(TargetValue("", t.kind, t.value) for t in report.targets)
    return MetadataReport("", "", targets, report.attributes, report.line)


@dataclass(frozen=True)
class MetadataSet:
    """A metadata set: its identity, its structure and its reports.

    `agency_id`/`id`/`version`: the 3.0 maintainable identity (2.1 `setID`, with the
    node's choice of agency and version for 2.1 input). `structure`: the Metadataflow,
    MetadataStructure or MetadataProvisionAgreement the set is reported against.
    `provider`: the URN of its metadata provider, if any. `action`: one of ACTIONS.
    """

    agency_id: str
    id: str
    version: str
    structure: ArtefactRef
    reports: tuple[MetadataReport, ...]
    names: Texts = ()
    provider: str | None = None
    action: str = "Information"
    reporting_begin: str | None = None
    reporting_end: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    is_final: bool = True
    line: int | None = field(default=None, compare=False)

    @property
    def identity(self) -> str:
        """`AGENCY:ID(VERSION)`."""
        return f"{self.agency_id}:{self.id}({self.version})"

    @property
    def urn(self) -> str:
        """The set's URN (SDMX 3.0 `metadata.MetadataSet`)."""
        return f"urn:sdmx:org.sdmx.infomodel.metadatastructure.MetadataSet={self.identity}"


def _attribute_json(attribute: ReportedAttribute) -> dict[str, Any]:
    out: dict[str, Any] = {"id": attribute.id}
    if attribute.value is not None:
        out["value"] = attribute.value
    if attribute.texts:
        out["texts"] = [list(pair) for pair in attribute.texts]
    if attribute.xhtml:
        out["xhtml"] = [list(pair) for pair in attribute.xhtml]
    if attribute.attributes:
        out["attributes"] = [_attribute_json(child) for child in attribute.attributes]
    return out


def _attribute(data: dict[str, Any]) -> ReportedAttribute:
    return ReportedAttribute(
        id=data["id"],
        value=data.get("value"),
        texts=tuple((lang, text) for lang, text in data.get("texts", ())),
        xhtml=tuple((lang, text) for lang, text in data.get("xhtml", ())),
        attributes=tuple(_attribute(child) for child in data.get("attributes", ())),
    )


def to_json(metadata_set: MetadataSet) -> str:
    """The canonical JSON of a set, as the store keeps it (no line numbers)."""
    s = metadata_set
    body: dict[str, Any] = {
        "agency_id": s.agency_id,
        "id": s.id,
        "version": s.version,
        "structure": [s.structure.type, s.structure.agency_id, s.structure.id, s.structure.version],
        "names": [list(pair) for pair in s.names],
        "provider": s.provider,
        "action": s.action,
        "reporting_begin": s.reporting_begin,
        "reporting_end": s.reporting_end,
        "valid_from": s.valid_from,
        "valid_to": s.valid_to,
        "is_final": s.is_final,
        "reports": [
            {
                "id": r.id,
                "target_id": r.target_id,
                "targets": [[t.id, t.kind, t.value] for t in r.targets],
                "attributes": [_attribute_json(a) for a in r.attributes],
            }
            for r in s.reports
        ],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str | bytes) -> MetadataSet:
    """The set `to_json` wrote."""
    data = json.loads(text)
    return MetadataSet(
        agency_id=data["agency_id"],
        id=data["id"],
        version=data["version"],
        structure=ArtefactRef(*data["structure"]),
        names=tuple((lang, text) for lang, text in data.get("names", ())),
        provider=data.get("provider"),
        action=data.get("action", "Information"),
        reporting_begin=data.get("reporting_begin"),
        reporting_end=data.get("reporting_end"),
        valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"),
        is_final=data.get("is_final", True),
        reports=tuple(
            MetadataReport(
                id=r["id"],
                target_id=r["target_id"],
                targets=tuple(TargetValue(*t) for t in r["targets"]),
                attributes=tuple(_attribute(a) for a in r["attributes"]),
            )
            for r in data["reports"]
        ),
    )


#: An item's class in a URN -> the type of the scheme (or structure) that maintains it.
_ITEM_PARENTS: dict[str, str] = {
    "Code": "Codelist",
    "Category": "CategoryScheme",
    "Concept": "ConceptScheme",
    "Agency": "AgencyScheme",
    "DataProvider": "DataProviderScheme",
    "DataConsumer": "DataConsumerScheme",
    "MetadataProvider": "MetadataProviderScheme",
    "OrganisationUnit": "OrganisationUnitScheme",
    "ValueItem": "ValueList",
    "ReportingCategory": "ReportingTaxonomy",
    "Dimension": "DataStructure",
    "TimeDimension": "DataStructure",
    "DataAttribute": "DataStructure",
    "Measure": "DataStructure",
    "PrimaryMeasure": "DataStructure",
    "MetadataAttribute": "MetadataStructure",
}


@dataclass(frozen=True)
class TargetIdentity:
    """What a URN targets: the maintainable artefact (type, agency, id, version) and, for an
    item or component, its id (path) within it."""

    type: str
    agency_id: str
    id: str
    version: str
    item: str = ""


def parse_target_urn(urn: str) -> TargetIdentity | None:
    """The artefact (and item) an SDMX URN names; None if `urn` is not an SDMX URN."""
    parsed = parse_urn(urn)
    if parsed is None:
        return None
    cls, item = parsed.cls, parsed.item
    type_ = _ITEM_PARENTS.get(cls, cls) if item else cls
    return TargetIdentity(type_, parsed.agency_id, parsed.id, parsed.version, item)
