"""A node with two data providers of DF_MIG_STOCK_IMS: UN DESA (the project's own provision
agreement) and a national statistical office, TEST:NSO, whose agreement allows only the
totals for both sexes (SEX=_T)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.app import create_app
from sdmxnode.authoring import xml
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures
from tests.conftest import PROJECT_ROOT, fresh_database, initialise_from_template

SMALL_CSV = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-csv10-21.csv"
FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
UN_DESA = "IMDX:UN_DESA_POP"
NSO = "TEST:NSO"


def nso_structures() -> bytes:
    """TEST's data provider scheme, NSO's provision agreement for DF_MIG_STOCK_IMS and an
    Allowed constraint on that agreement (SEX=_T)."""
    root, sections = xml.structure_message("TEST-NSO")
    schemes = xml.section(root, sections, "OrganisationSchemes")
    xml.add_data_provider_scheme(schemes, "TEST", [("NSO", "A national office", "")])
    agreements = xml.section(root, sections, "ProvisionAgreements")
    xml.add_provision_agreement(agreements, "PA_NSO", "NSO", "DF_MIG_STOCK_IMS", ("TEST", "NSO"))
    constraints = xml.section(root, sections, "Constraints")
    constraint = etree.SubElement(
        constraints,
        f"{{{xml.STR}}}ContentConstraint",
        id="CC_PA_NSO",
        agencyID="IMDX",
        version="1.0.0",
        isFinal="true",
        type="Allowed",
    )
    xml.add_names(constraint, {"en": "What NSO reports"})
    attachment = etree.SubElement(constraint, f"{{{xml.STR}}}ConstraintAttachment")
    target = etree.SubElement(attachment, f"{{{xml.STR}}}ProvisionAgreement")
    etree.SubElement(
        target,
        "Ref",
        id="PA_NSO",
        agencyID="IMDX",
        version="1.0.0",
        package="registry",
        **{"class": "ProvisionAgreement"},
    )
    region = etree.SubElement(constraint, f"{{{xml.STR}}}CubeRegion", include="true")
    value = etree.SubElement(region, f"{{{xml.COM}}}KeyValue", id="SEX")
    etree.SubElement(value, f"{{{xml.COM}}}Value").text = "_T"
    return xml.to_bytes(root)


def small_csv(*, sex: str | None = None, scale: int = 1) -> bytes:
    """The small SDMX-CSV data set, its rows of one SEX only, values multiplied by `scale`."""
    lines = SMALL_CSV.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    at_sex, at_value = header.index("SEX"), header.index("OBS_VALUE")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if sex is not None and cells[at_sex] != sex:
            continue
        cells[at_value] = str(int(cells[at_value]) * scale)
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


def post_data(client: FlaskClient, secret: str, body: bytes, method: str = "POST"):
    return client.open(
        f"/rest/data/{FLOW}",
        method=method,
        data=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"},
    )


@pytest.fixture
def providers_app(tmp_path: Path) -> Iterator[Flask]:
    """The project's structures plus NSO's agreement; no data."""
    application = create_app(
        {"DATABASE_URL": fresh_database(tmp_path), "TESTING": True, "DEMO_DATA": ""}
    )
    node: Node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    load_structures(node.store, nso_structures(), source="TEST-NSO")
    yield application
    node.store.engine.dispose()


@pytest.fixture
def providers_node(providers_app: Flask) -> Node:
    return providers_app.extensions["sdmxnode"]


@pytest.fixture
def nso_token(providers_node: Node) -> str:
    return create_token(providers_node, role="provider", provider=NSO)


@pytest.fixture
def desa_token(providers_node: Node) -> str:
    return create_token(providers_node, role="provider", provider=UN_DESA)


@pytest.fixture
def two_providers(
    providers_app: Flask, providers_node: Node, nso_token: str, desa_token: str
) -> FlaskClient:
    """NSO reports the totals; UN DESA reports the same keys and periods, doubled."""
    client = providers_app.test_client()
    assert post_data(client, nso_token, small_csv(sex="_T")).status_code == 201
    assert post_data(client, desa_token, small_csv(sex="_T", scale=2)).status_code == 200
    return client
