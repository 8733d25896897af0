"""Registrations tests reuse the two-provider node of tests/providers (NSO may report the
totals of DF_MIG_STOCK_IMS through IMDX:PA_NSO, UN DESA everything through its agreement),
and build SubmitRegistrationsRequest messages."""

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

PA_NSO = "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement=IMDX:PA_NSO(1.0.0)"
PA_DESA = (
    "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement="
    "IMDX:PA_UN_DESA_POP_DF_MIG_STOCK_IMS(1.0.0)"
)


def submit_request(
    entries: list[tuple[str, str, str, str]], version: str = "2.1", *, simple: bool = False
) -> bytes:
    """A RegistryInterface/SubmitRegistrationsRequest with one RegistrationRequest per
    (action, registration id or '', agreement URN, data source URL)."""
    mes, com = NAMESPACES[version]["mes"], NAMESPACES[version]["com"]
    reg = registry_ns(version)
    root = etree.Element(f"{{{mes}}}RegistryInterface", nsmap={"mes": mes, "reg": reg, "com": com})
    head = etree.SubElement(root, f"{{{mes}}}Header")
    etree.SubElement(head, f"{{{mes}}}ID").text = "REQ1"
    etree.SubElement(head, f"{{{mes}}}Test").text = "false"
    etree.SubElement(head, f"{{{mes}}}Prepared").text = "2026-12-05T00:00:00Z"
    etree.SubElement(head, f"{{{mes}}}Sender", id="TEST")
    etree.SubElement(head, f"{{{mes}}}Receiver", id="IMDX")
    body = etree.SubElement(root, f"{{{mes}}}SubmitRegistrationsRequest")
    for action, reg_id, urn, url in entries:
        request = etree.SubElement(body, f"{{{reg}}}RegistrationRequest", action=action)
        registration = etree.SubElement(request, f"{{{reg}}}Registration")
        if reg_id:
            registration.set("id", reg_id)
        registration.set("indexTimeSeries", "true")
        agreement = etree.SubElement(registration, f"{{{reg}}}ProvisionAgreement")
        if version == "2.1":
            etree.SubElement(agreement, "URN").text = urn
        else:
            agreement.text = urn
        source = etree.SubElement(registration, f"{{{reg}}}Datasource")
        if simple:
            etree.SubElement(source, f"{{{reg}}}SimpleDataSource").text = url
        else:
            queryable = etree.SubElement(
                source,
                f"{{{reg}}}QueryableDataSource",
                isRESTDatasource="true",
                isWebServiceDatasource="false",
            )
            etree.SubElement(queryable, f"{{{com}}}DataURL").text = url
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
