"""SDMX-ML registration messages: SubmitRegistrationsRequest read, SubmitRegistrationsResponse
and QueryRegistrationResponse written, in SDMX-ML 2.1, 3.0 and 3.1 (RegistryInterface).

The three versions share the registry vocabulary (`SDMXRegistryRegistration.xsd`); they
differ in namespaces and in how the provision agreement is referenced: 2.1 by a `Ref`
element or a `URN` element, 3.0 and 3.1 by the URN as the element's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registrations.model import (
    INDEX_FLAGS,
    Registration,
    RegistrationRequest,
    RegistrationStatus,
    check_action,
    format_time,
    parse_time,
)
from sdmxnode.formats.sdmxml import NAMESPACES, message_version, xml_text
from sdmxnode.refs import parse_urn

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_AGREEMENT_URN = "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement="


def registry_ns(version: str) -> str:
    """The registry namespace of SDMX-ML `version` (2.1, 3.0 or 3.1)."""
    return NAMESPACES[version]["mes"].replace("/message", "/registry")


def agreement_urn(agency_id: str, id_: str, version: str) -> str:
    """The URN of a provision agreement."""
    return f"{_AGREEMENT_URN}{agency_id}:{id_}({version})"


def agreement_parts(urn: str) -> tuple[str, str, str]:
    """(agency, id, version) of a provision agreement URN; Invalid for another URN."""
    parsed = parse_urn(urn) if urn == urn.strip() else None  # the URN exactly, no padding
    if parsed is None or parsed.item or not urn.startswith(_AGREEMENT_URN):
        raise Invalid(
            f"{urn!r} is not the URN of a provision agreement", where="ProvisionAgreement"
        )
    return parsed.agency_id, parsed.id, parsed.version


def read_submit_registrations(root: etree._Element) -> tuple[str, list[RegistrationRequest]]:
    """The SDMX-ML version and the requests of a RegistryInterface/SubmitRegistrationsRequest
    (a message valid against its XSD: the caller checked it)."""
    version = message_version(root)
    mes, reg = NAMESPACES[version]["mes"], registry_ns(version)
    if etree.QName(root).localname != "RegistryInterface":
        raise Invalid("a registration submission is an SDMX-ML RegistryInterface message")
    request = root.find(f"{{{mes}}}SubmitRegistrationsRequest")
    if request is None:
        raise Invalid("the RegistryInterface message holds no SubmitRegistrationsRequest")
    requests = []
    for number, entry in enumerate(request.iterfind(f"{{{reg}}}RegistrationRequest"), 1):
        where = f"RegistrationRequest[{number}]"
        action = check_action(entry.get("action"), where)
        element = entry.find(f"{{{reg}}}Registration")
        assert element is not None  # the XSD requires it
        requests.append(RegistrationRequest(action, _read_registration(element, reg, where)))
    return version, requests


def _read_registration(element: etree._Element, reg: str, where: str) -> Registration:
    agreement = element.find(f"{{{reg}}}ProvisionAgreement")
    assert agreement is not None
    ref, urn = agreement.find("Ref"), agreement.findtext("URN")
    if ref is not None:
        urn = agreement_urn(ref.get("agencyID", ""), ref.get("id", ""), ref.get("version", "1.0"))
    urn = (urn or agreement.text or "").strip()
    agreement_parts(urn)
    source = element.find(f"{{{reg}}}Datasource")
    queryable = source.find(f"{{{reg}}}QueryableDataSource") if source is not None else None
    simple = source.findtext(f"{{{reg}}}SimpleDataSource") if source is not None else None
    if queryable is not None:
        url = next((e.text or "" for e in queryable if etree.QName(e).localname == "DataURL"), "")
        rest = queryable.get("isRESTDatasource") in ("true", "1")
    else:
        url, rest = (simple or ""), False
    return Registration(
        id=element.get("id", ""),
        agreement_urn=urn,
        provider="",
        source_url=url.strip(),
        queryable=queryable is not None,
        rest_source=rest,
        index_flags=frozenset(f for f in INDEX_FLAGS if element.get(f) in ("true", "1")),
        valid_from=parse_time(element.get("validFrom"), f"{where}/@validFrom"),
        valid_to=parse_time(element.get("validTo"), f"{where}/@validTo"),
    )


def write_submit_registrations_response(
    statuses: Sequence[RegistrationStatus], header: MessageHeader, version: str = "2.1"
) -> bytes:
    """The RegistryInterface/SubmitRegistrationsResponse: each registration and its status."""
    root, body = registry_interface(header, version, "SubmitRegistrationsResponse")
    reg = registry_ns(version)
    for status in statuses:
        entry = etree.SubElement(body, f"{{{reg}}}RegistrationStatus")
        write_registration_element(entry, status.registration, version)
        status_message(entry, version, status.status, [(status.code, status.message)])
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def write_query_registration_response(
    registrations: Sequence[Registration], header: MessageHeader, version: str = "2.1"
) -> bytes:
    """The RegistryInterface/QueryRegistrationResponse holding `registrations`."""
    root, body = registry_interface(header, version, "QueryRegistrationResponse")
    reg = registry_ns(version)
    status_message(body, version, "Success", [])
    for registration in registrations:
        result = etree.SubElement(body, f"{{{reg}}}QueryResult", timeSeriesMatch="false")
        data = etree.SubElement(result, f"{{{reg}}}DataResult")
        write_registration_element(data, registration, version)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def write_registration_element(
    parent: etree._Element, registration: Registration, version: str
) -> None:
    """A reg:Registration element under `parent` (responses, queries, notifications)."""
    reg, com = registry_ns(version), NAMESPACES[version]["com"]
    element = etree.SubElement(parent, f"{{{reg}}}Registration")
    if registration.id:
        element.set("id", registration.id)
    for name, moment in (
        ("validFrom", registration.valid_from),
        ("validTo", registration.valid_to),
        ("lastUpdated", registration.updated),
    ):
        if moment is not None:
            element.set(name, format_time(moment) or "")
    for flag in INDEX_FLAGS:
        if flag in registration.index_flags:
            element.set(flag, "true")
    agreement = etree.SubElement(element, f"{{{reg}}}ProvisionAgreement")
    if version == "2.1":
        etree.SubElement(agreement, "URN").text = xml_text(registration.agreement_urn)
    else:
        agreement.text = xml_text(registration.agreement_urn)
    source = etree.SubElement(element, f"{{{reg}}}Datasource")
    if registration.queryable:
        queryable = etree.SubElement(
            source,
            f"{{{reg}}}QueryableDataSource",
            isRESTDatasource="true" if registration.rest_source else "false",
            isWebServiceDatasource="false" if registration.rest_source else "true",
        )
        etree.SubElement(queryable, f"{{{com}}}DataURL").text = xml_text(registration.source_url)
    else:
        etree.SubElement(source, f"{{{reg}}}SimpleDataSource").text = xml_text(
            registration.source_url
        )


def registry_interface(
    header: MessageHeader, version: str, body: str
) -> tuple[etree._Element, etree._Element]:
    """A RegistryInterface message of `version` with its header and an empty `body` (every
    registry message of the node: registrations, subscriptions, notifications)."""
    mes, com = NAMESPACES[version]["mes"], NAMESPACES[version]["com"]
    root = etree.Element(
        f"{{{mes}}}RegistryInterface",
        nsmap={"mes": mes, "reg": registry_ns(version), "com": com},
    )
    head = etree.SubElement(root, f"{{{mes}}}Header")
    etree.SubElement(head, f"{{{mes}}}ID").text = header.id
    etree.SubElement(head, f"{{{mes}}}Test").text = "true" if header.test else "false"
    prepared = header.prepared or datetime.now(UTC).replace(microsecond=0)
    etree.SubElement(head, f"{{{mes}}}Prepared").text = prepared.isoformat().replace("+00:00", "Z")
    etree.SubElement(head, f"{{{mes}}}Sender", id=header.sender)
    etree.SubElement(head, f"{{{mes}}}Receiver", id="not_supplied")
    return root, etree.SubElement(root, f"{{{mes}}}{body}")


def status_message(
    parent: etree._Element, version: str, status: str, texts: Sequence[tuple[str, str]]
) -> None:
    """A reg:StatusMessage of `status` with (code, English text) message texts."""
    reg, com = registry_ns(version), NAMESPACES[version]["com"]
    message = etree.SubElement(parent, f"{{{reg}}}StatusMessage", status=status)
    for code, text in texts:
        holder = etree.SubElement(message, f"{{{reg}}}MessageText", code=code)
        element = etree.SubElement(holder, f"{{{com}}}Text")
        element.set(XML_LANG, "en")
        element.text = xml_text(text)
