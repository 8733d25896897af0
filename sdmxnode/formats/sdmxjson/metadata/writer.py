"""The SDMX-JSON 2.0 metadata writer (sdmx-json-metadata-schema.json 2.0.0).

A metadata set is written as SDMX 3.0 has it (`data.metadataSets`: identity, names, the
metadataflow or metadata provision agreement, URN `targets`, `attributes`), with the same
choices as the SDMX-ML 3.0 writer (`sdmxnode.formats.sdmxml.metadata.writer30`): a set with
several 2.1 reports is one set per report (`SETID_REPORTID`), targets without a URN are
left out, and a set reported against a metadata structure is written against the
metadataflow `usage` gives. The schema requires a metadataflow (or agreement), a target and
an attribute in every set: a set that has none of one of them cannot be written and is left
out of the message (logged). A value is a string, texts and XHTML (as its markup) are
localised text; `name` is the text in the first language the set names. A legacy version
(`1.0`) is written as the semantic version it stands for (`1.0.0`), which the schema requires.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.metadata import MetadataReport, MetadataSet, ReportedAttribute
from sdmxnode.formats.sdmxml.metadata.writer30 import Usage, structure_urn

log = logging.getLogger(__name__)

SCHEMA_URL_20 = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/metadata-message/tools/"
    "schemas/2.0.0/sdmx-json-metadata-schema.json"
)
_ACTIONS = ("Append", "Replace", "Delete", "Information")

JsonObject = dict[str, Any]


def write_metadata_json_20(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> bytes:
    """An SDMX-JSON 2.0 metadata message holding `sets` (those the schema allows)."""
    return b"".join(stream_metadata_json_20(sets, header, usage=usage))


def stream_metadata_json_20(
    sets: Sequence[MetadataSet], header: MessageHeader, *, usage: Usage | None = None
) -> Iterator[bytes]:
    """The message of `write_metadata_json_20` as one chunk."""
    written = [obj for s in sets for obj in _set_objects(s, usage)]
    languages = sorted({lang for s in sets for lang, _ in s.names})
    message = {"meta": _meta(header, languages), "data": {"metadataSets": written}}
    yield json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _meta(header: MessageHeader, languages: list[str]) -> JsonObject:
    prepared = header.prepared or datetime.now(UTC)
    if prepared.tzinfo is None:
        prepared = prepared.replace(tzinfo=UTC)
    meta: JsonObject = {
        "schema": SCHEMA_URL_20,
        "id": header.id,
        "test": header.test,
        "prepared": prepared.replace(microsecond=0).isoformat(),
    }
    if languages:
        first = "en" if "en" in languages else languages[0]
        meta["contentLanguages"] = [first, *(lang for lang in languages if lang != first)]
    meta["sender"] = {"id": header.sender}
    return meta


def _set_objects(metadata_set: MetadataSet, usage: Usage | None) -> Iterator[JsonObject]:
    s = metadata_set
    flow = s.structure if s.structure.type != "MetadataStructure" else None
    if flow is None and usage is not None:
        flow = usage(s.structure)
    several = len(s.reports) > 1
    for report in s.reports:
        id_ = f"{s.id}_{report.id}" if several else s.id
        obj = _set_object(s, id_, report, flow)
        if obj is not None:
            yield obj


def _set_object(s: MetadataSet, id_: str, report: MetadataReport, flow: Any) -> JsonObject | None:
    targets = list(
        dict.fromkeys(t.value for t in report.targets if t.kind in ("object", "constraint"))
    )
    if flow is None or not targets or not report.attributes:
        log.warning(
            "metadata set %s left out of SDMX-JSON 2.0: it needs a metadataflow, a URN target "
            "and an attribute",
            s.identity,
        )
        return None
    names = s.names or (("en", s.id),)
    if id_ != s.id:
        names = tuple((lang, f"{text} ({report.id})") for lang, text in names)
    obj: JsonObject = {
        "id": id_,
        "agencyID": s.agency_id,
        "version": semantic_version(s.version),
        "action": s.action if s.action in _ACTIONS else "Append",
    }
    for key, value in (("reportingBegin", s.reporting_begin), ("reportingEnd", s.reporting_end)):
        if value:
            obj[key] = value
    for key, value in (("validFrom", s.valid_from), ("validTo", s.valid_to)):
        if value:
            obj[key] = value if "T" in value else f"{value}T00:00:00Z"
    obj["name"] = names[0][1]
    obj["names"] = {lang or "en": text for lang, text in reversed(names)}
    key = (
        "metadataProvisionAgreement"
        if flow.type == "MetadataProvisionAgreement"
        else "metadataflow"
    )
    obj[key] = structure_urn(flow)
    obj["targets"] = targets
    obj["attributes"] = [_attribute(a) for a in report.attributes]
    return obj


def semantic_version(version: str) -> str:
    """`version` with three numeric parts: the 2.0 metadata schema takes only semantic
    versions, and a legacy `1.0` is `1.0.0` (SDMX 3.0 section 6, versioning)."""
    if re.fullmatch(r"\d+(\.\d+)?", version):
        parts = version.split(".")
        return ".".join([*parts, *["0"] * (3 - len(parts))])
    return version


def _attribute(attribute: ReportedAttribute) -> JsonObject:
    obj: JsonObject = {"id": attribute.id}
    if attribute.value is not None:
        obj["value"] = attribute.value
    elif attribute.texts or attribute.xhtml:
        obj["value"] = {lang or "en": text for lang, text in (attribute.texts or attribute.xhtml)}
    if attribute.attributes:
        obj["attributes"] = [_attribute(child) for child in attribute.attributes]
    return obj
