"""The mutation suite (issue 22): single-defect variants of the small fixtures, each with
the exact error codes a right validator reports, checked on `POST /validate` and on
`sdmxnode validate` (one process for every file, JSON output).

The variants are made here from the committed small fixtures (SDMX-CSV 1.0 and 2.0,
SDMX-ML 2.1 structure-specific and generic, SDMX-ML 3.0, SDMX-JSON 2.0) by text edits that
break one rule each; "valid" variants change something harmless and must stay valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from sdmxnode.cli import main
from tests.conftest import PROJECT_ROOT

SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"
FLOW = "IMDX:DF_MIG_STOCK_IMS(1.0.0)"


@dataclass(frozen=True)
class Variant:
    name: str
    fixture: str
    edit: Callable[[str], str]
    codes: tuple[str, ...]  # the error codes expected, sorted; () = valid

    @property
    def suffix(self) -> str:
        return Path(self.fixture).suffix

    def text(self) -> str:
        original = (SMALL / self.fixture).read_text(encoding="utf-8")
        changed = self.edit(original)
        assert changed != original or not self.codes, f"{self.name}: the edit changed nothing"
        return changed


def _once(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def _another_flow(text: str) -> str:
    """The message's structure reference made to name another dataflow the node holds
    (asylum applications), as a copied header would."""
    assert "DF_MIG_STOCK_IMS" in text
    return text.replace("DF_MIG_STOCK_IMS", "DF_ASY_APPL")


def _csv_cell(column: str, value: str, row: int = 1) -> Callable[[str], str]:
    """Set `column` of data row `row` (1: the first after the header)."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        header = lines[0].split(",")
        cells = lines[row].split(",")
        cells[header.index(column)] = value
        lines[row] = ",".join(cells)
        return "\n".join(lines) + "\n"

    return edit


def _csv_column(column: str, value: str) -> Callable[[str], str]:
    """Add a column `column` with `value` on every row."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        return (
            "\n".join([lines[0] + f",{column}"] + [f"{line},{value}" for line in lines[1:]]) + "\n"
        )

    return edit


def _csv_duplicate_row(text: str) -> str:
    lines = text.splitlines()
    return "\n".join([*lines[:2], lines[1], *lines[2:]]) + "\n"


def _csv_series_attribute_everywhere(column: str, value: str) -> Callable[[str], str]:
    """Empty `column` on every row of the first series (its key: the first row's)."""

    def edit(text: str) -> str:
        lines = text.splitlines()
        header = lines[0].split(",")
        key = [i for i, h in enumerate(header) if h in ("REF_AREA", "COUNTRY_BIRTH", "SEX")]
        first = lines[1].split(",")
        for n in range(1, len(lines)):
            cells = lines[n].split(",")
            if [cells[i] for i in key] == [first[i] for i in key]:
                cells[header.index(column)] = value
                lines[n] = ",".join(cells)
        return "\n".join(lines) + "\n"

    return edit


def _xml_first_obs(old: str, new: str) -> Callable[[str], str]:
    return _once(old, new)


def _xml_duplicate_first_obs(text: str) -> str:
    match = re.search(r"<Obs [^>]*/>", text)
    assert match is not None
    return text[: match.end()] + match.group(0) + text[match.end() :]


def _xml_series_twice(attribute: str, old: str, new: str) -> Callable[[str], str]:
    """The first series given again, with other periods and `attribute` changed."""

    def edit(text: str) -> str:
        first = re.search(r"<Series [^>]*>.*?</Series>", text, re.S)
        assert first is not None
        again = first.group(0).replace(f'{attribute}="{old}"', f'{attribute}="{new}"')
        again = re.sub(
            r'TIME_PERIOD="(\d{4})"', lambda m: f'TIME_PERIOD="{int(m[1]) - 100}"', again
        )
        return text[: first.end()] + again + text[first.end() :]

    return edit


def _bad_prepared(text: str) -> str:
    return re.sub(r"<mes:Prepared>[^<]*<", "<mes:Prepared>yesterday<", text, count=1)


def _csv_extra_fields(text: str) -> str:
    lines = text.splitlines()
    lines[1] += ",1,2"
    return "\n".join(lines) + "\n"


def _truncate(text: str) -> str:
    return text[: len(text) // 2]


CSV10, CSV20 = "small-csv10-21.csv", "small-csv20-21.csv"
SS21, GEN21, SS30 = (
    "small-structurespecific-21.xml",
    "small-generic-21.xml",
    "small-structurespecific-30.xml",
)
JSON20 = "small-json20-21.json"

VARIANTS = [
    # -- SDMX-CSV 1.0 and 2.0 ------------------------------------------------------------------
    *(
        v
        for fixture in (CSV10, CSV20)
        for v in (
            Variant("valid, unchanged", fixture, lambda t: t, ()),
            Variant("valid, a value restated", fixture, _csv_cell("OBS_VALUE", "153011473.0"), ()),
            Variant("unknown code", fixture, _csv_cell("REF_AREA", "XYZ"), ("UNKNOWN_CODE",)),
            Variant("not allowed", fixture, _csv_cell("CITIZENSHIP", "FRA"), ("NOT_ALLOWED",)),
            Variant("bad period", fixture, _csv_cell("TIME_PERIOD", "1990-13"), ("BAD_PERIOD",)),
            Variant(
                "period of another frequency",
                fixture,
                _csv_cell("TIME_PERIOD", "1990-Q1"),
                ("PERIOD_FREQUENCY",),
            ),
            Variant(
                "non-numeric value", fixture, _csv_cell("OBS_VALUE", "about 5"), ("NOT_NUMERIC",)
            ),
            Variant("duplicate row", fixture, _csv_duplicate_row, ("DUPLICATE",)),
            Variant(
                "missing dimension value", fixture, _csv_cell("SEX", ""), ("MISSING_DIMENSION",)
            ),
            Variant(
                "missing observation attribute",
                fixture,
                _csv_cell("OBS_STATUS", ""),
                ("MISSING_ATTRIBUTE",),
            ),
            Variant(
                "missing series attribute",
                fixture,
                _csv_series_attribute_everywhere("REVISION", ""),
                ("MISSING_ATTRIBUTE",),
            ),
            Variant(
                "series attribute disagrees",
                fixture,
                _csv_cell("UNIT_MULT", "3", row=2),
                ("INCONSISTENT_ATTRIBUTE",),
            ),
            Variant(
                "key value too long",
                fixture,
                _csv_cell("REF_AREA", "R" * 300),
                ("UNKNOWN_CODE", "VALUE_TOO_LONG"),
            ),
        )
    ),
    Variant("unknown column", CSV10, _csv_column("FOO", "1"), ("UNKNOWN_COMPONENT",)),
    Variant("valid, a custom column", CSV20, _csv_column("NOTE", "x"), ()),
    Variant(
        "unknown dataflow",
        CSV10,
        lambda t: t.replace(FLOW, "IMDX:DF_NOPE(1.0.0)"),
        ("UNKNOWN_STRUCTURE",),
    ),
    Variant("another dataflow's reference", CSV10, _another_flow, ("OTHER_STRUCTURE",)),
    Variant("another dataflow's reference", CSV20, _another_flow, ("OTHER_STRUCTURE",)),
    Variant("bad action", CSV20, _csv_cell("ACTION", "X"), ("BAD_ACTION",)),
    Variant("unreadable: a row too long", CSV10, _csv_extra_fields, ("UNREADABLE",)),
    # -- SDMX-ML 2.1 structure-specific, generic; 3.0 -------------------------------------------
    Variant("valid, unchanged", SS21, lambda t: t, ()),
    Variant("unknown code", SS21, _once('REF_AREA="1"', 'REF_AREA="XYZ"'), ("UNKNOWN_CODE",)),
    Variant("not allowed", SS21, _once('CITIZENSHIP="_T"', 'CITIZENSHIP="FRA"'), ("NOT_ALLOWED",)),
    Variant(
        "bad period", SS21, _once('TIME_PERIOD="1990"', 'TIME_PERIOD="1990-13"'), ("BAD_PERIOD",)
    ),
    Variant(
        "period of another frequency",
        SS21,
        _once('TIME_PERIOD="1990"', 'TIME_PERIOD="1990-Q1"'),
        ("PERIOD_FREQUENCY",),
    ),
    Variant(
        "non-numeric value",
        SS21,
        _once('OBS_VALUE="153011473"', 'OBS_VALUE="about 5"'),
        ("NOT_NUMERIC",),
    ),
    Variant("duplicate observation", SS21, _xml_duplicate_first_obs, ("DUPLICATE",)),
    Variant(
        "unknown component",
        SS21,
        _once("<Series ", '<Series DESTINATION="FRA" '),
        ("UNKNOWN_COMPONENT",),
    ),
    Variant("missing dimension", SS21, _once(' SEX="_T"', ""), ("MISSING_DIMENSION",)),
    Variant(
        "missing series attribute", SS21, _once(' REVISION="IMS2019"', ""), ("MISSING_ATTRIBUTE",)
    ),
    Variant(
        "series given twice, attribute disagrees",
        SS21,
        _xml_series_twice("UNIT_MULT", "0", "3"),
        ("INCONSISTENT_ATTRIBUTE",),
    ),
    Variant("valid, series given twice alike", SS21, _xml_series_twice("UNIT_MULT", "0", "0"), ()),
    Variant(
        "unknown dataflow",
        SS21,
        lambda t: t.replace("DF_MIG_STOCK_IMS", "DF_NOPE"),
        ("UNKNOWN_STRUCTURE",),
    ),
    Variant("another dataflow's reference", SS21, _another_flow, ("OTHER_STRUCTURE",)),
    Variant("schema: a bad date", SS21, _bad_prepared, ("SCHEMA",)),
    Variant("unreadable: truncated", SS21, _truncate, ("UNREADABLE",)),
    Variant("valid, unchanged", GEN21, lambda t: t, ()),
    Variant(
        "unknown code",
        GEN21,
        _once('id="REF_AREA" value="1"', 'id="REF_AREA" value="XYZ"'),
        ("UNKNOWN_CODE",),
    ),
    Variant(
        "bad period",
        GEN21,
        _once('<gen:ObsDimension value="1990"/>', '<gen:ObsDimension value="1990-13"/>'),
        ("BAD_PERIOD",),
    ),
    Variant("another dataflow's reference", GEN21, _another_flow, ("OTHER_STRUCTURE",)),
    Variant("valid, unchanged", SS30, lambda t: t, ()),
    Variant("another dataflow's reference", SS30, _another_flow, ("OTHER_STRUCTURE",)),
    Variant("unknown code", SS30, _once('REF_AREA="1"', 'REF_AREA="XYZ"'), ("UNKNOWN_CODE",)),
    Variant("duplicate observation", SS30, _xml_duplicate_first_obs, ("DUPLICATE",)),
    # -- SDMX-JSON 2.0 -----------------------------------------------------------------------------
    Variant("valid, unchanged", JSON20, lambda t: t, ()),
    Variant("another dataflow's reference", JSON20, _another_flow, ("OTHER_STRUCTURE",)),
    Variant("unknown code", JSON20, _once('"id": "1"', '"id": "XYZ"'), ("UNKNOWN_CODE",)),
    Variant("unreadable: not JSON", JSON20, _truncate, ("UNREADABLE",)),
]
IDS = [f"{Path(v.fixture).stem.removeprefix('small-')}: {v.name}" for v in VARIANTS]


def _errors(findings: list[dict]) -> tuple[str, ...]:
    return tuple(sorted({f["code"] for f in findings if f["severity"] == "error"}))


def test_there_are_at_least_forty_variants() -> None:
    assert len(VARIANTS) >= 40
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_post_validate_reports_exactly_the_defect(
    migration_client: FlaskClient, variant: Variant
) -> None:
    answer = migration_client.post("/validate", data=variant.text().encode())
    report = answer.get_json()
    assert _errors(report["findings"]) == variant.codes, report["findings"][:3]
    unreadable = variant.codes == ("UNREADABLE",)
    assert answer.status_code == (400 if unreadable else 422 if variant.codes else 200)


def test_the_command_line_gives_the_same_verdicts(tmp_path: Path) -> None:
    files = {}
    for number, variant in enumerate(VARIANTS):
        path = tmp_path / f"v{number:02d}{variant.suffix}"
        path.write_text(variant.text(), encoding="utf-8")
        files[path.name] = variant
    result = CliRunner().invoke(
        main, ["validate", *map(str, tmp_path.iterdir()), "--format", "json"]
    )
    reports = json.loads(result.output)
    wrong = {
        f"{files[name].fixture}: {files[name].name}": _errors(report["findings"])
        for name, report in reports.items()
        if _errors(report["findings"]) != files[name].codes
    }
    assert not wrong, wrong
    assert result.exit_code == 1  # some are invalid
