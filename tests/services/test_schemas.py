"""Schema answers: the one artefact a schema query names, bound to a version and location."""

from __future__ import annotations

import pytest
from lxml import etree

from sdmxnode.errors import NotImplementedSdmx
from sdmxnode.rest.schema import parse_schema_query_v1
from sdmxnode.services.node import Node
from sdmxnode.services.structures.schemas import check_schema_context, get_schema_answer


def test_reference_metadata_contexts_are_not_implemented() -> None:
    with pytest.raises(NotImplementedSdmx):
        check_schema_context(parse_schema_query_v1("metadataflow", "IMDX", "X", None, {}))


def test_a_dataflow_schema_is_an_xsd(structures_node: Node) -> None:
    query = parse_schema_query_v1("dataflow", "IMDX", "DF_MIG_STOCK_IMS", None, {})
    check_schema_context(query)
    answer = get_schema_answer(structures_node, query, "2.1", "http://node/schemas/sdmx21/")
    assert answer.dimension_at_observation == "TIME_PERIOD"
    assert answer.etag("a") != answer.etag("b")
    root = etree.fromstring(answer.write())
    assert root.tag == "{http://www.w3.org/2001/XMLSchema}schema"
