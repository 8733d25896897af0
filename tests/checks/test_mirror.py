"""Mirror statistics on the bilateral fixture, against pairs computed from the file itself."""

from __future__ import annotations

import csv

import pytest

from sdmxnode.errors import SemanticError
from sdmxnode.services.checks.aggregates import find_check_target, period_selection
from sdmxnode.services.checks.mirror import mirror_pairs, mirror_roles
from sdmxnode.services.node import Node
from tests.checks.conftest import FLOWS


def _expected() -> dict[tuple[str, str, str], dict]:
    """(origin, destination, year) -> both reports with their definitions, from the CSV."""
    pairs: dict[tuple[str, str, str], dict] = {}
    with FLOWS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            partner = row["PREV_NEXT_RES"]
            if partner == "_T":
                continue
            definition = {
                "MIG_DEF_CRITERION": row["MIG_DEF_CRITERION"],
                "SOURCE_TYPE": row["SOURCE_TYPE"],
            }
            if row["FLOW_TYPE"] == "IMM":
                key, side = (partner, row["REF_AREA"], row["TIME_PERIOD"]), "imm"
            else:
                key, side = (row["REF_AREA"], partner, row["TIME_PERIOD"]), "emi"
            pairs.setdefault(key, {})[side] = (float(row["OBS_VALUE"]), definition)
    return pairs


def test_every_flow_is_paired_with_its_mirror(checks_node: Node) -> None:
    expected = _expected()
    target = find_check_target(checks_node, "IMDX", "DF_MIG_FLOWS")
    found = {(p.origin, p.destination, p.period): p for p in mirror_pairs(checks_node, target)}
    assert set(found) == set(expected)
    assert len(found) == 5 * 4 * 3
    for key, sides in expected.items():
        pair = found[key]
        imm, emi = sides.get("imm"), sides.get("emi")
        assert pair.immigration == (imm[0] if imm else None), key
        assert pair.emigration == (emi[0] if emi else None), key
        if imm and emi:
            assert pair.difference == imm[0] - emi[0]
            assert pair.ratio == pytest.approx(imm[0] / emi[0])
            assert pair.status == "paired"
            assert pair.same_definition == (imm[1] == emi[1])
        else:
            assert pair.difference is None and pair.ratio is None
            assert pair.status == ("no_emigration_report" if imm else "no_immigration_report")
        if imm:
            assert {k: v for k, v in pair.immigration_definition if k in imm[1]} == imm[1]
        if emi:
            assert {k: v for k, v in pair.emigration_definition if k in emi[1]} == emi[1]


def test_the_left_out_reports_stand_alone(checks_node: Node) -> None:
    target = find_check_target(checks_node, "IMDX", "DF_MIG_FLOWS")
    alone = {
        (p.origin, p.destination, p.period, p.status)
        for p in mirror_pairs(checks_node, target)
        if p.status != "paired"
    }
    assert alone == {
        ("ESP", "POL", "2021", "no_emigration_report"),
        ("ITA", "FRA", "2019", "no_immigration_report"),
    }


def test_country_and_period_narrow_the_pairs(checks_node: Node) -> None:
    target = find_check_target(checks_node, "IMDX", "DF_MIG_FLOWS")
    pairs = list(
        mirror_pairs(checks_node, target, selection=period_selection("2020", "2020"), country="POL")
    )
    assert len(pairs) == 8  # four partners, both directions, one year
    assert all("POL" in (p.origin, p.destination) and p.period == "2020" for p in pairs)


def test_a_dataflow_without_bilateral_dimensions_is_refused(checks_node: Node) -> None:
    target = find_check_target(checks_node, "IMDX", "DF_MIG_STOCK_IMS")
    with pytest.raises(SemanticError):
        mirror_roles(target)
