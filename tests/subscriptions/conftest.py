"""Subscription tests build SubmitSubscriptionsRequest messages of every SDMX-ML version."""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxml import NAMESPACES
from sdmxnode.formats.sdmxml.registry.registrations import registry_ns
from tests.providers.conftest import (  # noqa: F401  (fixtures)
    desa_token,
    nso_token,
    providers_app,
    providers_node,
)

ORGANISATION = "urn:sdmx:org.sdmx.infomodel.base.DataProvider=TEST:DATA_PROVIDERS(1.0).NSO"


def subscribe_request(
    callback: str,
    *,
    version: str = "2.1",
    action: str = "Append",
    registry_urn: str = "",
    structures: list[tuple[str, str, str]] | None = None,
    agencies: tuple[str, ...] = ("%",),
    registrations: bool = True,
    metadata: bool = False,
    start: str = "2000-01-01",
    end: str = "2099-12-31",
) -> bytes:
    """A RegistryInterface/SubmitSubscriptionsRequest with one subscription: structural
    events of `agencies` (every type, or the (element, id, version) named), registration
    events (all) and, if asked, metadata events (all)."""
    mes, com = NAMESPACES[version]["mes"], NAMESPACES[version]["com"]
    reg = registry_ns(version)
    root = etree.Element(f"{{{mes}}}RegistryInterface", nsmap={"mes": mes, "reg": reg, "com": com})
    head = etree.SubElement(root, f"{{{mes}}}Header")
    etree.SubElement(head, f"{{{mes}}}ID").text = "SUB1"
    etree.SubElement(head, f"{{{mes}}}Test").text = "false"
    etree.SubElement(head, f"{{{mes}}}Prepared").text = "2026-12-05T00:00:00Z"
    etree.SubElement(head, f"{{{mes}}}Sender", id="TEST")
    etree.SubElement(head, f"{{{mes}}}Receiver", id="IMDX")
    body = etree.SubElement(root, f"{{{mes}}}SubmitSubscriptionsRequest")
    request = etree.SubElement(body, f"{{{reg}}}SubscriptionRequest", action=action)
    subscription = etree.SubElement(request, f"{{{reg}}}Subscription")
    organisation = etree.SubElement(subscription, f"{{{reg}}}Organisation")
    if version == "2.1":
        etree.SubElement(organisation, "URN").text = ORGANISATION
    else:
        organisation.text = ORGANISATION
    if registry_urn:
        etree.SubElement(subscription, f"{{{reg}}}RegistryURN").text = registry_urn
    etree.SubElement(subscription, f"{{{reg}}}NotificationHTTP").text = callback
    etree.SubElement(subscription, f"{{{reg}}}SubscriberAssignedID").text = "MY_SUB"
    period = etree.SubElement(subscription, f"{{{reg}}}ValidityPeriod")
    etree.SubElement(period, f"{{{reg}}}StartDate").text = start
    etree.SubElement(period, f"{{{reg}}}EndDate").text = end
    selector = etree.SubElement(subscription, f"{{{reg}}}EventSelector")
    events = etree.SubElement(selector, f"{{{reg}}}StructuralRepositoryEvents")
    for agency in agencies:
        etree.SubElement(events, f"{{{reg}}}AgencyID").text = agency
    if structures:
        for element, id_, version_ in structures:
            named = etree.SubElement(events, f"{{{reg}}}{element}")
            etree.SubElement(named, f"{{{reg}}}ID").text = id_
            etree.SubElement(named, f"{{{reg}}}Version").text = version_
    else:
        etree.SubElement(events, f"{{{reg}}}AllEvents")
    if registrations:
        data = etree.SubElement(selector, f"{{{reg}}}DataRegistrationEvents")
        etree.SubElement(data, f"{{{reg}}}AllEvents")
    if metadata:
        meta = etree.SubElement(selector, f"{{{reg}}}MetadataRegistrationEvents")
        etree.SubElement(meta, f"{{{reg}}}AllEvents")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
