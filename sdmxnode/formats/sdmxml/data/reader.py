"""Streaming reader of SDMX-ML data messages (2.1 generic and structure-specific, 3.0) into rows.

`read_sdmxml_data` checks the root with lxml (`read_root`: any DOCTYPE refused), then reads
structure-specific messages with expat (`specific.py`) and generic ones with
`lxml.etree.iterparse` (entities, DTDs and network off, libxml2's nesting limit on),
clearing elements as it goes. It yields one `DatasetRows` per `DataSet`, resolving its
structure when the data set starts. Rows are produced while parsing: the `rows` of one data
set must be consumed (in order) before the next `DatasetRows` is asked for; rows not
consumed by then are skipped.

Mapping onto the row contract:
- series, group and data-set attributes are repeated on every observation row of their scope;
  group attributes go to the rows whose key matches the group key (at series level, or at
  observation level when a group key includes the dimension at observation);
- a series with attributes but no observations gives one row with only its key and
  attributes; groups matching no series are not reported;
- SDMX-ML 3.0 multiple measures are columns like any other component; a multi-valued
  (complex) component becomes one string, its values joined by `;`
  (`MULTI_VALUE_SEPARATOR`), and a multilingual value is its English text (else the first);
- SDMX-ML 2.1 explicit measures: an observation's `xsi:type` gives the measure dimension.
A component the DSD does not define is refused (`Invalid` naming the line).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from sdmxnode.errors import Invalid
from sdmxnode.formats.rows import DatasetRows, StructureInfo, StructureResolver
from sdmxnode.formats.sdmxml import NS21, NS30, NS31, unsupported_message
from sdmxnode.formats.sdmxml.data import generic
from sdmxnode.formats.sdmxml.data.dataset import line_of
from sdmxnode.formats.sdmxml.data.header import (
    HeaderStructure,
    data_set_context,
    data_set_rows,
    read_header,
)
from sdmxnode.formats.sdmxml.data.parse import ElementStream, read_root
from sdmxnode.formats.sdmxml.data.specific import read_specific_data
from sdmxnode.refs import ArtefactRef

_GENERIC = frozenset({(NS21["mes"], "GenericData"), (NS21["mes"], "GenericTimeSeriesData")})
_STRUCTURE_SPECIFIC = frozenset(
    {
        (NS21["mes"], "StructureSpecificData"),
        (NS21["mes"], "StructureSpecificTimeSeriesData"),
        (NS30["mes"], "StructureSpecificData"),
        # SDMX-ML 3.1: 3.0's message in its own namespaces (SDMX 3.0 action semantics)
        (NS31["mes"], "StructureSpecificData"),
    }
)


def read_sdmxml_data(
    stream: BinaryIO, resolve: StructureResolver, *, source: str = "message"
) -> Iterator[DatasetRows]:
    """The data sets of an SDMX-ML data message, streamed as rows (see the module doc)."""
    prefix, root = read_root(stream, source)
    message_ns = root.namespace or ""
    if (message_ns, root.localname) in _STRUCTURE_SPECIFIC:
        yield from read_specific_data(stream, prefix, message_ns, resolve, source)
        return
    if (message_ns, root.localname) not in _GENERIC:
        raise Invalid(
            unsupported_message(root.namespace, root.localname, source=source, kind="data"),
            where="line 1",
        )
    header_tag = f"{{{message_ns}}}Header"
    dataset_tag = f"{{{message_ns}}}DataSet"
    tags = (header_tag, dataset_tag, *generic.TAGS)
    elements = ElementStream(stream, prefix, tags, source)
    structures: dict[str, HeaderStructure] = {}
    header_action: str | None = None
    resolved: dict[ArtefactRef, StructureInfo] = {}
    previous: etree._Element | None = None
    while (element := elements.next_element()) is not None:
        if element.tag == header_tag:
            structures, header_action = read_header(element, source)
            element.clear()
            continue
        dataset = _dataset_of(element, dataset_tag)
        if dataset is None:
            raise Invalid(f"{source}: {element.tag} outside a DataSet", where=line_of(element))
        if dataset is previous:  # the rows reader stopped at an element it cannot place
            raise Invalid(
                f"{source}: {etree.QName(element).localname} is not where SDMX-ML allows it "
                f"(inside {etree.QName(element.getparent()).localname})",
                where=line_of(element),
            )
        previous = dataset
        elements.push_back(element)
        header, context = data_set_context(dataset, structures, resolved, resolve, source)
        generic.read_dataset_values(context)
        rows = generic.read_generic_rows(context, elements)
        yield data_set_rows(context, header, header_action, rows, source, "2.1")
        for _ in rows:  # skip what the consumer left, to reach the next data set
            pass


def _dataset_of(element: etree._Element, dataset_tag: str) -> etree._Element | None:
    while element is not None and element.tag != dataset_tag:
        element = element.getparent()
    return element
