"""SDMX-ML registration messages: read 2.1/3.0/3.1 requests, write responses valid against
the official XSDs."""

from __future__ import annotations

from datetime import datetime

import pytest

from sdmxnode.errors import Invalid
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registrations.model import (
    Registration,
    RegistrationStatus,
    read_json_requests,
)
from sdmxnode.formats.sdmxml.registry.registrations import (
    agreement_parts,
    write_query_registration_response,
    write_submit_registrations_response,
)
from sdmxnode.services.registrations.submission import read_submission
from sdmxnode.validation.schema import validate_ml21, validate_ml30, validate_ml31
from tests.registrations.conftest import PA_NSO, submit_request

VALIDATORS = {"2.1": validate_ml21, "3.0": validate_ml30, "3.1": validate_ml31}


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_a_request_is_read_in_every_version(version: str) -> None:
    body = submit_request(
        [("Append", "", PA_NSO, "http://b/rest/v2"), ("Delete", "R9", PA_NSO, "http://x")],
        version,
    )
    assert VALIDATORS[version](body) == []
    submission = read_submission(body, "application/xml")
    assert submission.form == version
    first, second = submission.requests
    assert (first.action, second.action) == ("Append", "Delete")
    assert first.registration.agreement_urn == PA_NSO
    assert first.registration.source_url == "http://b/rest/v2"
    assert first.registration.queryable and first.registration.rest_source
    assert first.registration.index_flags == {"indexTimeSeries"}
    assert second.registration.id == "R9"


def test_a_simple_data_source_is_read() -> None:
    body = submit_request([("Append", "", PA_NSO, "http://b/data.csv")], simple=True)
    (request,) = read_submission(body).requests
    assert not request.registration.queryable
    assert request.registration.source_url == "http://b/data.csv"


def test_a_request_invalid_against_the_xsd_is_refused() -> None:
    body = submit_request([("Append", "", PA_NSO, "http://b")]).replace(b'action="Append"', b"")
    with pytest.raises(Invalid, match="not valid SDMX-ML 2.1"):
        read_submission(body)


def test_a_message_that_is_not_xml_is_refused() -> None:
    with pytest.raises(Invalid):
        read_submission(b"<RegistryInterface")


def test_an_urn_of_another_artefact_is_refused() -> None:
    with pytest.raises(Invalid):
        agreement_parts("urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF(1.0)")
    assert agreement_parts(PA_NSO) == ("IMDX", "PA_NSO", "1.0.0")


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_responses_are_valid_against_the_official_schemas(version: str) -> None:
    queryable = Registration(
        "R1",
        PA_NSO,
        "TEST:NSO",
        "http://b/rest/v2",
        index_flags=frozenset({"indexDataSet"}),
        valid_from=datetime(2026, 1, 1),
        updated=datetime(2026, 12, 1, 10),
    )
    simple = Registration("R2", PA_NSO, "TEST:NSO", "http://b/d.csv", queryable=False)
    header = MessageHeader("ID1", "IMDX")
    response = write_submit_registrations_response(
        [
            RegistrationStatus(queryable, "Success", "201", "created"),
            RegistrationStatus(simple, "Warning", "200", "pull failed"),
        ],
        header,
        version,
    )
    query = write_query_registration_response([queryable, simple], header, version)
    assert VALIDATORS[version](response) == []
    assert VALIDATORS[version](query) == []
    assert b"R1" in query and b"http://b/d.csv" in query and b"indexDataSet" in query


def test_json_requests() -> None:
    (request,) = read_json_requests(
        {
            "registrations": [
                {
                    "provisionAgreement": PA_NSO,
                    "dataSource": {"url": "http://b/rest", "queryable": True},
                    "validTo": "2030-01-01T00:00:00Z",
                }
            ]
        }
    )
    assert request.action == "Append"
    assert request.registration.valid_to == datetime(2030, 1, 1)
    with pytest.raises(Invalid):
        read_json_requests({"registrations": [{"action": "Information"}]})
    with pytest.raises(Invalid):
        read_json_requests({"registrations": [{"provisionAgreement": PA_NSO}]})
