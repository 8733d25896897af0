"""Every migration-related SDG indicator is carried by a dataflow the node publishes."""

from __future__ import annotations

import re

from sdmxnode.formats.sdmxml.elements import split_structure_message
from tests.conftest import PROJECT_ROOT

INDICATORS = ("10.7.1", "10.7.2", "10.7.3", "10.7.4", "10.c.1", "17.3.2", "16.2.2")


def _dataflows() -> set[str]:
    found = set()
    for path in (PROJECT_ROOT / "dsd").glob("*.xml"):
        for record in split_structure_message(path.read_bytes()).records:
            if record.ref.type == "Dataflow":
                found.add(record.ref.id)
    return found


def test_each_sdg_indicator_maps_to_a_published_dataflow() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### SDG indicators and the dataflows that carry them", 1)[1]
    rows = {
        line.split("|")[1].strip().split(" ", 1)[0]: line.split("|")[3]
        for line in section.splitlines()
        if line.startswith("| 1")
    }
    dataflows = _dataflows()
    for indicator in INDICATORS:
        assert indicator in rows, indicator
        named = re.findall(r"`(DF_[A-Z0-9_]+)`", rows[indicator])
        assert named, f"{indicator} names no dataflow"
        assert set(named) <= dataflows, (indicator, named)
