"""Text-level building blocks of the streaming SDMX-ML data writers: escaping, headers, chunks.

The writers build messages by string concatenation (never one lxml tree for a data set) and
yield UTF-8 chunks of about `CHUNK_BYTES`, so that memory stays flat in the number of
observations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sdmxnode.errors import SemanticError
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult
from sdmxnode.formats.sdmxml import NAMESPACES
from sdmxnode.formats.sdmxml.data.writers.layout import (
    TIME_PERIOD,
    MessageLayout,
    plan_layout,
    resolved_structure,
    split_ref,
    structure_id,
    structure_namespace,
)
from sdmxnode.formats.writing import message_data_sets

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SS_NS = {
    "2.1": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific",
    "3.0": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific",
    "3.1": "http://www.sdmx.org/resources/sdmxml/schemas/v3_1/data/structurespecific",
}
GENERIC_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
#: Actions the SDMX-ML 2.1 and 3.0 schemas know (common:ActionType); Merge (SDMX-CSV 2.0,
#: SDMX-REST 2.x) is written as Append, its nearest.
ML_ACTIONS = ("Append", "Replace", "Delete", "Information")
#: SDMX-ML 3.1 (common:ActionType) adds Merge, written as such; it keeps Append and
#: Information (deprecated: "the Merge action is assumed"), written as they are, since
#: clients such as pysdmx 1.21 read no Merge.
ML_ACTIONS_31 = (*ML_ACTIONS, "Merge")


def escape(value: str) -> str:
    """`value` escaped for an XML attribute in double quotes (fast when nothing to escape).

    Tabs and line breaks become character references, so that attribute-value normalisation
    on reading gives back the same value.
    """
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return value


def text(value: object) -> str:
    """A cell of the row stream as the text an SDMX-ML attribute carries."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def escaped(value: object, _escape: Callable[[str], str] = escape) -> str:
    """A cell of the row stream as escaped attribute text."""
    return _escape(value if isinstance(value, str) else text(value))


def action_for(version: str, action: str) -> str:
    """The SDMX-ML `action` of a data set (the same list in 2.1 and 3.0; 3.1's own)."""
    if version == "3.1" and action in ML_ACTIONS_31:
        return action
    if action in ML_ACTIONS:
        return action
    if action == "Merge":
        return "Append"
    log.warning("unknown data set action %r written as Information (SDMX-ML %s)", action, version)
    return "Information"


def data_provider_xml(version: str, result: DataResult, prefix: str = "") -> str:
    """The DataProvider element that opens a data set of one provider, else "": SDMX-ML 2.1
    references it by Ref (its URN alongside), 3.0 by URN. `prefix` ('gen:' in 2.1 generic
    data) qualifies the element where the data set's schema does; its Ref and URN children
    are unqualified in every schema."""
    provider = result.provider
    if provider is None:
        return ""
    if version == "2.1":
        ref = (
            f'<Ref agencyID="{escape(provider.agency_id)}" maintainableParentID="DATA_PROVIDERS" '
            f'maintainableParentVersion="1.0" id="{escape(provider.id)}" class="DataProvider" '
            'package="base"/>'
        )
        return (
            f"<{prefix}DataProvider>{ref}<URN>{escape(provider.urn)}</URN></{prefix}DataProvider>"
        )
    return f"<{prefix}DataProvider>{escape(provider.urn)}</{prefix}DataProvider>"


def prepared_text(header: MessageHeader) -> str:
    """The header's Prepared time (now, when it has none), to the second."""
    prepared = header.prepared or datetime.now(UTC)
    return prepared.replace(microsecond=0).isoformat()


def header_xml(version: str, header: MessageHeader, structure_xml: str) -> str:
    """The mes:Header of a data message, holding one mes:Structure given as text."""
    return (
        "<mes:Header>"
        f"<mes:ID>{_element_text(header.id)}</mes:ID>"
        f"<mes:Test>{'true' if header.test else 'false'}</mes:Test>"
        f"<mes:Prepared>{prepared_text(header)}</mes:Prepared>"
        f'<mes:Sender id="{escape(header.sender)}"/>'
        f"{structure_xml}"
        "</mes:Header>"
    )


def _element_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def structure_reference_21(kind_class: str, ref: str) -> str:
    """The com:StructureUsage / com:Structure / com:ProvisionAgrement of a 2.1 header."""
    agency, id_, version = split_ref(ref)
    element = {
        "Dataflow": "StructureUsage",
        "DataStructure": "Structure",
        "ProvisionAgreement": "ProvisionAgrement",  # sic: the SDMX 2.1 schema's spelling
    }[kind_class]
    return (
        f'<com:{element}><Ref agencyID="{escape(agency)}" id="{escape(id_)}" '
        f'version="{escape(version)}"/></com:{element}>'
    )


def structure_reference_30(kind_class: str, ref: str) -> str:
    """The com:StructureUsage / com:Structure / com:ProvisionAgreement URN of a 3.0 header."""
    element = {
        "Dataflow": "StructureUsage",
        "DataStructure": "Structure",
        "ProvisionAgreement": "ProvisionAgreement",
    }[kind_class]
    package = "registry" if kind_class == "ProvisionAgreement" else "datastructure"
    urn = f"urn:sdmx:org.sdmx.infomodel.{package}.{kind_class}={ref}"
    return f"<com:{element}>{_element_text(urn)}</com:{element}>"


def xml_declaration() -> str:
    """The XML declaration every SDMX-ML data message starts with."""
    return "<?xml version='1.0' encoding='UTF-8'?>\n"


def xmlns(prefixes: dict[str, str]) -> str:
    """The xmlns declarations of `prefixes`, as attributes of the root element."""
    return "".join(f' xmlns:{prefix}="{escape(uri)}"' for prefix, uri in prefixes.items())


class Chunks:
    """Collects text parts and hands them out as UTF-8 chunks of about CHUNK_BYTES.

    Writers call `append` per piece and `due()` now and then (a cheap length test on the
    number of parts); the number of parts per chunk adapts to the size of the parts seen.
    """

    __slots__ = ("parts", "append", "limit")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.append = self.parts.append
        self.limit = 512

    def take(self) -> bytes:
        """The parts appended so far as one UTF-8 chunk (the parts are emptied)."""
        data = "".join(self.parts).encode("utf-8")
        count = len(self.parts)
        self.parts.clear()
        if data and count:
            self.limit = max(64, min(65536, count * CHUNK_BYTES // len(data)))
        return data

    def rest(self) -> Iterator[bytes]:
        """The last chunk, if any parts are left."""
        if self.parts:
            yield self.take()


def structure_header(
    structure_id: str, namespace: str | None, dimension_at_observation: str, reference: str
) -> str:
    """The header's mes:Structure (structure-specific messages also name their namespace)."""
    named = f' namespace="{escape(namespace)}"' if namespace is not None else ""
    return (
        f'<mes:Structure structureID="{structure_id}"{named} '
        f'dimensionAtObservation="{escape(dimension_at_observation)}">{reference}</mes:Structure>'
    )


def plan_message_layout(result: DataResult, root: str) -> MessageLayout:
    """The layout of `result` in a message whose root element is `root`; a time-series
    message (`...TimeSeriesData`, SDMX 2.1) allows only TIME_PERIOD at the observation level."""
    layout = plan_layout(result)
    if root.endswith("TimeSeriesData") and layout.dimension_at_observation != TIME_PERIOD:
        raise SemanticError(
            f"{root} only allows TIME_PERIOD at the observation level",
            where="dimensionAtObservation",
        )
    return layout


def write_message(
    version: str,
    root: str,
    header: MessageHeader,
    result: DataResult,
    layout: MessageLayout,
    write_data_set: Callable[[DataResult, MessageLayout, str, Chunks], Iterator[bytes]],
) -> Iterator[bytes]:
    """An SDMX-ML data message in chunks: declaration, `root` element, header, and one
    mes:DataSet per data set of the message (`result` and those `following` it).

    The header names what the data are structured by (by Ref in 2.1, by URN in 3.0) and, in
    structure-specific messages (`root` StructureSpecific...), the namespace of the
    DSD-specific schema (SDMX 2.1 section 3B), which the root declares as `ns1`.
    `write_data_set` gets each data set with the layout and the structureID its
    mes:DataSet refers to.
    """
    dimension_at_observation = layout.dimension_at_observation
    kind_class, ref = resolved_structure(result.structure_ref, result.structure)
    sid = structure_id(*split_ref(ref))
    ns = NAMESPACES[version]
    prefixes = {"mes": ns["mes"], "com": ns["com"]}
    namespace = None
    if root.startswith("StructureSpecific"):
        namespace = structure_namespace(kind_class, ref, dimension_at_observation)
        prefixes |= {"ss": SS_NS[version], "xsi": XSI, "ns1": namespace}
    else:
        prefixes["gen"] = GENERIC_NS
    reference = (structure_reference_21 if version == "2.1" else structure_reference_30)(
        kind_class, ref
    )
    structure_xml = structure_header(sid, namespace, dimension_at_observation, reference)
    data_sets = message_data_sets(result)
    chunks = Chunks()
    chunks.append(xml_declaration())
    chunks.append(f"<mes:{root}{xmlns(prefixes)}>")
    chunks.append(header_xml(version, header, structure_xml))
    for data_set in data_sets:
        yield from write_data_set(data_set, layout, sid, chunks)
    chunks.append(f"</mes:{root}>")
    yield from chunks.rest()
