"""SDMX-ML subscription messages: SubmitSubscriptionsRequest read, SubmitSubscriptionsResponse
and NotifyRegistryEvent written (RegistryInterface, SDMX-ML 2.1, 3.0 and 3.1; SDMX 2.1
Section 5 and `SDMXRegistrySubscription.xsd`, the same in the three versions but for how
references are written: 2.1 `Ref`/`URN` children, 3.0 and 3.1 a URN as text).

A subscription is named by its `RegistryURN` (the URN the node gave it); a request without
one creates a subscription. Only HTTP callbacks are notified (`NotificationHTTP`, not
SOAP); `NotificationMailTo` addresses are kept and written back, not mailed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.registrations.model import Registration
from sdmxnode.formats.sdmxml import NAMESPACES, message_version, xml_text
from sdmxnode.formats.sdmxml.registry.registrations import (
    registry_interface,
    registry_ns,
    status_message,
    write_registration_element,
)
from sdmxnode.formats.subscriptions.model import (
    ACTIONS,
    SUBSCRIPTION_URN,
    ArtefactPattern,
    Event,
    EventSelector,
    Subscription,
    SubscriptionRequest,
    SubscriptionStatus,
    provider_ref,
    ref_of_urn,
)

#: Elements of StructuralRepositoryEvents -> the node's canonical artefact type.
STRUCTURE_ELEMENTS = {
    "AgencyScheme": "AgencyScheme",
    "DataConsmerScheme": "DataConsumerScheme",  # (sic: the official XSD's spelling)
    "DataProviderScheme": "DataProviderScheme",
    "OrganisationUnitScheme": "OrganisationUnitScheme",
    "Dataflow": "Dataflow",
    "Metadataflow": "Metadataflow",
    "CategoryScheme": "CategoryScheme",
    "Categorisation": "Categorisation",
    "Codelist": "Codelist",
    "HierarchicalCodelist": "HierarchicalCodelist",
    "ConceptScheme": "ConceptScheme",
    "MetadataStructureDefinition": "MetadataStructure",
    "KeyFamily": "DataStructure",
    "StructureSet": "StructureSet",
    "ReportingTaxonomy": "ReportingTaxonomy",
    "Process": "Process",
    "AttachmentConstraint": "AttachmentConstraint",
    "ContentConstraint": "ContentConstraint",
    "ProvisionAgreement": "ProvisionAgreement",
    "TransformationScheme": "TransformationScheme",
    "NameAliasScheme": "NameAliasScheme",
    "NamePersonalisationScheme": "NamePersonalisationScheme",
    "RulesetScheme": "RulesetScheme",
    "UserDefinedOperatorScheme": "UserDefinedOperatorScheme",
}
_ELEMENT_OF_TYPE = {type_: element for element, type_ in STRUCTURE_ELEMENTS.items()}
#: Elements of Data/MetadataRegistrationEvents naming a maintainable -> its type.
_RELATED_ELEMENTS = {
    "ProvisionAgreement": "ProvisionAgreement",
    "DataflowReference": "Dataflow",
    "KeyFamilyReference": "DataStructure",
    "MetadataflowReference": "Metadataflow",
    "MetadataStructureDefinitionReference": "MetadataStructure",
}
_SELECTOR_ELEMENTS = {
    "StructuralRepositoryEvents": "structure",
    "DataRegistrationEvents": "registration",
    "MetadataRegistrationEvents": "metadata",
}
_KIND_ELEMENTS = {kind: element for element, kind in _SELECTOR_ELEMENTS.items()}


def read_submit_subscriptions(root: etree._Element) -> tuple[str, list[SubscriptionRequest]]:
    """The SDMX-ML version and the requests of a RegistryInterface/SubmitSubscriptionsRequest
    (a message valid against its XSD: the caller checked it)."""
    version = message_version(root)
    mes, reg = NAMESPACES[version]["mes"], registry_ns(version)
    if etree.QName(root).localname != "RegistryInterface":
        raise Invalid("a subscription submission is an SDMX-ML RegistryInterface message")
    body = root.find(f"{{{mes}}}SubmitSubscriptionsRequest")
    if body is None:
        raise Invalid("the RegistryInterface message holds no SubmitSubscriptionsRequest")
    requests = []
    for number, entry in enumerate(body.iterfind(f"{{{reg}}}SubscriptionRequest"), 1):
        where = f"SubscriptionRequest[{number}]"
        action = entry.get("action", "")
        if action not in ACTIONS:
            raise Invalid(
                f"{where}: action {action!r} is not taken for subscriptions; use one of "
                + ", ".join(ACTIONS),
                where="action",
            )
        element = entry.find(f"{{{reg}}}Subscription")
        assert element is not None  # the XSD requires it
        requests.append(SubscriptionRequest(action, _read_subscription(element, reg, where)))
    return version, requests


def _read_subscription(element: etree._Element, reg: str, where: str) -> Subscription:
    registry_urn = (element.findtext(f"{{{reg}}}RegistryURN") or "").strip()
    if registry_urn and not registry_urn.startswith(SUBSCRIPTION_URN):
        raise Invalid(f"{where}: RegistryURN {registry_urn!r} is not a subscription URN")
    period = element.find(f"{{{reg}}}ValidityPeriod")
    assert period is not None
    selectors = element.find(f"{{{reg}}}EventSelector")
    assert selectors is not None
    return Subscription(
        id=registry_urn.removeprefix(SUBSCRIPTION_URN),
        organisation=_reference_urn(element.find(f"{{{reg}}}Organisation"), "DataProvider"),
        callbacks=tuple(
            (e.text or "").strip()
            for e in element.iterfind(f"{{{reg}}}NotificationHTTP")
            if e.get("isSOAP") not in ("true", "1")
        ),
        mail_to=tuple(
            (e.text or "").strip() for e in element.iterfind(f"{{{reg}}}NotificationMailTo")
        ),
        subscriber_id=(element.findtext(f"{{{reg}}}SubscriberAssignedID") or "").strip(),
        valid_from=_date(period.findtext(f"{{{reg}}}StartDate"), where),
        valid_to=_date(period.findtext(f"{{{reg}}}EndDate"), where),
        selectors=tuple(_selector(s, reg) for s in selectors),
    )


def _date(text: str | None, where: str) -> date:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError as exc:
        raise Invalid(f"{where}: ValidityPeriod holds no date: {text!r}") from exc


def _reference_urn(element: etree._Element | None, default_class: str) -> str:
    """The URN of a 2.1 reference (`Ref` or `URN` child) or a 3.0 one (URN text)."""
    if element is None:
        return ""
    urn = element.findtext("URN")
    if urn:
        return urn.strip()
    ref = element.find("Ref")
    if ref is None:
        return (element.text or "").strip()
    cls = ref.get("class", default_class)
    package = (
        "base"
        if cls in ("DataProvider", "Agency", "DataConsumer", "OrganisationUnit")
        else ("registry" if cls == "ProvisionAgreement" else "datastructure")
    )
    parent = ref.get("maintainableParentID")
    if parent:
        version = ref.get("maintainableParentVersion", "1.0")
        return (
            f"urn:sdmx:org.sdmx.infomodel.{package}.{cls}={ref.get('agencyID', '')}:"
            f"{parent}({version}).{ref.get('id', '')}"
        )
    return (
        f"urn:sdmx:org.sdmx.infomodel.{package}.{cls}={ref.get('agencyID', '')}:"
        f"{ref.get('id', '')}({ref.get('version', '1.0')})"
    )


def _selector(element: etree._Element, reg: str) -> EventSelector:
    kind = _SELECTOR_ELEMENTS[etree.QName(element).localname]
    if kind == "structure":
        agencies = tuple(
            (a.text or "%").strip() for a in element.iterfind(f"{{{reg}}}AgencyID")
        ) or ("%",)
        patterns = []
        for child in element:
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if name not in STRUCTURE_ELEMENTS:
                continue
            type_ = STRUCTURE_ELEMENTS[name]
            urn = (child.findtext(f"{{{reg}}}URN") or "").strip()
            patterns.append(
                ArtefactPattern(
                    type_,
                    urn,
                    "%",
                    (child.findtext(f"{{{reg}}}ID") or "%").strip(),
                    (child.findtext(f"{{{reg}}}Version") or "%").strip(),
                )
            )
        return EventSelector(kind, agencies, tuple(patterns))
    patterns, registrations = [], []
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "RegistrationID":
            registrations.append((child.text or "").strip())
        elif name == "DataProvider":
            found = provider_ref(_reference_urn(child, "DataProvider"))
            if found is None:
                raise Invalid(f"DataProvider names no data provider: {etree.tostring(child)!r}")
            patterns.append(ArtefactPattern("DataProvider", "", found.agency_id, found.id, "%"))
        elif name in _RELATED_ELEMENTS:
            patterns.append(_related_pattern(child, reg, _RELATED_ELEMENTS[name]))
    return EventSelector(kind, ("%",), tuple(patterns), tuple(registrations))


def _related_pattern(element: etree._Element, reg: str, type_: str) -> ArtefactPattern:
    """A provision agreement, provider or structure named by reference, URN or query."""
    query = element.find(f"{{{reg}}}Ref")
    if query is not None:  # MaintainableEventType/Ref: patterns
        return ArtefactPattern(
            type_,
            "",
            query.get("agencyID", "%"),
            query.get("id", "%"),
            query.get("version", "%"),
        )
    urn = (element.findtext(f"{{{reg}}}URN") or "").strip() or _reference_urn(element, type_)
    ref = ref_of_urn(urn)
    if ref is None:
        raise Invalid(f"{etree.QName(element).localname}: {urn!r} is not an SDMX URN")
    return ArtefactPattern(ref.type, "", ref.agency_id, ref.id, ref.version)


def write_submit_subscriptions_response(
    statuses: Sequence[SubscriptionStatus], header: MessageHeader, version: str = "2.1"
) -> bytes:
    """The RegistryInterface/SubmitSubscriptionsResponse: per subscription its URN, the
    subscriber's id and a status (on creation, the notification secret in its text)."""
    root, body = registry_interface(header, version, "SubmitSubscriptionsResponse")
    reg = registry_ns(version)
    for status in statuses:
        entry = etree.SubElement(body, f"{{{reg}}}SubscriptionStatus")
        if status.subscription.id:
            etree.SubElement(entry, f"{{{reg}}}SubscriptionURN").text = status.subscription.urn
        if status.subscription.subscriber_id:
            etree.SubElement(
                entry, f"{{{reg}}}SubscriberAssignedID"
            ).text = status.subscription.subscriber_id
        texts = [(status.code, status.message)]
        if status.secret:
            texts.append(("secret", status.secret))
        status_message(entry, version, status.status, texts)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def write_notify_registry_event(
    event: Event,
    subscription_urn: str,
    event_time: datetime,
    header: MessageHeader,
    *,
    registration: Registration | None = None,
    version: str = "2.1",
) -> bytes:
    """The RegistryInterface/NotifyRegistryEvent of one event for one subscription: its
    time, the object (URN, or a registration's id), the subscription, the action, and for
    a registration the registration itself."""
    root, body = registry_interface(header, version, "NotifyRegistryEvent")
    reg = registry_ns(version)
    moment = event_time if event_time.tzinfo else event_time.replace(tzinfo=UTC)
    etree.SubElement(body, f"{{{reg}}}EventTime").text = moment.isoformat().replace("+00:00", "Z")
    if event.registration_id:
        etree.SubElement(body, f"{{{reg}}}RegistrationID").text = xml_text(event.registration_id)
    else:
        etree.SubElement(body, f"{{{reg}}}ObjectURN").text = xml_text(event.urn)
    etree.SubElement(body, f"{{{reg}}}SubscriptionURN").text = xml_text(subscription_urn)
    etree.SubElement(body, f"{{{reg}}}EventAction").text = event.action
    if registration is not None:
        holder = etree.SubElement(body, f"{{{reg}}}RegistrationEvent")
        write_registration_element(holder, registration, version)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
