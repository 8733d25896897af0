"""The registry operations of the node's OpenAPI description: the three query forms of
SDMX-REST 2.2.2 under /rest/v2/registration and submission by POST /rest/v2/registration;
subscriptions under /rest/v2/subscription (the node's paths: SDMX-REST has none)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sdmxnode.formats.registry import Format
from sdmxnode.rest.identifiers import ID_TYPE, NESTED_NCNAME_ID_TYPE
from sdmxnode.services.openapi.components import Schema, error_responses, format_content
from sdmxnode.services.openapi.reads import Resource

_PREFIX = "/rest/v2/registration"
_TAG = "SDMX-REST 2.x"


def _list(item: str) -> str:
    return f"^(\\*|{item})(,(\\*|{item}))*$"


def _path(name: str, description: str, pattern: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": pattern}}  # fmt: skip


def _time(name: str, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "format": "date-time"}}  # fmt: skip


def registration_parameters() -> dict[str, Schema]:
    """The `components/parameters` the registration operations add."""
    return {
        "registration_id": _path(
            "resourceID", "Registration ids joined by ',', or '*'", _list(ID_TYPE.pattern)
        ),
        "registration_agencyID": _path(
            "agencyID", "Agency ids of data providers joined by ',', or '*'",
            _list(NESTED_NCNAME_ID_TYPE.pattern),
        ),
        "registration_providerID": _path(
            "providerID", "Data provider ids joined by ',', or '*'", _list(ID_TYPE.pattern)
        ),
        "registration_format": {
            "name": "format", "in": "query", "required": False,
            "description": "The answer's format by name (with `formatVersion`: 2.1, 3.0.0, "
            "3.1.0), instead of Accept",
            "schema": {"type": "string", "enum": ["sdmx-ml", "xml", "json"]},
        },
        "registration_updatedAfter": _time(
            "updatedAfter", "Only registrations updated after this instant (exclusive)"
        ),
        "registration_updatedBefore": _time(
            "updatedBefore", "Only registrations updated before this instant (exclusive)"
        ),
    }  # fmt: skip


def registration_resources(formats: Sequence[Format]) -> list[Resource]:
    """The registration query resources, with the formats they answer in."""
    content = format_content(formats)
    answers = ("Answers a RegistryInterface QueryRegistrationResponse (SDMX-ML 3.0 by "
               "default; 2.1 and 3.1 on request) or the node's JSON (application/json). "
               "None found is 204.")  # fmt: skip
    by_name = ["registration_format", "formatVersion"]
    times = ["registration_updatedAfter", "registration_updatedBefore", *by_name]
    return [
        Resource(_TAG, "registration_id", f"{_PREFIX}/id", ["registration_id"], 1,
                 "Registrations by id", "Registrations by their ids. " + answers, by_name,
                 content, f"{_PREFIX}/id/*", 2),
        Resource(_TAG, "registration_provider", f"{_PREFIX}/provider",
                 ["registration_agencyID", "registration_providerID"], 2,
                 "Registrations by data provider",
                 "Registrations of these data providers. " + answers, times, content,
                 f"{_PREFIX}/provider/IMDX/UN_DESA_POP", 2),
        Resource(_TAG, "registration_context", _PREFIX,
                 ["v2_dataContext", "v2_agencyID", "v2_resourceID", "v2_version"], 3,
                 "Registrations by data structure, dataflow or provision agreement",
                 "Registrations of the provision agreements of these artefacts; the version "
                 "defaults to '*'. " + answers, times, content,
                 f"{_PREFIX}/dataflow/IMDX/DF_MIG_STOCK_IMS/*", 2),
    ]  # fmt: skip


def iter_registration_write_paths() -> Iterator[tuple[str, str, Schema]]:
    """POST /rest/v2/registration: a SubmitRegistrationsRequest or the node's JSON."""
    answer = {
        "application/vnd.sdmx.registry+xml;version=2.1": {"schema": {"type": "string"}},
        "application/vnd.sdmx.registry+xml;version=3.0.0": {"schema": {"type": "string"}},
        "application/vnd.sdmx.registry+xml;version=3.1.0": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}},
    }
    yield _PREFIX, "post", {
        "tags": ["Submission"],
        "operationId": "registration_v2_post",
        "summary": "Submit registrations",
        "description": "A RegistryInterface SubmitRegistrationsRequest (SDMX-ML 2.1, 3.0 or "
        "3.1; actions Append, Replace, Delete) or the node's JSON. Each registration's "
        "provision agreement must belong to the data provider of the token (admin: any). "
        "All or nothing; each source written is pulled at once. Answered by a "
        "SubmitRegistrationsResponse in the version sent (JSON for JSON).",
        "requestBody": {"required": True, "description": "The registrations",
                        "content": {"application/xml": {"schema": {"type": "string"}},
                                    "application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "200": {"description": "Replaced or deleted", "content": answer},
            "201": {"description": "A registration created", "content": answer},
            **error_responses(400, 401, 403, 404, 409, 413, 422),
        },
        "security": [{"bearerAuth": []}],
        "x-example": _PREFIX,
    }  # fmt: skip


def iter_subscription_paths() -> Iterator[tuple[str, str, Schema]]:
    """POST /rest/v2/subscription."""
    prefix = "/rest/v2/subscription"
    answer = {
        "application/vnd.sdmx.registry+xml;version=2.1": {"schema": {"type": "string"}},
        "application/vnd.sdmx.registry+xml;version=3.0.0": {"schema": {"type": "string"}},
        "application/vnd.sdmx.registry+xml;version=3.1.0": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}},
    }
    yield prefix, "post", {
        "tags": ["Submission"],
        "operationId": "subscription_v2_post",
        "summary": "Submit subscriptions",
        "description": "A RegistryInterface SubmitSubscriptionsRequest (SDMX-ML 2.1, 3.0 or "
        "3.1; actions Append, Replace, Delete; a subscription named by its RegistryURN) or "
        "the node's JSON, with any token; a subscription belongs to who made it. All or "
        "nothing. The answer gives each new subscription's URN and, once, the secret that "
        "signs its notifications (X-SDMX-Signature: sha256=HMAC of the body).",
        "requestBody": {"required": True, "description": "The subscriptions",
                        "content": {"application/xml": {"schema": {"type": "string"}},
                                    "application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "200": {"description": "Replaced or deleted", "content": answer},
            "201": {"description": "A subscription created", "content": answer},
            **error_responses(400, 401, 403, 404, 409, 413, 422),
        },
        "security": [{"bearerAuth": []}],
        "x-example": prefix,
    }  # fmt: skip
