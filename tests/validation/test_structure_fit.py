"""A message meant for another structure (issue 22 item 4): OTHER_STRUCTURE names the held
dataflow its components fit, instead of the findings the wrong reference causes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sdmxnode.errors import LoadRejected
from sdmxnode.formats.sdmxml.components import dsd_component_ids
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.validation.structure_fit import HeldStructure, other_structure
from tests.conftest import PROJECT_ROOT

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"

STOCK = HeldStructure(
    "IMDX:DF_MIG_STOCK_IMS(1.0.0)",
    "IMDX:DSD_MIG_STOCK(1.0.0)",
    frozenset({"FREQ", "REF_AREA", "COUNTRY_BIRTH", "TIME_PERIOD"}),
    frozenset({"FREQ", "REF_AREA", "COUNTRY_BIRTH", "TIME_PERIOD", "OBS_VALUE", "UNIT_MULT"}),
)
ASYLUM = HeldStructure(
    "IMDX:DF_ASY_APPL(1.0.0)",
    "IMDX:DSD_MIG_PROT(1.0.0)",
    frozenset({"FREQ", "REF_AREA", "POP_GROUP", "TIME_PERIOD"}),
    frozenset({"FREQ", "REF_AREA", "POP_GROUP", "TIME_PERIOD", "OBS_VALUE", "UNIT_MULT"}),
)
HELD = [STOCK, ASYLUM]


def test_components_of_another_structure_name_it() -> None:
    given = ["FREQ", "REF_AREA", "COUNTRY_BIRTH", "TIME_PERIOD", "OBS_VALUE"]
    assert other_structure(given, ASYLUM.dsd, HELD) == (STOCK, ["COUNTRY_BIRTH"])


def test_no_hint_when_the_named_structure_fits_or_none_fits_better() -> None:
    fits = ["FREQ", "REF_AREA", "POP_GROUP", "TIME_PERIOD", "OBS_VALUE"]
    assert other_structure(fits, ASYLUM.dsd, HELD) is None
    # one stray component, no structure holds all: the plain UNKNOWN_COMPONENT stays
    stray = [*fits, "COUNTRY_BIRTH"]
    assert other_structure(stray, ASYLUM.dsd, HELD) is None
    # a custom column (SDMX-CSV 2.0) is no component of any held structure: ignored
    assert other_structure([*fits, "NOTE"], ASYLUM.dsd, HELD) is None


def test_one_series_may_lack_the_observation_dimension_only_when_partial() -> None:
    series = ["FREQ", "REF_AREA", "COUNTRY_BIRTH", "UNIT_MULT"]  # TIME_PERIOD on the Obs
    assert other_structure(series, ASYLUM.dsd, HELD) is None
    assert other_structure(series, ASYLUM.dsd, HELD, partial=True) == (
        STOCK,
        ["COUNTRY_BIRTH"],
    )
    two_missing = ["FREQ", "COUNTRY_BIRTH", "UNIT_MULT"]
    assert other_structure(two_missing, ASYLUM.dsd, HELD, partial=True) is None


def test_dsd_component_ids_of_a_stored_dsd(migration_app: Flask) -> None:
    node = migration_app.extensions["sdmxnode"]
    held = {s.name: s for s in StructureInfoBuilder(node.store, node.cache).held_structures()}
    stock = held["IMDX:DF_MIG_STOCK_IMS(1.0.0)"]
    assert stock.dsd == "IMDX:DSD_MIG_STOCK(1.0.0)"
    assert {"COUNTRY_BIRTH", "TIME_PERIOD", "FREQ"} <= stock.dimensions
    assert {"OBS_VALUE", "UNIT_MULT", "REVISION"} <= stock.components
    assert not stock.dimensions & {"OBS_VALUE", "UNIT_MULT"}
    flows = {
        f"IMDX:{m}(1.0.0)"
        for path in (PROJECT_ROOT / "dsd").glob("*.xml")
        for m in re.findall(r'<str:Dataflow [^>]*?id="([^"]+)"', path.read_text(encoding="utf-8"))
    }
    assert flows and set(held) == flows  # every dataflow of the project
    dimensions, components = dsd_component_ids(node.store.read_one_xml(_dsd(node)))
    assert dimensions == stock.dimensions and components == stock.components


def _dsd(node):  # type: ignore[no-untyped-def]
    (dsd,) = [
        a
        for a in node.store.find_artefacts({"DataStructure"}, {"IMDX"}, {"DSD_MIG_STOCK"})
        if a.ref.version == "1.0.0"
    ]
    return dsd


@pytest.mark.parametrize(
    "fixture", ["small-csv10-21.csv", "small-structurespecific-21.xml", "small-json20-21.json"]
)
def test_validate_answers_other_structure(migration_client: FlaskClient, fixture: str) -> None:
    text = (SMALL / fixture).read_text(encoding="utf-8").replace("DF_MIG_STOCK_IMS", "DF_ASY_APPL")
    answer = migration_client.post("/validate", data=text.encode())
    assert answer.status_code == 422
    (finding,) = answer.json["findings"]
    assert finding["code"] == "OTHER_STRUCTURE"
    assert "names IMDX:DF_ASY_APPL(1.0.0)" in finding["message"]
    assert "seems to be for IMDX:DF_MIG_STOCK_IMS(1.0.0)" in finding["message"]
    assert "COUNTRY_BIRTH" in finding["message"]


def test_a_load_is_refused_with_other_structure(migration_app: Flask, tmp_path: Path) -> None:
    node = migration_app.extensions["sdmxnode"]
    message = tmp_path / "wrong-reference.csv"
    text = (SMALL / "small-csv10-21.csv").read_text(encoding="utf-8")
    message.write_text(text.replace("DF_MIG_STOCK_IMS", "DF_ASY_APPL"), encoding="utf-8")
    with pytest.raises(LoadRejected) as refused:
        load_data(node, message, LoadOptions(source=message.name))
    assert [f.code for f in refused.value.report.findings] == ["OTHER_STRUCTURE"]
    assert refused.value.report.suppressed == 3  # the three unknown columns
