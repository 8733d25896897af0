"""The mirror check with two data providers of the same flows: each side's figures from
both providers, side by side, each pair naming its providers (issue 17.2)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from flask import Flask

from sdmxnode.authoring import xml
from sdmxnode.services.checks.aggregates import find_check_target
from sdmxnode.services.checks.mirror import mirror_pairs
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures
from tests.checks.conftest import FLOWS
from tests.conftest import bilateral_app, fresh_database

INTL = "TEST:INTL"


def intl_agreement() -> bytes:
    """TEST's provider INTL and its provision agreement for DF_MIG_FLOWS."""
    root, sections = xml.structure_message("TEST-INTL")
    schemes = xml.section(root, sections, "OrganisationSchemes")
    xml.add_data_provider_scheme(schemes, "TEST", [("INTL", "An international estimate", "")])
    agreements = xml.section(root, sections, "ProvisionAgreements")
    xml.add_provision_agreement(
        agreements, "PA_INTL_FLOWS", "INTL", "DF_MIG_FLOWS", ("TEST", "INTL")
    )
    return xml.to_bytes(root)


def doubled_flows() -> bytes:
    """The bilateral fixture with every value doubled."""
    rows = list(csv.DictReader(io.StringIO(FLOWS.read_text("utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "OBS_VALUE": str(2 * int(row["OBS_VALUE"]))})
    return out.getvalue().encode()


@pytest.fixture
def two_provider_app(tmp_path: Path) -> Iterator[Flask]:
    """The bilateral flows unattributed (no agreement at load time), and doubled from INTL."""
    application = bilateral_app(fresh_database(tmp_path))
    node: Node = application.extensions["sdmxnode"]
    load_structures(node.store, intl_agreement(), source="TEST-INTL")
    load_data(node, doubled_flows(), LoadOptions(source="doubled", provider=INTL))
    yield application
    node.store.engine.dispose()


@pytest.fixture
def two_provider_node(two_provider_app: Flask) -> Node:
    return two_provider_app.extensions["sdmxnode"]


def test_both_providers_figures_stand_side_by_side(two_provider_node: Node) -> None:
    target = find_check_target(two_provider_node, "IMDX", "DF_MIG_FLOWS")
    found: dict[tuple[str, str, str], list] = {}
    for pair in mirror_pairs(two_provider_node, target):
        found.setdefault((pair.origin, pair.destination, pair.period), []).append(pair)
    both = [pairs for pairs in found.values() if all(p.status == "paired" for p in pairs)]
    assert both
    for pairs in both:
        combos = {(p.immigration_provider, p.emigration_provider): p for p in pairs}
        assert set(combos) == {("", ""), ("", INTL), (INTL, ""), (INTL, INTL)}
        own = combos["", ""]
        doubled = combos[INTL, INTL]
        assert (doubled.immigration, doubled.emigration) == (
            2 * own.immigration,
            2 * own.emigration,
        )
        assert combos[INTL, ""].emigration == own.emigration
        assert combos[INTL, ""].immigration == doubled.immigration
    alone = [p for pairs in found.values() for p in pairs if p.status != "paired"]
    assert alone and all(len(found[p.origin, p.destination, p.period]) == 2 for p in alone)
    record = both[0][0].to_record()
    assert {"immigration_provider", "emigration_provider"} <= set(record)


def test_the_mirror_page_names_each_figures_provider(two_provider_app: Flask) -> None:
    response = two_provider_app.test_client().get("/mirror/IMDX/DF_MIG_FLOWS?country=DEU")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    cells = page.xpath("//table[@id='mirror-table']//td[@class='immigration'][@data-provider]")
    assert {c.get("data-provider") for c in cells} == {INTL}
    row = cells[0].getparent()
    same = page.xpath(
        "//table[@id='mirror-table']/tbody/tr"
        f"[@data-partner='{row.get('data-partner')}'][@data-period='{row.get('data-period')}']"
        f"[@data-direction='{row.get('data-direction')}']"
    )
    values = {float(r.find("td[@class='immigration']").get("data-value")) for r in same}
    assert len(values) == 2 and max(values) == 2 * min(values)
    assert f"({INTL})" in cells[0].text_content()
