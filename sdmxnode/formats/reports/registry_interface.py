"""The SubmitStructureResponse (SDMX-ML 2.1 RegistryInterface) and its JSON equivalent.

SDMX-REST 2.x `maintenance.md`, "ANNEX II - Structure response message": one
SubmissionResult per artefact, with the action, a reference to the artefact and a status
message whose code is the HTTP status of that artefact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.sdmxml import NS21, xml_text
from sdmxnode.refs import ArtefactRef

REG_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/registry"
#: The Content-Type of the messages written here: SDMX-ML 2.1 RegistryInterface, spelled as
#: the registration answers spell it (maintenance.md: "with a matching Content-Type").
MEDIA_TYPE = "application/vnd.sdmx.registry+xml;version=2.1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Canonical type -> SDMX 2.1 package, for `<Ref class= package=>` and URNs. Types not
#: listed here (SDMX 3.0-only) are referenced by URN alone, in the 3.0 package names.
PACKAGE_21 = {
    "AgencyScheme": "base",
    "DataConsumerScheme": "base",
    "DataProviderScheme": "base",
    "OrganisationUnitScheme": "base",
    "CategoryScheme": "categoryscheme",
    "Categorisation": "categoryscheme",
    "ReportingTaxonomy": "categoryscheme",
    "Codelist": "codelist",
    "HierarchicalCodelist": "codelist",
    "ConceptScheme": "conceptscheme",
    "DataStructure": "datastructure",
    "Dataflow": "datastructure",
    "MetadataStructure": "metadatastructure",
    "Metadataflow": "metadatastructure",
    "Process": "process",
    "AttachmentConstraint": "registry",
    "ContentConstraint": "registry",
    "ProvisionAgreement": "registry",
    "StructureSet": "mapping",
    "CustomTypeScheme": "transformation",
    "NamePersonalisationScheme": "transformation",
    "RulesetScheme": "transformation",
    "TransformationScheme": "transformation",
    "UserDefinedOperatorScheme": "transformation",
    "VtlMappingScheme": "transformation",
}
_PACKAGE_30 = {
    "GeographicCodelist": "codelist",
    "GeoGridCodelist": "codelist",
    "ValueList": "codelist",
    "HierarchyAssociation": "codelist",
    "MetadataProviderScheme": "base",
    "MetadataConstraint": "registry",
    "MetadataProvisionAgreement": "registry",
    "StructureMap": "structuremapping",
    "RepresentationMap": "structuremapping",
    "CategorySchemeMap": "structuremapping",
    "ConceptSchemeMap": "structuremapping",
    "OrganisationSchemeMap": "structuremapping",
    "ReportingTaxonomyMap": "structuremapping",
}
_ID = re.compile(r"[A-Za-z0-9_@$\-]+")
_AGENCY = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z][A-Za-z0-9_\-]*)*")
_VERSION_21 = re.compile(r"[0-9]+(\.[0-9]+)*")
_HEADER_ID = re.compile(r"[A-Za-z0-9_@$\-]+")


@dataclass(frozen=True)
class SubmissionResult:
    """What happened to one submitted (or deleted) artefact."""

    ref: ArtefactRef
    action: str  # SDMX ActionType: "Append" (new), "Replace" (existing), "Delete"
    result: str  # "created" | "updated" | "unchanged" | "deleted" | "refused"
    status: int  # the HTTP status of this artefact alone: 200, 201, 404, 409, 422, 501
    message: str

    @property
    def succeeded(self) -> bool:
        """Whether the artefact was stored (created, updated or unchanged), not refused."""
        return self.result != "refused"


def artefact_urn(ref: ArtefactRef) -> str:
    """The SDMX URN of a maintainable artefact (2.1 package names, 3.0 for 3.0-only types)."""
    package = PACKAGE_21.get(ref.type) or _PACKAGE_30.get(ref.type, "base")
    identity = ref.identity
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{ref.type}={identity}"


def write_submit_structure_response(
    results: Sequence[SubmissionResult], header: MessageHeader, receiver: str
) -> bytes:
    """The RegistryInterface/SubmitStructureResponse message (valid SDMX-ML 2.1)."""
    root, response = _registry_interface(header, receiver)
    for result in results:
        entry = etree.SubElement(response, f"{{{REG_NS}}}SubmissionResult")
        submitted = etree.SubElement(entry, f"{{{REG_NS}}}SubmittedStructure", action=result.action)
        _write_reference(etree.SubElement(submitted, f"{{{REG_NS}}}MaintainableObject"), result)
        _status_message(
            entry,
            "Success" if result.succeeded else "Failure",
            [(str(result.status), result.message)],
        )
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


#: SDMX-ML 2.1 common:ActionType values; 3.0 `Merge` is written as `Append`.
_ML_ACTIONS = {
    "Append": "Append",
    "Merge": "Append",
    "Replace": "Replace",
    "Delete": "Delete",
    "Information": "Information",
}


def write_data_submission_response(
    header: MessageHeader,
    receiver: str,
    urn: str,
    action: str,
    texts: Sequence[tuple[str, str]],
    *,
    warning: bool = False,
) -> bytes:
    """The answer to a data submission to the artefact `urn` (its dataflow).

    SDMX-ML 2.1 has no message dedicated to the result of a data upload; the registry's
    SubmitStructureResponse carries what it needs: the artefact, the action applied, a
    status (Success, Warning) and coded texts (`texts`: the counts, then the warnings).
    """
    root, response = _registry_interface(header, receiver)
    entry = etree.SubElement(response, f"{{{REG_NS}}}SubmissionResult")
    submitted = etree.SubElement(
        entry,
        f"{{{REG_NS}}}SubmittedStructure",
        action=_ML_ACTIONS.get(action.split("+")[0], "Append"),
    )
    maintainable = etree.SubElement(submitted, f"{{{REG_NS}}}MaintainableObject")
    etree.SubElement(maintainable, "URN").text = xml_text(urn)
    _status_message(entry, "Warning" if warning else "Success", texts)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _registry_interface(
    header: MessageHeader, receiver: str
) -> tuple[etree._Element, etree._Element]:
    """A RegistryInterface message with its header, and its empty SubmitStructureResponse."""
    mes, com = NS21["mes"], NS21["com"]
    root = etree.Element(
        f"{{{mes}}}RegistryInterface", nsmap={"mes": mes, "reg": REG_NS, "com": com}
    )
    head = etree.SubElement(root, f"{{{mes}}}Header")
    etree.SubElement(head, f"{{{mes}}}ID").text = header.id
    etree.SubElement(head, f"{{{mes}}}Test").text = "true" if header.test else "false"
    prepared = header.prepared or datetime.now(UTC).replace(microsecond=0)
    etree.SubElement(head, f"{{{mes}}}Prepared").text = prepared.isoformat().replace("+00:00", "Z")
    etree.SubElement(head, f"{{{mes}}}Sender", id=header.sender)
    etree.SubElement(
        head,
        f"{{{mes}}}Receiver",
        id=receiver if _HEADER_ID.fullmatch(receiver) else "not_supplied",
    )
    return root, etree.SubElement(root, f"{{{mes}}}SubmitStructureResponse")


def _status_message(entry: etree._Element, status: str, texts: Sequence[tuple[str, str]]) -> None:
    """A StatusMessage with one coded English MessageText per (code, text)."""
    message = etree.SubElement(entry, f"{{{REG_NS}}}StatusMessage", status=status)
    for code, text in texts:
        holder = etree.SubElement(message, f"{{{REG_NS}}}MessageText", code=code)
        element = etree.SubElement(holder, f"{{{NS21['com']}}}Text")
        element.set(XML_LANG, "en")
        element.text = xml_text(text)


def _write_reference(holder: etree._Element, result: SubmissionResult) -> None:
    ref = result.ref
    package = PACKAGE_21.get(ref.type)
    if (
        package is not None
        and _AGENCY.fullmatch(ref.agency_id)
        and _ID.fullmatch(ref.id)
        and _VERSION_21.fullmatch(ref.version)
    ):
        etree.SubElement(
            holder,
            "Ref",
            agencyID=ref.agency_id,
            id=ref.id,
            version=ref.version,
            package=package,
            **{"class": ref.type},
        )
    etree.SubElement(holder, "URN").text = xml_text(artefact_urn(ref))


def submission_json(results: Sequence[SubmissionResult], header: MessageHeader) -> dict:
    """The JSON equivalent: one entry per artefact with its status code and message."""
    prepared = header.prepared or datetime.now(UTC).replace(microsecond=0)
    return {
        "meta": {
            "id": header.id,
            "prepared": prepared.isoformat().replace("+00:00", "Z"),
            "sender": {"id": header.sender},
        },
        "results": [
            {
                "action": r.action,
                "type": r.ref.type,
                "agencyID": r.ref.agency_id,
                "id": r.ref.id,
                "version": r.ref.version,
                "urn": artefact_urn(r.ref),
                "status": "Success" if r.succeeded else "Failure",
                "result": r.result,
                "code": r.status,
                "message": r.message,
            }
            for r in results
        ],
    }
