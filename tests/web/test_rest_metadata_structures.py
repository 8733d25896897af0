"""The node's own metadata structure and metadataflows, loaded by `sdmxnode init` and served on
the 1.5 and 2.x structure resources in every structure format, valid and read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sdmx.message import StructureMessage

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.metadata import OBJECT_TARGETS_21, TargetValue
from sdmxnode.formats.sdmxml.metadata.writer21 import write_metadata_message_21
from tests.conftest import PROJECT_ROOT
from tests.formats.metadata_sets import DATAFLOW, sdmx30_set
from tests.web.conftest import (
    JSON10,
    JSON20,
    JSON21,
    ML21,
    ML30,
    assert_valid_structure,
    read_with_pysdmx,
)

FORMATS = (ML21, ML30, JSON10, JSON20, JSON21)

MSD_PATHS = (
    "/rest/metadatastructure/IMDX/MSD_MIG_COMPARABILITY/1.0.0",
    "/rest/v2/structure/metadatastructure/IMDX/MSD_MIG_COMPARABILITY/1.0.0",
)
FLOW_PATHS = (
    "/rest/metadataflow/IMDX/MDF_MIG_STOCK/1.0.0",
    "/rest/v2/structure/metadataflow/IMDX/MDF_MIG_STOCK/1.0.0",
)
STOCK_TARGETS = {
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)",
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS2017(1.0.0)",
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_NAT(1.0.0)",
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_SKILL(1.0.0)",
    "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).*",
}
MSD_URN = (
    "urn:sdmx:org.sdmx.infomodel.metadatastructure.MetadataStructure="
    "IMDX:MSD_MIG_COMPARABILITY(1.0.0)"
)


def _get(client: FlaskClient, path: str, accept: str) -> object:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"].startswith(accept.split(";")[0])
    return assert_valid_structure(response)


def _pysdmx_attributes(components: Any) -> dict[str, Any]:
    found = {}
    for component in components:
        found[component.id] = component
        found |= _pysdmx_attributes(component.components or [])
    return found


def _sdmx1_attributes(attributes: list) -> list:
    found = []
    for attribute in attributes:
        found.append(attribute)
        found += _sdmx1_attributes(list(attribute.child))
    return found


def _json_attribute_ids(attributes: list[dict]) -> set[str]:
    found = set()
    for attribute in attributes:
        found.add(attribute["id"])
        found |= _json_attribute_ids(attribute.get("metadataAttributes", []))
    return found


def _json_occurrences(attributes: list[dict]) -> dict[str, tuple]:
    found = {}
    for a in attributes:
        found[a["id"]] = (a["minOccurs"], a["maxOccurs"], a["isPresentational"])
        found |= _json_occurrences(a.get("metadataAttributes", []))
    return found


@pytest.mark.parametrize("accept", FORMATS)
@pytest.mark.parametrize("path", MSD_PATHS)
def test_msd_is_served_valid_in_every_structure_format(
    migration_client: FlaskClient, path: str, accept: str
) -> None:
    read = _get(migration_client, path, accept)
    if accept == ML21:
        assert isinstance(read, StructureMessage)
        msd = read.metadatastructure["MSD_MIG_COMPARABILITY"]
        report = next(iter(msd.report_structure.values()))
        attributes = _sdmx1_attributes(report.components)
        ids = {a.id for a in attributes}
        assert {"MIG_DEF_CRITERION", "COMPAR_GEO", "POP_INCLUDED", "SOURCE_CITATION"} <= ids
        criterion = next(a for a in attributes if a.id == "MIG_DEF_CRITERION")
        assert criterion.local_representation.enumerated.id == "CL_MIG_DEF_CRITERION"
        assert criterion.max_occurs is None  # sdmx1 reads maxOccurs="unbounded" as None
        organisation = next(a for a in attributes if a.id == "CONTACT_ORGANISATION")
        assert (organisation.min_occurs, organisation.max_occurs) == (1, 1)
    elif accept == ML30:
        msd = next(
            s for s in read.structures if s.short_urn.endswith("MSD_MIG_COMPARABILITY(1.0.0)")
        )
        assert msd.components  # pysdmx reads the attributes
    elif accept in (JSON20, JSON21):
        msd = read["data"]["metadataStructures"][0]
        attributes = msd["metadataStructureComponents"]["metadataAttributeList"]
        ids = _json_attribute_ids(attributes["metadataAttributes"])
        assert {"MIG_DEF_CRITERION", "DURATION_THRESHOLD", "REV_POLICY"} <= ids
        (read_back,) = read_with_pysdmx(json.dumps(read).encode()).structures
        criterion = _pysdmx_attributes(read_back.components)["MIG_DEF_CRITERION"]
        # pysdmx 1.20 keeps no occurrence limits; the enumeration reads back
        assert criterion.local_enum_ref.endswith("Codelist=IMDX:CL_MIG_DEF_CRITERION(1.0.0)")
        occurs = _json_occurrences(attributes["metadataAttributes"])
        assert occurs["MIG_DEFINITION"] == (1, 1, True)
        assert occurs["MIG_DEF_CRITERION"] == (1, "unbounded", False)
        assert occurs["POP_EXCLUDED"] == (0, "unbounded", False)
        assert occurs["CONTACT_ORGANISATION"] == (1, 1, False)
    else:  # SDMX-JSON 1.0 has 2.1-style MSDs only: the 3.0 MSD is written without components
        assert read["data"]["metadataStructures"][0]["id"] == "MSD_MIG_COMPARABILITY"


@pytest.mark.parametrize("accept", FORMATS)
@pytest.mark.parametrize("path", FLOW_PATHS)
def test_metadataflow_is_served_valid_with_its_structure_and_targets(
    migration_client: FlaskClient, path: str, accept: str
) -> None:
    read = _get(migration_client, path, accept)
    if accept == ML21:
        assert isinstance(read, StructureMessage)
        flow = read.metadataflow["MDF_MIG_STOCK"]
        assert flow.structure.id == "MSD_MIG_COMPARABILITY"
    elif accept == ML30:
        flow = next(s for s in read.structures if "MDF_MIG_STOCK" in s.short_urn)
        assert "MSD_MIG_COMPARABILITY" in str(flow.structure)
    else:
        flow = read["data"]["metadataflows"][0]
        assert flow["structure"] == MSD_URN
        if accept != JSON10:  # SDMX-JSON 1.0 metadataflows have no targets
            assert set(flow["targets"]) == STOCK_TARGETS
            (read_back,) = read_with_pysdmx(json.dumps(read).encode()).structures
            assert set(read_back.targets) == STOCK_TARGETS


def test_every_metadataflow_is_listed(migration_client: FlaskClient) -> None:
    response = migration_client.get(
        "/rest/v2/structure/metadataflow/IMDX/*/*", headers={"Accept": JSON20}
    )
    document = assert_valid_structure(response)
    assert isinstance(document, dict)
    ids = {flow["id"] for flow in document["data"]["metadataflows"]}
    assert ids == {"MDF_MIG_STOCK", "MDF_MIG_FLOW", "MDF_MIG_PROT", "MDF_MIG_LAB", "MDF_MIG_TEMP"}


def test_occurrence_limits_of_a_2_1_msd_survive_every_format(
    client: FlaskClient, app, corpus
) -> None:
    """ESTAT's ESMS MSD (SDMX-ML 2.1): maxOccurs="3" on STREET, minOccurs="0" on NAME, the
    default (1) elsewhere, in the 2.1, 3.0 and JSON 2.0 answers."""
    from sdmxnode.services.structures.loading import load_structures

    source = (corpus / "ESTAT-esms-structure.xml").read_bytes()
    load_structures(app.extensions["sdmxnode"].store, source, source="esms")
    path = "/rest/v2/structure/metadatastructure/ESTAT/ESMS_SIMPLE/1.0"
    for accept in (ML21, ML30):
        body = client.get(path, headers={"Accept": accept}).get_data(as_text=True)
        assert 'maxOccurs="3"' in body and "unbounded" not in body, accept
    document = _get(client, path, JSON20)
    assert isinstance(document, dict)
    components = document["data"]["metadataStructures"][0]["metadataStructureComponents"]
    occurs = _json_occurrences(components["metadataAttributeList"]["metadataAttributes"])
    assert occurs["STREET"] == (1, 3, False)
    assert occurs["NAME"] == (0, 1, False)
    assert occurs["CONTACT"] == (1, 1, True)


def test_stored_3_0_structures_read_after_sdmx1_read_structure_specific_data() -> None:
    """sdmx1 2.28 cannot import its 3.0 reader once it has read structure-specific data;
    the node imports it first (fresh interpreter, as the failure depends on import order)."""
    script = """
import sdmx
from sdmxnode.services.structures import models  # the node's sdmx1 reading
dsd = sdmx.read_sdmx("dsd/IMDX-DSD_MIG_STOCK-1.0.0.xml").structure["DSD_MIG_STOCK"]
sdmx.read_sdmx("fixtures/data/small/" + SMALL, structure=dsd)
import sdmx.reader.xml.v30
print("read")
"""
    small = sorted(
        p.name
        for p in (PROJECT_ROOT / "fixtures" / "data" / "small").glob("*.xml")
        if "StructureSpecific" in p.read_text(encoding="utf-8")[:2000]
    )
    assert small
    result = subprocess.run(
        [sys.executable, "-c", f"SMALL = {small[0]!r}\n{script}"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "read" in result.stdout, result.stderr[-2000:]


def test_references_follow_the_msd_not_the_targets(migration_client: FlaskClient) -> None:
    """A metadataflow's children are its MSD (SDMX-REST 1.5 table); its targets (wildcards
    over whole code lists) are not references, so a dataflow does not gain it as a parent."""
    document = _get(
        migration_client,
        "/rest/v2/structure/metadataflow/IMDX/MDF_MIG_STOCK/1.0.0?references=children",
        JSON20,
    )
    assert isinstance(document, dict)
    assert set(document["data"]) == {"metadataflows", "metadataStructures"}
    document = _get(
        migration_client,
        "/rest/v2/structure/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=parents",
        JSON20,
    )
    assert isinstance(document, dict)
    assert "metadataflows" not in document["data"]


def test_the_21_msd_declares_the_form_3_0_sets_are_written_in(
    migration_client: FlaskClient,
) -> None:
    """The report, target and target-object ids of a 3.0 set written in SDMX-ML 2.1 are
    those of the SDMX-ML 2.1 rendering of its 3.0 metadata structure."""
    response = migration_client.get(MSD_PATHS[0], headers={"Accept": ML21})
    assert response.status_code == 200
    rendered = etree.fromstring(response.data)
    str_ = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
    target = next(rendered.iter(f"{str_}MetadataTarget"))
    objects = [o.get("id") for o in target.iter(f"{str_}IdentifiableObjectTarget")]
    report = next(rendered.iter(f"{str_}ReportStructure"))

    (sent,) = sdmx30_set().reports
    two = replace(sent, targets=(*sent.targets, TargetValue("", "object", DATAFLOW)))
    header = MessageHeader("IDREF1", "IMDX", datetime(2026, 1, 2, tzinfo=UTC))
    xml = write_metadata_message_21([replace(sdmx30_set(), reports=(two,))], header)
    md = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/metadata/generic}"
    written = next(etree.fromstring(xml).iter(f"{md}Report"))
    assert written.get("id") == report.get("id")
    assert written.find(f"{md}Target").get("id") == target.get("id")
    values = [v.get("id") for v in written.iter(f"{md}ReferenceValue")]
    assert len(values) == 2 and set(values) <= set(objects)
    assert len(objects) == OBJECT_TARGETS_21
