"""Reader of SDMX-JSON 2.0 metadata messages into the metadata model.

SDMX-JSON 2.0 `metadata-message` (sdmx-json-metadata-schema.json): `data.metadataSets[]`,
each maintainable (agencyID, id, version) with its `metadataflow` (or
`metadataProvisionAgreement`) URN, its `targets` (URNs) and nested `attributes` whose
`value` is a scalar or a localised text (language -> text). A localised value is XHTML when
the attribute's `format.dataType` says XHTML or the text is markup (starts with `<`), so that
its well-formedness and safety are checked like SDMX-ML `StructuredText`. Metadata sets are
small: the message is parsed whole (within the input's byte limit), unlike data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from sdmxnode.errors import Invalid
from sdmxnode.formats.metadata import MetadataReport, MetadataSet, ReportedAttribute, TargetValue
from sdmxnode.formats.sdmxml.metadata.reader import urn_ref

_METADATA_SCHEMA = re.compile(rb"sdmx-json-metadata-schema\.json|\"metadataSets\"")


def is_json_metadata(head: bytes) -> bool:
    """Whether the first bytes of an SDMX-JSON message are those of a metadata message."""
    return _METADATA_SCHEMA.search(head) is not None


def read_metadata_json(stream: BinaryIO, *, source: str = "message") -> Iterator[MetadataSet]:
    """The metadata sets of an SDMX-JSON 2.0 metadata message."""
    try:
        document = json.load(stream)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise Invalid(f"{source} is not a JSON document: {exc}") from exc
    sets = (document.get("data") or {}).get("metadataSets") or []
    for position, item in enumerate(sets):
        yield _read_set(item, f"{source}: data/metadataSets/{position}")


def _texts(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):
        return tuple((str(lang), str(text)) for lang, text in value.items())
    return ()


def _attribute(item: dict[str, Any]) -> ReportedAttribute:
    value = item.get("value")
    data_type = str((item.get("format") or {}).get("dataType", ""))
    scalar: str | None = None
    texts: tuple[tuple[str, str], ...] = ()
    xhtml: tuple[tuple[str, str], ...] = ()
    if isinstance(value, dict):
        localised = _texts(value)
        markup = all(text.strip().startswith("<") for _, text in localised)
        if data_type == "XHTML" or (localised and markup):
            xhtml = localised
        else:
            texts = localised
    elif isinstance(value, bool):
        scalar = "true" if value else "false"
    elif value is not None:
        scalar = str(value)
    return ReportedAttribute(
        id=str(item.get("id", "")),
        value=scalar,
        texts=texts,
        xhtml=xhtml,
        attributes=tuple(_attribute(child) for child in item.get("attributes") or ()),
    )


def _read_set(item: dict[str, Any], where: str) -> MetadataSet:
    urn = item.get("metadataflow") or item.get("metadataProvisionAgreement") or ""
    structure = urn_ref(str(urn))
    if structure is None:
        raise Invalid(f"{where}: the metadataflow is not an SDMX URN: {urn!r}")
    targets = tuple(TargetValue("", "object", str(t)) for t in item.get("targets") or ())
    attributes = tuple(_attribute(a) for a in item.get("attributes") or ())
    names = _texts(item.get("names")) or (
        (("en", str(item["name"])),) if isinstance(item.get("name"), str) else ()
    )
    return MetadataSet(
        agency_id=str(item.get("agencyID", "")),
        id=str(item.get("id", "")),
        version=str(item.get("version", "1.0")),
        structure=structure,
        reports=(MetadataReport("", "", targets, attributes),),
        names=names,
        action=str(item.get("action", "Information")),
        reporting_begin=item.get("reportingBegin"),
        reporting_end=item.get("reportingEnd"),
        valid_from=item.get("validFrom"),
        valid_to=item.get("validTo"),
    )
