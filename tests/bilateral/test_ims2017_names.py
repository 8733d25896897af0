"""The names of the 2017 origin-by-destination table and the published maps that code them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from sdmxnode.authoring.ims2017 import check_totals, convert_table, read_table
from sdmxnode.authoring.ims2017_names import (
    AREA_MAP,
    GROUPINGS_LEFT_OUT,
    ORIGIN_MAP,
    REGION_TWINS,
    RM_FILE,
    read_ims2017_maps,
)
from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml.maps import read_representation_map
from tests.bilateral.conftest import table_path
from tests.conftest import PROJECT_ROOT

MAPS_FILE = PROJECT_ROOT / "dsd" / RM_FILE
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"


def _rules(map_id: str) -> dict[str, str]:
    mapping = read_representation_map(read_ims2017_maps(MAPS_FILE)[map_id])
    rules = [(rule.sources[0].value, rule.targets[0]) for rule in mapping.rules]
    assert len(rules) == len(dict(rules)), f"{map_id} gives a name twice"
    return dict(rules)


def _codes(codelist: str) -> set[str]:
    tree = etree.parse(str(PROJECT_ROOT / "codelists" / f"IMDX-{codelist}-1.0.0.xml"))
    return {code.get("id", "") for code in tree.iter(f"{STR}Code")}


def test_every_name_of_the_table_maps_or_is_a_listed_grouping(
    ims2017_table: list[list[str]],
) -> None:
    area, origin = _rules(AREA_MAP), _rules(ORIGIN_MAP)
    header, rows = ims2017_table[0], ims2017_table[1:]
    destinations = {row[1] for row in rows}
    unmapped_rows = sorted(destinations - set(area) - set(GROUPINGS_LEFT_OUT) - set(REGION_TWINS))
    unmapped_columns = sorted(set(header[2:]) - set(area) - set(origin))
    assert unmapped_rows == [], f"destination names without a code: {unmapped_rows}"
    assert unmapped_columns == [], f"origin names without a code: {unmapped_columns}"
    # nothing is listed as left out that the table does not hold, nor both left out and mapped
    assert set(GROUPINGS_LEFT_OUT) <= destinations
    assert not set(GROUPINGS_LEFT_OUT) & set(area)


def test_no_two_names_share_a_code_and_every_code_is_in_its_code_list() -> None:
    area, origin = _rules(AREA_MAP), _rules(ORIGIN_MAP)
    for rules in (area, origin):
        shared = [code for code, count in Counter(rules.values()).items() if count > 1]
        assert shared == []
    assert set(area.values()) <= _codes("CL_AREA")
    assert set(origin.values()) <= _codes("CL_AREA_ORIGIN") - _codes("CL_AREA")
    assert origin == {"Total": "FB", "Other North": "OTH_NORTH", "Other South": "OTH_SOUTH"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("TFYR Macedonia", "MKD"),
        ("Swaziland", "SWZ"),
        ("USA", "USA"),
        ("Rep. Dem. of the Congo", "COD"),
        ("Congo", "COG"),
        ("China Hong Kong SAR", "HKG"),
        ("Channel Islands", "830"),
        ("Micronesia", "FSM"),
        ("Micronesia (region)", "57"),
        ("WORLD", "1"),
        ("Australia/New Zealand", "53"),
        ("Kenya", "KEN"),
    ],
)
def test_old_and_short_names_reach_their_codes(name: str, code: str) -> None:
    assert _rules(AREA_MAP)[name] == code


HEADER = ["Year", "MajorArea", "Total", "Other North", "Other South", "Kenya", "Uganda"]


def test_the_conversion_refuses_a_table_with_an_unknown_name(tmp_path: Path) -> None:
    path = table_path(
        tmp_path,
        [
            [*HEADER, "Atlantis"],
            ["1990", "Uganda", "12", "1", "1", "7", "", "3"],
            ["1990", "Lemuria", "5", "0", "0", "5", "", ""],
        ],
    )
    with pytest.raises(Invalid) as raised:
        convert_table(path, MAPS_FILE)
    assert "'Atlantis'" in raised.value.text and "'Lemuria'" in raised.value.text
    assert "2 name(s)" in raised.value.text


def test_the_conversion_refuses_a_total_that_is_not_the_sum_of_its_origins(
    tmp_path: Path,
) -> None:
    path = table_path(tmp_path, [HEADER, ["1995", "Uganda", "12", "1", "1", "7", ""]])
    with pytest.raises(Invalid, match="line 2: Uganda 1995 total 12 is not the sum .*9"):
        check_totals(read_table(path)[1], path.name)


def test_a_small_table_becomes_series_with_zeros_kept_and_empty_cells_left_out(
    tmp_path: Path,
) -> None:
    path = table_path(
        tmp_path,
        [
            HEADER,
            ["1990", "Uganda", "10", "1", "2", "7", ""],
            ["2017", "Uganda", "9", "0", "2", "7", ""],
            ["2017", "More developed regions", "3", "3", "0", "", "0"],
            ["2017", "Micronesia", "4", "0", "0", "4", "0"],
            ["2017", "Micronesia", "1", "0", "0", "1", ""],
        ],
    )
    series = {(s.destination, s.origin): s.observations for s in convert_table(path, MAPS_FILE)}
    assert series[("UGA", "FB")] == (("1990", 10), ("2017", 9))
    assert series[("UGA", "OTH_NORTH")] == (("1990", 1), ("2017", 0))
    assert series[("UGA", "KEN")] == (("1990", 7), ("2017", 7))
    assert ("UGA", "UGA") not in series  # empty cells are no observations
    assert series[("57", "UGA")] == (("2017", 0),)  # the first Micronesia row: the region
    assert series[("FSM", "FB")] == (("2017", 1),)
    assert not any(destination == "" for destination, _ in series)  # groupings left out


def test_the_region_row_of_each_twin_comes_first_and_holds_its_members(
    ims2017_table: list[list[str]],
) -> None:
    header = ims2017_table[0]
    total = header.index("Total")
    for year in ("1990", "2017"):
        rows = [row for row in ims2017_table[1:] if row[0] == year]
        names = [row[1] for row in rows]
        for twin in REGION_TWINS:
            first, second = (i for i, name in enumerate(names) if name == twin)
            assert int(rows[first][total]) >= int(rows[second][total])
            assert "Guam" in names[first:second]  # the region's members follow it
