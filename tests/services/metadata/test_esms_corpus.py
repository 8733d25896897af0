"""Eurostat's ESMS reference metadata (SDMX-ML 2.1 GenericMetadata, ../shared/corpus) loads
whole, and what is stored equals what the file says, attribute by attribute (read again here
with lxml XPath, independently of the node's reader).

The sample's header names the MSD `ESTAT:ESMS(1.0)`, while its structure message holds that
MSD as `ESTAT:ESMS_SIMPLE(1.0)` (same report structure ids): the load names it explicitly,
as `sdmxnode load --metadata-structure` does. Its reports target Eurostat as data provider
(`ESTAT:DATA_PROVIDERS(1.0).ESTAT`), a scheme the sample does not carry: the node only
stores metadata about objects it holds, so fixtures/metadata adds that one provider.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from sqlalchemy import select

from sdmxnode.formats.metadata import ReportedAttribute, from_json
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from sdmxnode.storage.tables import metadata_set_targets, metadata_sets
from tests.services.metadata.conftest import METADATA, load_structures

GEN = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/metadata/generic"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
NS = {"g": GEN, "c": COM, "x": "http://www.w3.org/1999/xhtml"}
ESMS_SIMPLE = ArtefactRef("MetadataStructure", "ESTAT", "ESMS_SIMPLE", "1.0")


def _expected(element: etree._Element) -> list[tuple]:
    """(id, value, texts, XHTML text content, children) of each ReportedAttribute."""
    found = []
    for attribute in element.xpath("g:AttributeSet/g:ReportedAttribute", namespaces=NS):
        xhtml = [
            " ".join(div.xpath("string()").split())
            for div in attribute.xpath("c:StructuredText/x:div", namespaces=NS)
        ]
        texts = [t.text for t in attribute.xpath("c:Text", namespaces=NS)]
        found.append(
            (attribute.get("id"), attribute.get("value"), texts, xhtml, _expected(attribute))
        )
    return found


def _stored(attributes: tuple[ReportedAttribute, ...]) -> list[tuple]:
    found = []
    for attribute in attributes:
        xhtml = [
            " ".join(etree.fromstring(text).xpath("string()").split())
            for _, text in attribute.xhtml
        ]
        texts = [text for _, text in attribute.texts]
        found.append((attribute.id, attribute.value, texts, xhtml, _stored(attribute.attributes)))
    return found


def test_the_esms_sample_loads_whole_and_is_stored_as_the_file_says(
    node: Node, corpus: Path
) -> None:
    load_structures(node, corpus / "ESTAT-esms-structure.xml")
    load_structures(node, METADATA / "ESTAT-DATA_PROVIDERS-for-esms.xml")
    result = load_metadata(
        node,
        corpus / "ESTAT-esms.xml",
        MetadataLoadOptions(source="ESTAT-esms.xml", structure=ESMS_SIMPLE),
    )
    assert result.report.is_valid
    # Dates in DateTime attributes: warned about, not refused.
    assert {f.code for f in result.report.findings} == {"BAD_VALUE"}
    assert len(result.outcomes) == 1 and set(result.outcomes.values()) == {"created"}

    with node.store.engine.connect() as conn:
        bodies = conn.execute(select(metadata_sets.c.body)).scalars().all()
        targets = conn.execute(select(metadata_set_targets.c.target_type)).scalars().all()
    assert len(bodies) == 1
    stored = from_json(bodies[0])
    assert stored.agency_id == "ESTAT" and stored.version == "1.0"
    assert stored.structure == ESMS_SIMPLE
    assert sorted(targets) == ["CategoryScheme", "DataProviderScheme"]

    document = etree.parse(str(corpus / "ESTAT-esms.xml"))
    reports = document.xpath("//g:Report", namespaces=NS)
    assert [r.id for r in stored.reports] == [r.get("id") for r in reports]
    for stored_report, report in zip(stored.reports, reports, strict=True):
        expected_targets = [
            (v.get("id"), " ".join(v.xpath("string()").split()))
            for v in report.xpath("g:Target/g:ReferenceValue", namespaces=NS)
        ]
        assert [(t.id, t.value) for t in stored_report.targets] == expected_targets
        expected = _expected(report)
        assert _stored(stored_report.attributes) == expected

    def count(attributes: tuple[ReportedAttribute, ...]) -> int:
        return sum(1 + count(a.attributes) for a in attributes)

    # Every one of the 16 reported attributes the corpus manifest counts is stored.
    assert sum(count(r.attributes) for r in stored.reports) == 16


def test_the_esms_sample_is_served_back_with_its_reports_attributes_and_texts(
    node: Node, corpus: Path
) -> None:
    """Loaded, then asked for over SDMX-REST in SDMX-ML 2.1 (the 1.5 query by the category it
    documents, and the 2.x query by provider): each answer holds the file's reports, targets
    and attributes (ids, values, texts, XHTML text), compared attribute by attribute."""
    from sdmxnode.app import create_app
    from sdmxnode.validation.schema import validate_ml21

    load_structures(node, corpus / "ESTAT-esms-structure.xml")
    load_structures(node, METADATA / "ESTAT-DATA_PROVIDERS-for-esms.xml")
    load_metadata(
        node,
        corpus / "ESTAT-esms.xml",
        MetadataLoadOptions(source="ESTAT-esms.xml", structure=ESMS_SIMPLE),
    )
    original = etree.parse(str(corpus / "ESTAT-esms.xml")).xpath("//g:Report", namespaces=NS)
    client = create_app().test_client()
    ml21 = "application/vnd.sdmx.genericmetadata+xml;version=2.1"
    for url in (
        "/rest/metadata/structure/categoryscheme/ESTAT/DATAFLOWS_SCHEME/1.0",
        "/rest/v2/metadata/metadataset/ESTAT/*/*",
    ):
        response = client.get(url, headers={"Accept": ml21})
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:500])
        assert response.headers["Content-Type"] == ml21
        assert validate_ml21(response.data) == [], url
        served = etree.fromstring(response.data).xpath("//g:Report", namespaces=NS)
        assert [r.get("id") for r in served] == [r.get("id") for r in original], url
        for got, report in zip(served, original, strict=True):
            assert _targets(got) == _targets(report), url
            assert _expected(got) == _expected(report), url


def _targets(report: etree._Element) -> list[tuple[str | None, str]]:
    return [
        (value.get("id"), " ".join(value.xpath("string()").split()))
        for value in report.xpath("g:Target/g:ReferenceValue", namespaces=NS)
    ]
