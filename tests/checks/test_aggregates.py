"""The aggregate check on the UN DESA demo data, against figures computed from the source."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
import sdmx

from sdmxnode.app import create_app
from sdmxnode.authoring.demo import DESA_DROPPED, DESA_TO_M49
from sdmxnode.services.checks.aggregates import (
    check_stored_aggregates,
    find_check_target,
    period_selection,
)
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from tests.checks.conftest import altered_demo
from tests.conftest import PROJECT_ROOT, initialise_from_template

YEARS = ("1990", "1995", "2000", "2005", "2010", "2015", "2019")
SEXES = ("_T", "M", "F")


def _area_tree() -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """From CL_AREA read by sdmx1: M49 number -> code, code -> parent, grouping -> members."""
    message = sdmx.read_sdmx(PROJECT_ROOT / "codelists" / "IMDX-CL_AREA-1.0.0.xml")
    codelist = next(iter(message.codelist.values()))
    m49: dict[str, str] = {}
    parents: dict[str, str] = {}
    groupings: dict[str, list[str]] = {}
    for code in codelist:
        for annotation in code.annotations:
            if annotation.type == "M49":
                m49[str(annotation.text)] = code.id
            if annotation.type == "MEMBERS":
                groupings[code.id] = str(annotation.text).split()
        if isinstance(code.parent, type(code)):
            parents[code.id] = code.parent.id
    return m49, parents, groupings


def _source_figures(folder: Path) -> tuple[dict, dict]:
    """(region figures, country-sum figures) by (M49 region, year, sex), from the CSV alone."""
    m49, parents, groupings = _area_tree()
    regions: dict[tuple[str, str, str], float] = {}
    countries: dict[tuple[str, str, str], float] = defaultdict(float)
    with (folder / "UN_MigrantStockBySexByDestination_2019.csv").open(encoding="utf-8-sig") as f:
        for row in csv.reader(f):
            if len(row) < 26 or not row[3].strip().isdigit():
                continue
            desa = int(row[3])
            if desa in DESA_DROPPED:
                continue
            cells = row[5:26]
            figures = {
                (year, sex): float(cells[i * 7 + j].replace(",", ""))
                for i, sex in enumerate(SEXES)
                for j, year in enumerate(YEARS)
                if cells[i * 7 + j].strip() not in ("", "..")
            }
            if desa in DESA_TO_M49:
                for (year, sex), value in figures.items():
                    regions[(DESA_TO_M49[desa], year, sex)] = value
                continue
            code = m49.get(str(desa), str(desa))  # the Channel Islands (830) keep their number
            ancestors = []
            while code in parents:
                code = parents[code]
                ancestors.append(code)
            ancestors += [g for g, members in groupings.items() if set(members) & set(ancestors)]
            for (year, sex), value in figures.items():
                for region in ancestors:
                    countries[(region, year, sex)] += value
    return regions, dict(countries)


@pytest.mark.corpus
def test_every_region_and_year_against_its_countries_in_the_source(
    checks_node: Node, shared_data: Path
) -> None:
    regions, country_sums = _source_figures(shared_data)
    target = find_check_target(checks_node, "IMDX", "DF_MIG_STOCK_IMS")
    found = {}
    for comparison in check_stored_aggregates(checks_node, target, tolerance=0.001):
        if comparison.dimension != "REF_AREA" or comparison.members_sum is None:
            continue
        sex = comparison.series_key.split(".")[5]
        found[(comparison.aggregate, comparison.period, sex)] = comparison
    expected = {key for key in regions if key in country_sums}
    assert set(found) == expected
    assert len({region for region, _, _ in expected}) == 33
    for key, comparison in found.items():
        assert comparison.value == regions[key], key
        assert comparison.members_sum == pytest.approx(country_sums[key], abs=0.5), key
        assert comparison.status == "ok", key


def test_a_consistent_region_passes(checks_node: Node) -> None:
    target = find_check_target(checks_node, "IMDX", "DF_MIG_STOCK_IMS")
    europe = list(
        check_stored_aggregates(
            checks_node,
            target,
            tolerance=0.0,
            selection=period_selection("2019", "2019"),
            areas=frozenset({"150"}),
        )
    )
    assert {c.series_key.split(".")[5] for c in europe} == set(SEXES)
    for comparison in europe:
        assert comparison.period == "2019"
        assert comparison.members == ("151", "154", "39", "155")
        assert comparison.missing == () and comparison.difference == 0
        assert comparison.status == "ok"


def test_missing_members_are_listed_not_guessed(checks_node: Node) -> None:
    target = find_check_target(checks_node, "IMDX", "DF_MIG_STOCK_IMS")
    world = next(
        c
        for c in check_stored_aggregates(
            checks_node, target, tolerance=0.001, areas=frozenset({"1"})
        )
        if c.series_key == "A.1.STOCK.FB._T._T._T._T" and c.period == "2019"
    )
    assert world.missing == ("ATA",)  # Antarctica: no figure in the UN DESA table
    assert world.expanded == ("19",)  # the Americas: replaced by 419 and 21, which have figures
    assert {"419", "21"} <= set(world.members) and "19" not in world.members
    channel = next(
        c
        for c in check_stored_aggregates(
            checks_node, target, tolerance=0.001, areas=frozenset({"830"})
        )
        if c.period == "2019" and c.series_key.split(".")[5] == "_T"
    )
    assert channel.status == "no_members" and channel.missing == ("GGY", "JEY")


def test_an_altered_country_yields_exactly_the_expected_finding(
    tmp_path: Path, database_url: str
) -> None:
    application = create_app(
        {
            "DATABASE_URL": database_url,
            "DEMO_DATA": "",
            "AGGREGATE_CHECKS": "IMDX:DF_MIG_STOCK_IMS",
            "TESTING": True,
        }
    )
    node: Node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    try:
        path = altered_demo(tmp_path, "FRA", "2019", 1_000_000)
        result = load_data(node, path, LoadOptions(source=path.name))
        findings = [f for f in result.report.findings if f.code == "AGGREGATE_MISMATCH"]
        assert len(findings) == 1
        finding = findings[0]
        assert finding.severity == "warning"
        assert (finding.series_key, finding.period, finding.component) == (
            "A.155.STOCK.FB._T._T._T._T",
            "2019",
            "REF_AREA",
        )
        assert "-1000000" in finding.message
        target = find_check_target(node, "IMDX", "DF_MIG_STOCK_IMS")
        mismatches = [
            c
            for c in check_stored_aggregates(node, target, tolerance=0.001)
            if c.status == "mismatch"
        ]
        assert len(mismatches) == 1
        (mismatch,) = mismatches
        assert (mismatch.aggregate, mismatch.period, mismatch.series_key) == (
            "155",
            "2019",
            "A.155.STOCK.FB._T._T._T._T",
        )
        assert mismatch.difference == -1_000_000
        assert mismatch.members_sum == mismatch.value + 1_000_000
    finally:
        node.store.engine.dispose()


def test_the_rule_is_off_unless_switched_on(tmp_path: Path, database_url: str) -> None:
    application = create_app({"DATABASE_URL": database_url, "DEMO_DATA": "", "TESTING": True})
    node: Node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    try:
        path = altered_demo(tmp_path, "FRA", "2019", 1_000_000)
        result = load_data(node, path, LoadOptions(source=path.name))
        assert not [f for f in result.report.findings if f.code == "AGGREGATE_MISMATCH"]
    finally:
        node.store.engine.dispose()
