"""The SDMX-ML 2.1 answer to a data submission: a RegistryInterface SubmitStructureResponse.

SDMX-ML 2.1 has no message dedicated to the result of a data upload. The registry's
`SubmitStructureResponse` carries what such an answer needs: a reference to a maintainable
artefact (here the dataflow the data was written to), the action applied, a status
(Success, Warning) and any number of coded texts (the counts, then the warnings).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from lxml import etree

from sdmxnode.formats.data_sdmxml_stream import prepared_text
from sdmxnode.formats.sdmxml import NS21
from sdmxnode.formats.structure_elements import MessageHeader

log = logging.getLogger(__name__)

REGISTRY_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/registry"
#: SDMX-ML 2.1 common:ActionType values; 3.0 `Merge` is written as `Append`.
_ML_ACTIONS = {
    "Append": "Append",
    "Merge": "Append",
    "Replace": "Replace",
    "Delete": "Delete",
    "Information": "Information",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def submission_response_xml(
    header: MessageHeader,
    receiver: str,
    urn: str,
    action: str,
    texts: Sequence[tuple[str, str]],
    *,
    warning: bool = False,
) -> bytes:
    """A RegistryInterface message answering the submission of data to the artefact `urn`.

    `receiver` is the id of the party the answer is for (e.g. the token id); `texts` are
    (code, text) pairs written as MessageText elements; `warning` sets the status Warning
    instead of Success.
    """
    mes, com = NS21["mes"], NS21["com"]
    root = etree.Element(
        f"{{{mes}}}RegistryInterface", nsmap={"mes": mes, "com": com, "reg": REGISTRY_NS}
    )
    head = etree.SubElement(root, f"{{{mes}}}Header")
    etree.SubElement(head, f"{{{mes}}}ID").text = header.id
    etree.SubElement(head, f"{{{mes}}}Test").text = "true" if header.test else "false"
    etree.SubElement(head, f"{{{mes}}}Prepared").text = prepared_text(header)
    etree.SubElement(head, f"{{{mes}}}Sender", id=header.sender)
    etree.SubElement(head, f"{{{mes}}}Receiver", id=receiver or "not_supplied")
    response = etree.SubElement(root, f"{{{mes}}}SubmitStructureResponse")
    result = etree.SubElement(response, f"{{{REGISTRY_NS}}}SubmissionResult")
    submitted = etree.SubElement(
        result,
        f"{{{REGISTRY_NS}}}SubmittedStructure",
        action=_ML_ACTIONS.get(action.split("+")[0], "Append"),
    )
    maintainable = etree.SubElement(submitted, f"{{{REGISTRY_NS}}}MaintainableObject")
    etree.SubElement(maintainable, "URN").text = urn
    status = etree.SubElement(
        result, f"{{{REGISTRY_NS}}}StatusMessage", status="Warning" if warning else "Success"
    )
    for code, text in texts:
        message = etree.SubElement(status, f"{{{REGISTRY_NS}}}MessageText", code=code)
        element = etree.SubElement(message, f"{{{com}}}Text")
        element.set(_XML_LANG, "en")
        element.text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
