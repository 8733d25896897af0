"""SDMX-ML 3.1 structure elements read as SDMX-ML 3.0 ones, for sdmx1 (which reads no 3.1).

A 3.1 artefact is stored as received; to build sdmx1's model of it, its element is taken to
the 3.0 vocabulary: the v3_1 namespaces become v3_0 ones, and a data constraint, which has
no `role` in 3.1 (it is the allowed content; SDMX 3.1 keeps actual content in availability
constraints), gets the `role="Allowed"` 3.0 requires. A code's numeric parent (an IDType in
3.1) stays as it is: sdmx1 reads it, and the node's 3.0 writer leaves it out where the 3.0
schema wants an NCName. Availability constraints are not maintainable and have no 3.0 form.
"""

from __future__ import annotations

from lxml import etree

from sdmxnode.formats.sdmxml import NS30, NS31, safe_parser

#: The SDMX-ML 3.1 element of an availability constraint (SDMX 3.1's actual content).
AVAILABILITY_CONSTRAINT = "AvailabilityConstraint"


def element_as_ml30(xml: bytes) -> bytes:
    """One SDMX-ML 3.1 artefact element (as the store keeps it) in the 3.0 vocabulary."""
    text = xml
    for prefix in ("mes", "str", "com"):
        text = text.replace(NS31[prefix].encode(), NS30[prefix].encode())
    element = etree.fromstring(text, safe_parser())
    for constraint in element.iter(f"{{{NS30['str']}}}DataConstraint"):
        if constraint.get("role") is None:
            constraint.set("role", "Allowed")
    return etree.tostring(element, encoding="utf-8")


def element_as_ml31(xml: bytes) -> bytes:
    """One SDMX-ML 3.0 artefact element whose vocabulary 3.1 keeps (structure and
    representation maps) in the 3.1 namespaces."""
    text = xml
    for prefix in ("mes", "str", "com"):
        text = text.replace(NS30[prefix].encode(), NS31[prefix].encode())
    return text
