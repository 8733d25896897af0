"""SDMX-ML subscription messages: requests read in 2.1, 3.0 and 3.1, responses and
NotifyRegistryEvent valid against the official XSDs; which events a subscription selects."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registrations.model import Registration
from sdmxnode.formats.sdmxml.registry.subscriptions import (
    read_submit_subscriptions,
    write_notify_registry_event,
    write_submit_subscriptions_response,
)
from sdmxnode.formats.subscriptions.model import (
    ArtefactPattern,
    Event,
    EventSelector,
    Subscription,
    SubscriptionStatus,
)
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.schema import validate_ml21, validate_ml30, validate_ml31
from tests.subscriptions.conftest import ORGANISATION, subscribe_request

VALIDATE = {"2.1": validate_ml21, "3.0": validate_ml30, "3.1": validate_ml31}
HEADER = MessageHeader("NOTE1", "IMDX", datetime(2026, 12, 5, 8, tzinfo=UTC))
CODELIST = ArtefactRef("Codelist", "IMDX", "CL_SEX", "1.0.0")
CODELIST_URN = "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=IMDX:CL_SEX(1.0.0)"


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_a_request_of_every_version_is_read(version: str) -> None:
    body = subscribe_request(
        "http://127.0.0.1:9/hook",
        version=version,
        structures=[("Codelist", "CL_SEX", "%"), ("KeyFamily", "DSD_MIG_STOCK", "1.0.0")],
        agencies=("IMDX",),
        metadata=True,
    )
    assert VALIDATE[version](body) == []

    read_version, (request,) = read_submit_subscriptions(etree.fromstring(body))

    assert read_version == version and request.action == "Append"
    sent = request.subscription
    assert sent.organisation == ORGANISATION and sent.callbacks == ("http://127.0.0.1:9/hook",)
    assert (sent.valid_from, sent.valid_to) == (date(2000, 1, 1), date(2099, 12, 31))
    assert sent.subscriber_id == "MY_SUB" and sent.id == ""
    structure, registration, metadata = sent.selectors
    assert structure == EventSelector(
        "structure",
        ("IMDX",),
        (
            ArtefactPattern("Codelist", "", "%", "CL_SEX", "%"),
            ArtefactPattern("DataStructure", "", "%", "DSD_MIG_STOCK", "1.0.0"),
        ),
    )
    assert registration.kind == "registration" and registration.all_events
    assert metadata.kind == "metadata" and metadata.all_events


def _subscription(*selectors: EventSelector) -> Subscription:
    return Subscription(
        "SUB_1", ORGANISATION, ("http://x",), selectors, date(2000, 1, 1), date(2099, 1, 1)
    )


def test_selectors_choose_events_by_agency_type_id_and_version() -> None:
    changed = Event("structure", "Replace", CODELIST, CODELIST_URN)
    other_agency = Event("structure", "Append", ArtefactRef("Codelist", "OECD", "CL_SEX", "1.0"))
    dataflow = Event("structure", "Append", ArtefactRef("Dataflow", "IMDX", "DF_X", "1.0.0"))
    codelists = _subscription(
        EventSelector("structure", ("IMDX",), (ArtefactPattern("Codelist", "", "%", "CL_%"),))
    )
    assert codelists.selects(changed)
    assert not codelists.selects(other_agency) and not codelists.selects(dataflow)
    by_urn = _subscription(
        EventSelector("structure", ("%",), (ArtefactPattern("Codelist", CODELIST_URN),))
    )
    assert by_urn.selects(changed) and not by_urn.selects(other_agency)
    assert not codelists.selects(Event("registration", "Append", None, registration_id="R1"))

    agreement = ArtefactRef("ProvisionAgreement", "IMDX", "PA_NSO", "1.0.0")
    registered = Event(
        "registration", "Append", None, registration_id="R1", related=((agreement, ""),)
    )
    by_agreement = _subscription(
        EventSelector(
            "registration", artefacts=(ArtefactPattern("ProvisionAgreement", "", "IMDX", "PA_%"),)
        )
    )
    by_id = _subscription(EventSelector("registration", registrations=("R2",)))
    assert by_agreement.selects(registered) and not by_id.selects(registered)
    assert _subscription(EventSelector("registration")).selects(registered)


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_the_response_and_notifications_are_valid(version: str) -> None:
    created = SubscriptionStatus(
        _subscription(EventSelector("structure")),
        "Success",
        "201",
        "subscription SUB_1 created",
        "s3cr3t",
    )
    response = write_submit_subscriptions_response([created], HEADER, version)
    assert VALIDATE[version](response) == []
    assert b"s3cr3t" in response and b"SubscriptionURN" in response

    structural = Event("structure", "Replace", CODELIST, CODELIST_URN)
    note = write_notify_registry_event(
        structural,
        _subscription().urn,
        datetime(2026, 12, 5, 8, 1, tzinfo=UTC),
        HEADER,
        version=version,
    )
    assert VALIDATE[version](note) == []
    root = etree.fromstring(note)
    assert root.findtext(".//{*}ObjectURN") == CODELIST_URN
    assert root.findtext(".//{*}EventAction") == "Replace"

    registration = Registration(
        "R1",
        "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement=IMDX:PA_NSO(1.0.0)",
        "TEST:NSO",
        "http://127.0.0.1:9/rest/v2",
    )
    registered = Event("registration", "Append", None, registration_id="R1")
    note = write_notify_registry_event(
        registered,
        _subscription().urn,
        datetime(2026, 12, 5, 8, 2, tzinfo=UTC),
        HEADER,
        registration=registration,
        version=version,
    )
    assert VALIDATE[version](note) == []
    assert etree.fromstring(note).findtext(".//{*}RegistrationID") == "R1"
