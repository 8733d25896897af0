"""The declared length limits: one verdict from /validate, `sdmxnode validate` and a load, on
SQLite and PostgreSQL, for values at, just under and just over each limit.

A key value has at most MAX_KEY_VALUE_LENGTH characters (VALUE_TOO_LONG beyond); measure
and attribute values have no limit of their own, so long ones are valid and stored alike on
both engines (PostgreSQL once refused an OBS_VALUE over 2,000 characters with a 500). The
structure is a draft copy of the stock DSD whose dimensions are all uncoded, so that a long
key value breaks nothing but its length.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from lxml import etree

from sdmxnode.app import create_app
from sdmxnode.cli import main
from sdmxnode.formats.rows import MAX_KEY_VALUE_LENGTH
from sdmxnode.services.access import create_token
from sdmxnode.services.structures.loading import load_structures
from tests.conftest import PROJECT_ROOT, initialise_from_template
from tests.formats.small_data import read_demo_observations

pytestmark = pytest.mark.postgres

STOCK = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
FLOW = "IMDX:DF_LEN(1.0.0)"
#: A complete observation of the demo data (every mandatory attribute), as CSV columns.
BASE = {**read_demo_observations(1)[0], "COMMENT_OBS": ""}

#: (name, component, value, valid)
CASES = [
    ("key value under the limit", "REF_AREA", "R" * (MAX_KEY_VALUE_LENGTH - 1), True),
    ("key value at the limit", "REF_AREA", "R" * MAX_KEY_VALUE_LENGTH, True),
    ("key value over the limit", "REF_AREA", "R" * (MAX_KEY_VALUE_LENGTH + 1), False),
    ("observation value of 2,001 digits", "OBS_VALUE", "1" * 2001, True),
    ("observation value of 20,001 digits", "OBS_VALUE", "9" * 20_001, True),
    ("attribute value of 20,001 characters", "COMMENT_OBS", "c" * 20_001, True),
]


def _uncoded_structure() -> bytes:
    """The stock DSD and one dataflow of it, as drafts named DSD_LEN / DF_LEN, every
    dimension uncoded (String)."""
    root = etree.parse(str(STOCK)).getroot()
    for flow in list(root.iter(f"{{{STR}}}Dataflow")):
        if flow.get("id") != "DF_MIG_STOCK_IMS":
            flow.getparent().remove(flow)
    for constraints in list(root.iter(f"{{{STR}}}Constraints")):
        constraints.getparent().remove(constraints)
    for dimension in root.iter(f"{{{STR}}}Dimension"):
        for representation in dimension.iter(f"{{{STR}}}LocalRepresentation"):
            for child in list(representation):
                representation.remove(child)
            etree.SubElement(representation, f"{{{STR}}}TextFormat", textType="String")
    text = etree.tostring(root, encoding="unicode")
    text = text.replace("DSD_MIG_STOCK", "DSD_LEN").replace("DF_MIG_STOCK_IMS", "DF_LEN")
    return text.replace(' isFinal="true"', "").encode()


def _message(component: str, value: str) -> bytes:
    row = dict(BASE, **{component: value})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["DATAFLOW", *row])
    writer.writerow([FLOW, *row.values()])
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def length_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from tests.conftest import fresh_database

    url = fresh_database(tmp_path_factory.mktemp("lengths"))
    application = create_app({"DATABASE_URL": url, "DEMO_DATA": "", "TESTING": True})
    node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    load_structures(node.store, _uncoded_structure(), source="DSD_LEN")
    yield application
    node.store.engine.dispose()


@pytest.mark.parametrize(("name", "component", "value", "valid"), CASES, ids=[c[0] for c in CASES])
def test_one_verdict_for_each_length(
    length_app: Flask, tmp_path: Path, name: str, component: str, value: str, valid: bool
) -> None:
    body = _message(component, value)
    client = length_app.test_client()
    checked = client.post("/validate", data=body, headers={"Content-Type": "text/csv"})
    assert checked.status_code == (200 if valid else 422), checked.get_data(as_text=True)[:800]
    assert checked.json["valid"] is valid
    codes = {f["code"] for f in checked.json["findings"]}
    assert ("VALUE_TOO_LONG" in codes) is (not valid), codes

    message, structure = tmp_path / "data.csv", tmp_path / "len.xml"
    message.write_bytes(body)
    structure.write_bytes(_uncoded_structure())
    arguments = [str(message), "--structure", str(structure), "--format", "json"]
    result = CliRunner().invoke(main, ["validate", *arguments])
    assert result.exit_code == (0 if valid else 1), result.output[:800]
    assert json.loads(result.output)["data.csv"]["valid"] is valid

    node = length_app.extensions["sdmxnode"]
    token = create_token(node, role="admin")
    loaded = client.post(
        f"/rest/data/{FLOW.replace(':', ',').replace('(', ',').rstrip(')')}",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    assert loaded.status_code < 500, loaded.get_data(as_text=True)[:800]
    assert (loaded.status_code in (200, 201)) is valid, loaded.get_data(as_text=True)[:800]
    if valid:
        answer = client.get(
            "/rest/data/IMDX,DF_LEN,1.0.0/all?lastNObservations=1",
            headers={"Accept": "application/vnd.sdmx.data+csv;version=1.0.0"},
        )
        assert answer.status_code == 200
        assert value in answer.get_data(as_text=True)


def test_long_values_overwrite_alike_on_both_engines(length_app: Flask) -> None:
    """A message sent twice (the second time an overwrite, through the staging tables)
    with a 20,001-digit value and a 20,001-character attribute is stored both times."""
    node = length_app.extensions["sdmxnode"]
    token = create_token(node, role="admin")
    row = {"OBS_VALUE": "7" * 20_001, "COMMENT_OBS": "o" * 20_001, "TIME_PERIOD": "2001"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    values = dict(BASE, **row)
    writer.writerow(["DATAFLOW", *values])
    writer.writerow([FLOW, *values.values()])
    body = out.getvalue().encode()
    client = length_app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    for _ in range(2):
        answer = client.post("/rest/data/IMDX,DF_LEN,1.0.0", data=body, headers=headers)
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)[:500]
