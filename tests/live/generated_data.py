"""Generated data messages for the migration dataflows, built from the demo fixture's series."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import PROJECT_ROOT

DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
DEMO_FLOW = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
_SERIES = re.compile(r"<Series [^>]*>")
_DIMENSIONS = ("FREQ", "REF_AREA", "MEASURE", "COUNTRY_BIRTH", "CITIZENSHIP", "SEX", "AGE")


def demo_series_tags() -> list[str]:
    """The `<Series ...>` start tags of the demo message (798 distinct series keys)."""
    return _SERIES.findall(DEMO.read_text(encoding="utf-8"))


def series_key(tag: str) -> dict[str, str]:
    """The dimension values of a `<Series ...>` start tag (enough to tell the series apart)."""
    values = dict(re.findall(r'(\w+)="([^"]*)"', tag))
    return {name: values[name] for name in _DIMENSIONS if name in values}


def write_message(
    path: Path,
    tags: Sequence[str],
    periods: Sequence[int],
    *,
    dataflow: tuple[str, str, str] = DEMO_FLOW,
    value_base: int = 0,
    padding: int = 0,
) -> int:
    """Write a structure-specific message for `dataflow` with one observation per series
    tag and annual period; the number of observations written.

    `padding` bytes of XML comment make the file that much larger without more work for
    the node (the CLI draws its progress bar from 5 MB on, the forked pipeline runs from
    8 MiB on).
    """
    text = DEMO.read_text(encoding="utf-8")
    head = text[: text.index("<Series ")]
    agency, flow_id, version = DEMO_FLOW
    if dataflow != DEMO_FLOW:
        new_agency, new_id, new_version = dataflow
        head = head.replace(f'id="{flow_id}"', f'id="{new_id}"').replace(
            f"{agency}:{flow_id}({version})", f"{new_agency}:{new_id}({new_version})"
        )
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for _ in range(padding // 100):
            out.write(f"<!-- {'padding ' * 11}-->\n")
        for number, tag in enumerate(tags):
            out.write(tag)
            out.write("\n")
            out.write(
                "".join(
                    f'<Obs TIME_PERIOD="{year}" OBS_VALUE="{value_base + number * 1000 + i}"'
                    ' OBS_STATUS="E"/>\n'
                    for i, year in enumerate(periods)
                )
            )
            out.write("</Series>\n")
            count += len(periods)
        out.write("</mes:DataSet>\n</mes:StructureSpecificData>\n")
    return count
