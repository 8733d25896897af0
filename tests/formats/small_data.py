"""The small dataset in SDMX-CSV and SDMX-JSON: read from the demo data with lxml, written out.

Independent of the readers under test: the demo message and the DSD are read with lxml
alone, and the fixtures are written with `csv` and `json`. Regenerate the fixtures with
`PYTHONPATH=. python -m tests.formats.small_data` (tests check the committed files are what
this writes, and that the readers give back what `read_demo_observations` reads).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from lxml import etree

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO = PROJECT_ROOT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
SMALL = PROJECT_ROOT / "fixtures" / "data" / "small"
DSD = PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml"
CONCEPTS = PROJECT_ROOT / "dsd" / "IMDX-CS_MIGRATION-1.0.0.xml"
CODELISTS = PROJECT_ROOT / "codelists"
SERIES_COUNT = 3
FLOW = "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
FLOW_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
DSD_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=IMDX:DSD_MIG_STOCK(1.0.0)"
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
FILES = (
    "small-csv10-21.csv",
    "small-csv20-21.csv",
    "small-csv20-labels-both-21.csv",
    "small-json10-21.json",
    "small-json20-21.json",
)


def read_demo_observations(count: int = SERIES_COUNT) -> list[dict[str, str]]:
    """The observations of the first `count` series, each a dict of its component values
    (series attributes repeated on each), read with lxml only."""
    observations: list[dict[str, str]] = []
    series = 0
    for _, element in etree.iterparse(str(DEMO), events=("end",), tag="Series"):
        for obs in element.iterfind("Obs"):
            observations.append({**element.attrib, **obs.attrib})
        series += 1
        element.clear()
        if series == count:
            break
    return observations


def dsd_components() -> tuple[list[str], list[str], dict[str, Path]]:
    """Dimension ids (DSD order, then TIME_PERIOD), attribute ids, and the code list file of
    each coded component."""
    root = etree.parse(str(DSD)).getroot()
    dimension_list = root.findall(f".//{STR}DimensionList/{STR}Dimension")
    attribute_list = root.findall(f".//{STR}AttributeList/{STR}Attribute")
    dimensions = [d.get("id") for d in dimension_list]
    attributes = [a.get("id") for a in attribute_list]
    codelists = {}
    for component in dimension_list + attribute_list:
        ref = component.find(f"{STR}LocalRepresentation/{STR}Enumeration/Ref")
        if ref is not None:
            name = f"{ref.get('agencyID')}-{ref.get('id')}-{ref.get('version')}.xml"
            codelists[component.get("id")] = CODELISTS / name
    return [*dimensions, "TIME_PERIOD"], attributes, codelists


def _names(path: Path, tag: str) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    return {
        item.get("id"): item.findtext(
            f"{COM}Name[@{{http://www.w3.org/XML/1998/namespace}}lang='en']"
        )
        or item.get("id")
        for item in root.iter(tag)
    }


def _used(observations: list[dict[str, str]], ids: list[str]) -> list[str]:
    return [i for i in ids if any(i in o for o in observations)]


def write_csv10(observations: list[dict[str, str]]) -> str:
    """SDMX-CSV 1.0: DATAFLOW column, components in DSD order, comma."""
    dimensions, attributes, _ = dsd_components()
    columns = [*dimensions, "OBS_VALUE", *_used(observations, attributes)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["DATAFLOW", *columns])
    for obs in observations:
        writer.writerow([FLOW, *(obs.get(c, "") for c in columns)])
    return buffer.getvalue()


def write_csv20(observations: list[dict[str, str]]) -> str:
    """SDMX-CSV 2.0: STRUCTURE[;], ACTION, components in another order, a custom column."""
    dimensions, attributes, _ = dsd_components()
    columns = [*_used(observations, attributes), "OBS_VALUE", *reversed(dimensions)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["STRUCTURE[;]", "STRUCTURE_ID", "ACTION", *columns, "UPDATED"])
    for obs in observations:
        row = [obs.get(c, "") for c in columns]
        writer.writerow(["dataflow", FLOW, "I", *row, "2026-01-01T00:00:00Z"])
    return buffer.getvalue()


def write_csv20_labels_both(observations: list[dict[str, str]]) -> str:
    """SDMX-CSV 2.0 labels=both, keys=both, semicolon delimiter, with a UTF-8 BOM."""
    dimensions, attributes, codelists = dsd_components()
    concepts = _names(CONCEPTS, f"{STR}Concept")
    codes = {c: _names(path, f"{STR}Code") for c, path in codelists.items()}
    columns = [*dimensions, "OBS_VALUE", *_used(observations, attributes)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = [f"{c}: {concepts.get(c, c)}" for c in columns]
    writer.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", "SERIES_KEY", "OBS_KEY", *header])
    name = "DF_MIG_STOCK_IMS: International migrant stock"
    for obs in observations:
        series_key = ".".join(obs[d] for d in dimensions[:-1])
        cells = []
        for c in columns:
            value = obs.get(c, "")
            if value and (c in codes or c == "TIME_PERIOD"):
                value = f"{value}: {codes.get(c, {}).get(value, value)}"
            cells.append(value)
        key = f"{series_key}.{obs['TIME_PERIOD']}"
        writer.writerow(["dataflow", f"{FLOW}: {name}", "I", series_key, key, *cells])
    return "\ufeff" + buffer.getvalue()


def _component(component_id: str, values: list[str], position: int | None = None) -> dict:
    component: dict = {"id": component_id, "name": component_id}
    if position is not None:
        component["keyPosition"] = position
    component["values"] = [{"id": v, "name": v} for v in values]
    return component


def _distinct(observations: list[dict[str, str]], component_id: str) -> list[str]:
    return list(dict.fromkeys(o[component_id] for o in observations if component_id in o))


def write_json10(observations: list[dict[str, str]]) -> str:
    """SDMX-JSON 1.0, series layout: one-valued dimensions at data set level, series
    attributes on series, OBS_STATUS on observations (indices), OBS_VALUE as a number."""
    dimensions, attributes, _ = dsd_components()
    keyed = dimensions[:-1]
    fixed = [d for d in keyed if len(_distinct(observations, d)) == 1]
    varying = [d for d in keyed if d not in fixed]
    series_attributes = [a for a in _used(observations, attributes) if a != "OBS_STATUS"]
    times = _distinct(observations, "TIME_PERIOD")
    statuses = _distinct(observations, "OBS_STATUS")
    values = {c: _distinct(observations, c) for c in [*varying, *series_attributes]}
    series: dict[str, dict] = {}
    for obs in observations:
        key = ":".join(str(values[d].index(obs[d])) for d in varying)
        entry = series.setdefault(
            key,
            {
                "attributes": [values[a].index(obs[a]) for a in series_attributes],
                "observations": {},
            },
        )
        entry["observations"][str(times.index(obs["TIME_PERIOD"]))] = [
            int(obs["OBS_VALUE"]),
            statuses.index(obs["OBS_STATUS"]),
        ]
    message = {
        "meta": {"id": "IMDX-SMALL", "prepared": "2026-01-01T00:00:00Z", "sender": {"id": "IMDX"}},
        "data": {
            "structure": {
                "links": [{"rel": "dataflow", "urn": FLOW_URN}],
                "name": "International migrant stock",
                "dimensions": {
                    "dataSet": [
                        _component(d, _distinct(observations, d), keyed.index(d)) for d in fixed
                    ],
                    "series": [_component(d, values[d], keyed.index(d)) for d in varying],
                    "observation": [_component("TIME_PERIOD", times, len(keyed))],
                },
                "attributes": {
                    "dataSet": [],
                    "series": [
                        {**_component(a, values[a]), "relationship": {"dimensions": keyed}}
                        for a in series_attributes
                    ],
                    "observation": [
                        {
                            **_component("OBS_STATUS", statuses),
                            "relationship": {"primaryMeasure": "OBS_VALUE"},
                        }
                    ],
                },
            },
            "dataSets": [
                {
                    "links": [{"rel": "dataflow", "urn": FLOW_URN}],
                    "action": "Information",
                    "series": series,
                }
            ],
        },
    }
    return json.dumps(message, indent=1) + "\n"


def write_json20(observations: list[dict[str, str]]) -> str:
    """SDMX-JSON 2.0, flat (AllDimensions) layout: series attributes as dimensionGroup
    attributes on the key without TIME_PERIOD, OBS_STATUS by index, OBS_VALUE as text."""
    dimensions, attributes, _ = dsd_components()
    group_attributes = [a for a in _used(observations, attributes) if a != "OBS_STATUS"]
    values = {d: _distinct(observations, d) for d in dimensions}
    statuses = _distinct(observations, "OBS_STATUS")
    flat: dict[str, list] = {}
    groups: dict[str, list] = {}
    for obs in observations:
        indices = [str(values[d].index(obs[d])) for d in dimensions]
        flat[":".join(indices)] = [obs["OBS_VALUE"], statuses.index(obs["OBS_STATUS"])]
        groups[":".join([*indices[:-1], ""])] = [obs[a] for a in group_attributes]
    keyed = dimensions[:-1]
    structure = {
        "links": [
            {"rel": "dataflow", "urn": FLOW_URN},
            {"rel": "datastructure", "urn": DSD_URN},
        ],
        "name": "International migrant stock",
        "dimensions": {
            "dataSet": [],
            "series": [],
            "observation": [_component(d, values[d], i) for i, d in enumerate(dimensions)],
        },
        "measures": {"observation": [{"id": "OBS_VALUE", "name": "Observation value"}]},
        "attributes": {
            "dataSet": [],
            "dimensionGroup": [
                {"id": a, "name": a, "relationship": {"dimensions": keyed}}
                for a in group_attributes
            ],
            "series": [],
            "observation": [
                {**_component("OBS_STATUS", statuses), "relationship": {"observation": {}}}
            ],
        },
        "dataSets": [0],
    }
    message = {
        "meta": {"id": "IMDX-SMALL", "prepared": "2026-01-01T00:00:00Z", "sender": {"id": "IMDX"}},
        "data": {
            "structures": [structure],
            "dataSets": [
                {
                    "structure": 0,
                    "links": [{"rel": "dataflow", "urn": FLOW_URN}],
                    "action": "Information",
                    "dimensionGroupAttributes": groups,
                    "observations": flat,
                }
            ],
        },
    }
    return json.dumps(message, indent=1) + "\n"


WRITERS = {
    "small-csv10-21.csv": write_csv10,
    "small-csv20-21.csv": write_csv20,
    "small-csv20-labels-both-21.csv": write_csv20_labels_both,
    "small-json10-21.json": write_json10,
    "small-json20-21.json": write_json20,
}


def main() -> None:
    observations = read_demo_observations()
    SMALL.mkdir(parents=True, exist_ok=True)
    for name, writer in WRITERS.items():
        (SMALL / name).write_bytes(writer(observations).encode("utf-8"))


if __name__ == "__main__":
    main()
