"""Rows against a structure: each rule, its location, and one finding per defect."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from sdmxnode.errors import Invalid, NotFound
from sdmxnode.formats.rows import Component, DatasetRows, StructureInfo
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.plan import plan_rows
from sdmxnode.validation.report import Report
from sdmxnode.validation.rules import check_datasets, check_rows

REF = ArtefactRef("Dataflow", "TEST", "DF", "1.0")
STRUCTURE = StructureInfo(
    dsd="TEST:DSD(1.0)",
    dataflow="TEST:DF(1.0)",
    dimensions=(
        Component("FREQ", "dimension", frozenset({"A", "Q", "M"}), "SDMX:CL_FREQ(2.0)"),
        Component("REF_AREA", "dimension", frozenset({"FRA", "DEU", "ITA"}), "TEST:CL_AREA(1.0)"),
    ),
    time_dimension=Component("TIME_PERIOD", "time", text_type="observationalTimePeriod"),
    measures=(Component("OBS_VALUE", "measure"),),
    attributes=(
        Component(
            "OBS_STATUS",
            "attribute",
            frozenset({"A", "E"}),
            "SDMX:CL_OBS_STATUS(2.1)",
            mandatory=True,
            attachment="observation",
        ),
        Component("OBS_COUNT", "attribute", text_type="integer", attachment="observation"),
        Component(
            "UNIT",
            "attribute",
            frozenset({"PS", "PC"}),
            "TEST:CL_UNIT(1.0)",
            mandatory=True,
            attachment="series",
            related_dimensions=("FREQ", "REF_AREA"),
        ),
        Component("COMMENT", "attribute", text_type="string", attachment="series"),
        Component("TITLE", "attribute", text_type="string", mandatory=True, attachment="dataset"),
    ),
    allowed={"REF_AREA": frozenset({"FRA", "DEU"})},
)
COLUMNS = STRUCTURE.columns  # FREQ REF_AREA TIME_PERIOD OBS_VALUE OBS_STATUS OBS_COUNT UNIT ...


def row(
    line: int,
    freq="A",
    area="FRA",
    period="2020",
    value="1.5",
    status="A",
    count=None,
    unit="PS",
    comment=None,
    title="T",
) -> tuple:
    return (freq, area, period, value, status, count, unit, comment, title, line)


def run(
    rows: list[tuple],
    *,
    action="Information",
    columns=COLUMNS,
    action_column=None,
    dataset_attributes=None,
    max_findings=1000,
) -> Report:
    report = Report(max_findings=max_findings)
    dataset = DatasetRows(
        REF,
        STRUCTURE,
        action,
        columns,
        iter(rows),
        dataset_attributes=dataset_attributes or {},
        action_column=action_column,
    )
    passed = list(check_rows(dataset, report))
    assert passed == rows  # rows pass through unchanged, all of them
    return report


def found(report: Report) -> list[tuple]:
    return [(f.code, f.line, f.series_key, f.period, f.component) for f in report.findings]


def test_valid_rows_give_no_finding_and_are_counted() -> None:
    rows = [row(1, period="2019"), row(2), row(3, area="DEU"), row(4, freq="Q", period="2020-Q1")]
    report = run(rows)
    assert report.findings == []
    assert (report.datasets, report.series, report.observations) == (1, 3, 4)


def test_unknown_dimension_code_once_per_series() -> None:
    rows = [
        row(1, area="XYZ", period="2019"),
        row(2, area="XYZ"),
        row(3, area="XYZ", freq="Q", period="2020-Q1"),
    ]
    assert found(run(rows)) == [
        ("UNKNOWN_CODE", 1, "A.XYZ", None, "REF_AREA"),
        ("UNKNOWN_CODE", 3, "Q.XYZ", None, "REF_AREA"),
    ]


def test_code_outside_the_constraint() -> None:
    report = run([row(1, area="ITA"), row(2, area="ITA", period="2021")])
    assert found(report) == [("NOT_ALLOWED", 1, "A.ITA", None, "REF_AREA")]
    assert "TEST:DF(1.0)" in report.findings[0].message
    assert "DEU, FRA" in report.findings[0].message


def test_unknown_attribute_code_once_per_series_and_per_observation() -> None:
    rows = [row(1, unit="KG", status="X"), row(2, unit="KG", period="2021", status="X")]
    assert found(run(rows)) == [
        ("UNKNOWN_CODE", 1, "A.FRA", None, "UNIT"),
        ("UNKNOWN_CODE", 1, "A.FRA", "2020", "OBS_STATUS"),
        ("UNKNOWN_CODE", 2, "A.FRA", "2021", "OBS_STATUS"),
    ]


def test_mandatory_series_attribute_once_per_series() -> None:
    rows = [row(n, unit=None, period=str(2000 + n)) for n in range(1, 4)]
    rows.append(row(4, area="DEU"))
    assert found(run(rows)) == [("MISSING_ATTRIBUTE", 1, "A.FRA", None, "UNIT")]


def test_series_attribute_given_on_a_later_row_of_the_series_is_enough() -> None:
    # SDMX-CSV 2.0: observations without the series attribute, then an attribute row
    rows = [
        row(1, unit=None),
        row(2, unit=None, period="2021"),
        row(3, period=None, value=None, status=None, unit="PS"),
    ]
    report = run(rows)
    assert report.findings == []
    assert report.observations == 2


def test_mandatory_observation_attribute_per_observation() -> None:
    rows = [row(1, status=None), row(2, period="2021"), row(3, period="2022", status="")]
    assert found(run(rows)) == [
        ("MISSING_ATTRIBUTE", 1, "A.FRA", "2020", "OBS_STATUS"),
        ("MISSING_ATTRIBUTE", 3, "A.FRA", "2022", "OBS_STATUS"),
    ]


def test_mandatory_dataset_attribute_once() -> None:
    rows = [row(n, title=None, period=str(2000 + n)) for n in range(1, 4)]
    assert found(run(rows)) == [("MISSING_ATTRIBUTE", 1, None, None, "TITLE")]
    assert run(rows, dataset_attributes={"TITLE": "given"}).findings == []


def test_mandatory_dataset_attribute_of_an_empty_data_set() -> None:
    assert found(run([])) == [("MISSING_ATTRIBUTE", None, None, None, "TITLE")]


def test_periods_syntax_and_frequency() -> None:
    rows = [
        row(1, period="2020-13"),
        row(2, period="2021-Q1"),
        row(3, freq="Q", period="2020"),
        row(4, freq="Q", period="2020-Q2"),
        row(5, freq="M", period="2020-M02"),
    ]
    assert found(run(rows)) == [
        ("BAD_PERIOD", 1, "A.FRA", "2020-13", "TIME_PERIOD"),
        ("PERIOD_FREQUENCY", 2, "A.FRA", "2021-Q1", "TIME_PERIOD"),
        ("PERIOD_FREQUENCY", 3, "Q.FRA", "2020", "TIME_PERIOD"),
    ]


def test_a_bad_period_is_reported_for_every_observation_that_has_it() -> None:
    rows = [row(1, period="2020-13"), row(2, area="DEU", period="2020-13")]
    assert [f.line for f in run(rows).findings] == [1, 2]


def test_duplicates_also_when_the_series_comes_back_later() -> None:
    rows = [
        row(1, period="2019"),
        row(2),
        row(3, area="DEU"),
        row(4, period="2019"),
        row(5, period="2021"),
        row(6, period="2021"),
    ]
    assert found(run(rows)) == [
        ("DUPLICATE", 4, "A.FRA", "2019", None),
        ("DUPLICATE", 6, "A.FRA", "2021", None),
    ]


def test_measure_and_numeric_attribute_values() -> None:
    rows = [
        row(1, value="1,5"),
        row(2, period="2021", value="NaN"),
        row(3, period="2022", value=""),
        row(4, period="2023", value="-1.5E3"),
        row(5, period="2024", count="3.5"),
        row(6, period="2025", count="12"),
        row(7, period="2026", value="INF"),
        row(8, period="2027", value="nan"),
    ]
    assert found(run(rows)) == [
        ("NOT_NUMERIC", 1, "A.FRA", "2020", "OBS_VALUE"),
        ("NOT_NUMERIC", 5, "A.FRA", "2024", "OBS_COUNT"),
        ("NOT_NUMERIC", 8, "A.FRA", "2027", "OBS_VALUE"),
    ]


def test_missing_dimension_value_and_missing_period() -> None:
    rows = [row(1, area=None), row(2, period=None)]
    assert found(run(rows)) == [
        ("MISSING_DIMENSION", 1, "A.", None, "REF_AREA"),
        ("MISSING_DIMENSION", 2, "A.FRA", None, "TIME_PERIOD"),
    ]


def test_partial_key_attribute_rows_are_not_missing_dimensions() -> None:
    rows = [row(1), row(2, area=None, period=None, value=None, status=None)]
    assert run(rows).findings == []


def test_a_dimension_column_absent_altogether() -> None:
    columns = tuple(c for c in COLUMNS if c != "REF_AREA")
    rows = [r[:1] + r[2:] for r in (row(1), row(2, period="2021"))]
    assert found(run(rows, columns=columns)) == [("MISSING_DIMENSION", 1, None, None, "REF_AREA")]


def test_unknown_column_reported_once_where_it_first_has_a_value() -> None:
    columns = COLUMNS + ("DESTINATION",)
    rows = [
        row(1)[:-1] + (None, 1),
        row(2, period="2021")[:-1] + ("FRA", 2),
        row(3, period="2022")[:-1] + ("DEU", 3),
    ]
    assert found(run(rows, columns=columns)) == [
        ("UNKNOWN_COMPONENT", 2, "A.FRA", None, "DESTINATION"),
    ]


def test_dimension_order_is_a_warning() -> None:
    columns = ("REF_AREA", "FREQ") + COLUMNS[2:]
    rows = [(r[1], r[0]) + r[2:] for r in (row(1),)]
    report = run(rows, columns=columns)
    assert [(f.code, f.severity) for f in report.findings] == [("DIMENSION_ORDER", "warning")]
    assert report.is_valid


def test_bad_actions() -> None:
    assert found(run([row(1)], action="Upsert")) == [("BAD_ACTION", None, None, None, None)]
    columns = COLUMNS + ("ACTION",)
    rows = [row(1)[:-1] + ("A", 1), row(2, period="2021")[:-1] + ("X", 2)]
    assert found(run(rows, columns=columns, action_column=len(COLUMNS))) == [
        ("BAD_ACTION", 2, "A.FRA", None, None),
    ]


def test_deletions_need_no_values_nor_attributes() -> None:
    rows = [row(1, value=None, status=None, unit=None, title=None)]
    assert run(rows, action="Delete", dataset_attributes={"TITLE": "t"}).findings == []
    columns = COLUMNS + ("ACTION",)
    rows = [row(1)[:-1] + ("I", 1), row(2, value=None, status=None)[:-1] + ("D", 2)]
    assert run(rows, columns=columns, action_column=len(COLUMNS)).findings == []


def test_a_delete_needs_no_data_set_attribute_either() -> None:
    rows = [row(1, value=None, status=None, unit=None, title=None)]
    assert run(rows, action="Delete").findings == []
    assert run([], action="Delete").findings == []
    columns = COLUMNS + ("ACTION",)
    deleting = [row(1, value=None, status=None, unit=None, title=None)[:-1] + ("D", 1)]
    assert run(deleting, columns=columns, action_column=len(COLUMNS)).findings == []
    writing = [*deleting, row(2, title=None)[:-1] + ("A", 2)]  # the Append needs it
    report = run(writing, columns=columns, action_column=len(COLUMNS))
    assert found(report) == [("MISSING_ATTRIBUTE", 2, None, None, "TITLE")]


def test_an_update_of_a_stored_series_may_leave_its_mandatory_attributes_out() -> None:
    asked: list[set[str]] = []

    def stored(dataset: DatasetRows, keys: object) -> dict[str, frozenset[str]]:
        asked.append(set(keys))  # type: ignore[call-overload]
        return {"A.FRA": frozenset({"UNIT"})}

    rows = [row(1, unit=None), row(2, area="DEU", unit=None), row(3, area="DEU", period="2021")]
    for action in ("Information", "Append", "Merge"):
        report = Report()
        dataset = DatasetRows(REF, STRUCTURE, action, COLUMNS, iter(rows))
        list(check_rows(dataset, report, stored=stored))
        assert found(report) == []
    assert asked == [{"A.FRA"}] * 3  # one question per data set, for the series concerned
    rows = [row(1, unit=None), row(2, area="DEU", unit=None)]
    for action, version in (("Append", "3.0"), ("Replace", "2.1")):
        report = Report()
        dataset = DatasetRows(REF, STRUCTURE, action, COLUMNS, iter(rows), sdmx_version=version)
        list(check_rows(dataset, report, stored=stored))
        assert found(report) == [("MISSING_ATTRIBUTE", 2, "A.DEU", None, "UNIT")]
    report = Report()
    dataset = DatasetRows(REF, STRUCTURE, "Replace", COLUMNS, iter(rows), sdmx_version="3.0")
    list(check_rows(dataset, report, stored=stored))
    assert [f[2] for f in found(report)] == ["A.FRA", "A.DEU"]


def test_no_time_dimension_duplicates_are_by_key() -> None:
    structure = StructureInfo(
        "TEST:DSD(1.0)", None, STRUCTURE.dimensions, None, STRUCTURE.measures, ()
    )
    report = Report()
    rows = [("A", "FRA", "1", 1), ("A", "DEU", "2", 2), ("A", "FRA", "3", 3)]
    dataset = DatasetRows(REF, structure, "Information", structure.columns, iter(rows))
    list(check_rows(dataset, report))
    assert found(report) == [("DUPLICATE", 3, "A.FRA", None, None)]


def test_bound_on_findings_while_every_row_is_checked() -> None:
    rows = [row(n, area=f"X{n}") for n in range(1, 51)]  # 50 series, each an unknown code
    rows += [row(n, area="ITA", period=str(1900 + n)) for n in range(51, 61)]  # one series
    report = run(rows, max_findings=5)
    assert len(report.findings) == 5
    assert report.total == 51
    assert report.dropped == 46
    assert report.observations == 60


def test_reader_errors_become_findings() -> None:
    def failing() -> Iterator[tuple]:
        yield row(1)
        raise Invalid("the message is not well-formed XML: truncated", where="line 7, column 3")

    report = Report()
    dataset = DatasetRows(REF, STRUCTURE, "Information", COLUMNS, failing())
    assert len(list(check_rows(dataset, report))) == 1
    assert found(report) == [("UNREADABLE", 7, None, None, None)]


def test_unknown_structure_from_the_reader() -> None:
    def datasets() -> Iterator[DatasetRows]:
        raise NotFound("no Dataflow TEST:NOPE(1.0)")
        yield  # a generator

    report = Report()
    assert list(check_datasets(datasets(), report)) == []
    assert found(report) == [("UNKNOWN_STRUCTURE", None, None, None, None)]
    assert "TEST:NOPE" in report.findings[0].message


@pytest.mark.parametrize("value", ["12", "-3", "0.5", "1e-3", "NaN", "INF", "-INF", ""])
def test_numbers_accepted_for_an_untyped_measure(value: str) -> None:
    assert run([row(1, value=value)]).findings == []


@pytest.mark.parametrize("value", ["1,5", "1_000", " 12", "12 ", "inf", "twelve", "0x1A", "١٢"])
def test_numbers_refused_for_an_untyped_measure(value: str) -> None:
    assert [f.code for f in run([row(1, value=value)]).findings] == ["NOT_NUMERIC"]


def test_coded_measure_values_are_codes() -> None:
    measure = Component("OBS_VALUE", "measure", frozenset({"YES", "NO"}), "TEST:CL_YES_NO(1.0)")
    structure = StructureInfo(
        "TEST:DSD(1.0)", None, STRUCTURE.dimensions, STRUCTURE.time_dimension, (measure,), ()
    )
    rows = [
        ("A", "FRA", "2020", "YES", 1),
        ("A", "FRA", "2021", "MAYBE", 2),
        ("A", "FRA", "2022", "NaN", 3),
    ]
    report = Report()
    dataset = DatasetRows(REF, structure, "Information", structure.columns, iter(rows))
    list(check_rows(dataset, report))
    assert found(report) == [("UNKNOWN_CODE", 2, "A.FRA", "2021", "OBS_VALUE")]


@pytest.mark.parametrize(
    ("lengths", "too_long"),
    [
        ((255, 255, 255, 255, 255, 255, 255, 207), False),  # key of 1,999 characters
        ((255, 255, 255, 255, 255, 255, 255, 208), False),  # 2,000: the limit
        ((255, 255, 255, 255, 255, 255, 255, 209), True),  # 2,001 (values and 7 dots)
        ((256, 1, 1, 1, 1, 1, 1, 1), True),  # one value over 255
    ],
)
def test_series_key_and_key_value_length_limits(lengths: tuple[int, ...], too_long: bool) -> None:
    """The declared limits (formats.rows): a key value of 255, a series key of 2,000."""
    dimensions = tuple(Component(f"D{i}", "dimension") for i in range(len(lengths)))
    structure = StructureInfo("TEST:DSD(1.0)", None, dimensions, None, STRUCTURE.measures, ())
    key = tuple("k" * n for n in lengths)
    report = Report()
    dataset = DatasetRows(REF, structure, "Information", structure.columns, iter([(*key, "1", 1)]))
    list(check_rows(dataset, report))
    assert [f.code for f in report.findings] == (["VALUE_TOO_LONG"] if too_long else [])


def test_a_wrong_series_attribute_later_in_its_series_is_found() -> None:
    """Rows that repeat the held values of the row before skip the series attribute lookup;
    a series attribute outside the held ones (related to the time dimension, so not one
    value per series) is still checked on every row: its wrong code on the second row of a
    series is reported."""
    timely = Component(
        "UNIT",
        "attribute",
        frozenset({"PS", "PC"}),
        "TEST:CL_UNIT(1.0)",
        attachment="series",
        related_dimensions=("REF_AREA", "TIME_PERIOD"),
    )
    structure = dataclasses.replace(
        STRUCTURE,
        attributes=tuple(timely if a.id == "UNIT" else a for a in STRUCTURE.attributes),
    )
    rows = [row(1, period="2019", comment="c"), row(2, unit="XX", comment="c")]
    dataset = DatasetRows(REF, structure, "Information", COLUMNS, iter(rows))
    assert not plan_rows(dataset).series_within_held
    report = Report(max_findings=100)
    assert list(check_rows(dataset, report)) == rows
    assert [(f.code, f.line, f.component) for f in report.findings] == [("UNKNOWN_CODE", 2, "UNIT")]
    # With the attribute one value per series, the shortcut applies and the plan says so.
    assert plan_rows(
        DatasetRows(REF, STRUCTURE, "Information", COLUMNS, iter([]))
    ).series_within_held
