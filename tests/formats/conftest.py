"""Small sdmx1 structure messages built in code, for the SDMX-JSON structure writer tests."""

from __future__ import annotations

from datetime import datetime

import pytest
import sdmx.message
from sdmx.model import common, v21


@pytest.fixture
def agency() -> common.Agency:
    return common.Agency(id="TEST", name={"en": "Test agency", "fr": "Agence de test"})


@pytest.fixture
def header(agency: common.Agency) -> sdmx.message.Header:
    return sdmx.message.Header(id="MSG1", prepared=datetime(2024, 1, 2, 3, 4, 5), sender=agency)


@pytest.fixture
def stub_and_partial(
    header: sdmx.message.Header, agency: common.Agency
) -> sdmx.message.StructureMessage:
    stub = common.Codelist(
        id="CL_STUB",
        version="1.0",
        maintainer=agency,
        name={"en": "Codelist held elsewhere"},
        is_external_reference=True,
        structure_url="https://example.org/sdmx/codelist/TEST/CL_STUB/1.0",
    )
    partial = common.Codelist(
        id="CL_PARTIAL", version="1.1", maintainer=agency, name={"en": "Two codes of many"}
    )
    partial.is_partial = True
    world = common.Code(id="W", name={"en": "World", "fr": "Monde"})
    france = common.Code(id="FR", name={"en": "France"})
    partial.append(world)
    partial.append(france)
    world.append_child(france)
    message = sdmx.message.StructureMessage(header=header)
    message.add(stub)
    message.add(partial)
    return message


@pytest.fixture
def dsd_message(
    header: sdmx.message.Header, agency: common.Agency
) -> sdmx.message.StructureMessage:
    """A small migration DSD with its codelist, concept scheme, dataflow and constraint."""
    concepts = common.ConceptScheme(
        id="CS_MIG", version="1.0", maintainer=agency, name={"en": "Migration concepts"}
    )
    for cid in ("REF_AREA", "CITIZENSHIP", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS"):
        concepts.append(common.Concept(id=cid, name={"en": cid.title()}))
    areas = common.Codelist(id="CL_AREA", version="1.0", maintainer=agency, name={"en": "Areas"})
    for code in ("FR", "IT"):
        areas.append(common.Code(id=code, name={"en": code}))
    dsd = v21.DataStructureDefinition(
        id="DSD_MIG", version="1.0", maintainer=agency, name={"en": "Migration flows"}
    )
    enumerated = common.Representation(enumerated=areas)
    area = dsd.dimensions.getdefault(
        "REF_AREA", concept_identity=concepts["REF_AREA"], local_representation=enumerated
    )
    dsd.dimensions.getdefault(
        "CITIZENSHIP", concept_identity=concepts["CITIZENSHIP"], local_representation=enumerated
    )
    dsd.dimensions.getdefault(
        "TIME_PERIOD", cls=common.TimeDimension, concept_identity=concepts["TIME_PERIOD"]
    )
    dsd.measures.getdefault("OBS_VALUE", concept_identity=concepts["OBS_VALUE"])
    dsd.attributes.getdefault(
        "OBS_STATUS",
        concept_identity=concepts["OBS_STATUS"],
        related_to=v21.PrimaryMeasureRelationship(),
        usage_status=common.UsageStatus.conditional,
    )
    flow = v21.DataflowDefinition(
        id="DF_MIG", version="1.0", maintainer=agency, name={"en": "Immigration"}, structure=dsd
    )
    region = common.CubeRegion(included=True)
    region.member[area] = v21.MemberSelection(values_for=area, values=[v21.MemberValue(value="FR")])
    constraint = v21.ContentConstraint(
        id="CC_MIG",
        version="1.0",
        maintainer=agency,
        name={"en": "Reported areas"},
        role=common.ConstraintRole(role=common.ConstraintRoleType.allowable),
        content={flow},
        data_content_region=[region],
    )
    message = sdmx.message.StructureMessage(header=header)
    for obj in (concepts, areas, dsd, flow, constraint):
        message.add(obj)
    return message
