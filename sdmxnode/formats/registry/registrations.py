"""The registration formats: the RegistryInterface QueryRegistrationResponse in SDMX-ML 2.1,
3.0 and 3.1, and the node's JSON (`formats/registrations/model.py`).

SDMX-REST 2.2 (`doc/registration.md`) names `application/vnd.sdmx.registry+xml;version=3.1.0`
and `version=3.0.0`; its OpenAPI reuses the reference-metadata responses for /registration,
which describe no registration message, so the node offers the registry media types, 2.1
as well. Each writer takes `(registrations, header)` and returns the message bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registrations.model import Registration, registrations_json
from sdmxnode.formats.registry import Format, register
from sdmxnode.formats.sdmxml.registry.registrations import write_query_registration_response

REGISTRY_XML = "application/vnd.sdmx.registry+xml"
#: The `version` parameter of REGISTRY_XML answering a message of each SDMX-ML version.
REGISTRY_MEDIA_VERSIONS = {"2.1": "2.1", "3.0": "3.0.0", "3.1": "3.1.0"}


def _xml(version: str):  # type: ignore[no-untyped-def]
    def write(registrations: Sequence[Registration], header: MessageHeader) -> bytes:
        return write_query_registration_response(registrations, header, version)

    return write


def write_registrations_json(registrations: Sequence[Registration], header: MessageHeader) -> bytes:
    """The registrations in the node's JSON, with the header as `meta`."""
    meta: dict[str, object] = {"id": header.id, "sender": {"id": header.sender}}
    return json.dumps(registrations_json(registrations, meta), indent=1).encode()


REGISTRY_ML_21 = register(
    Format(
        "registry-ml-2.1",
        REGISTRY_XML,
        "2.1",
        "registration",
        "2.1",
        _xml("2.1"),
        aliases=("sdmx-ml", "xml"),
    )
)
REGISTRY_ML_30 = register(
    Format(
        "registry-ml-3.0",
        REGISTRY_XML,
        "3.0.0",
        "registration",
        "3.0",
        _xml("3.0"),
        aliases=("sdmx-ml", "xml"),
    )
)
REGISTRY_ML_31 = register(
    Format(
        "registry-ml-3.1",
        REGISTRY_XML,
        "3.1.0",
        "registration",
        "3.1",
        _xml("3.1"),
        aliases=("sdmx-ml", "xml"),
    )
)
#: The node's own JSON (no SDMX-JSON registration message exists), answered as
#: `application/json`.
REGISTRATIONS_JSON = register(
    Format(
        "registrations-json",
        "application/json",
        "1.0.0",
        "registration",
        writer=write_registrations_json,
        aliases=("json",),
    )
)
REGISTRATION_FORMATS = (REGISTRY_ML_30, REGISTRY_ML_31, REGISTRY_ML_21, REGISTRATIONS_JSON)
