"""sdmx1's Client, pysdmx's readers and pandasdmx take the data from a live node, in every
data format each reads, and get the observations the node was loaded with."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import sdmx
import sdmx.reader.xml.v30  # noqa: F401

# sdmx1 2.28 builds its SDMX-ML 3.0 reader, at import, from a copy of the 2.1 reader's
# parsers; reading 2.1 structure-specific data first adds a dataset-namespace entry that the
# copy cannot map (ValueError). Importing it at collection, before any test reads, avoids it.
from pysdmx.io import get_datasets

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.live

DEMO = PROJECT_ROOT / "fixtures" / "data"
#: Data formats sdmx1's Client reads, as `Accept` values.
#: The demo's latest period only, to keep the test short.
RECENT = {"startPeriod": "2019"}
#: sdmx1 2.28's JSON reader reads the SDMX-JSON 1.0 draft layout (`header`/`structure`), which
#: the node serves for sdmx1's media type for it; it does not read SDMX-JSON 1.0 as the field
#: guide defines it (`meta`/`data`), nor SDMX-JSON 2.0 data (TypeError in its reader). Its CSV
#: reader does not read SDMX-CSV 1.0 (it wants `STRUCTURE`), and its SDMX-CSV 2.0 reader fails
#: without a format hint the Client does not pass.
SDMX1_FORMATS = (
    "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "application/vnd.sdmx.genericdata+xml;version=2.1",
    "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1",
    "application/vnd.sdmx.generictimeseriesdata+xml;version=2.1",
    "application/vnd.sdmx.data+xml;version=3.0.0",
    "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0",
)
#: pysdmx's data readers, each with the URL of the API line that serves it.
PYSDMX_FORMATS = (
    ("rest", "csvdata"),
    ("rest", "structurespecificdata"),
    ("rest", "genericdata"),
    ("rest", "structurespecifictimeseriesdata"),
    ("rest", "generictimeseriesdata"),
    ("v2", "csvdata-2.0"),
    ("v2", "data-3.0"),
)


def _loaded(dsd) -> dict[tuple[str, str], float]:  # type: ignore[no-untyped-def]
    """(series key, period) -> value of every demo file, as sdmx1 reads the files."""
    values: dict[tuple[str, str], float] = {}
    for path in sorted(DEMO.glob("*.xml")):
        message = sdmx.read_sdmx(path, structure=dsd)
        values.update(_by_key(sdmx.to_pandas(message.data[0]), dsd))
    return values


def _by_key(series: pd.Series, dsd) -> dict[tuple[str, str], float]:  # type: ignore[no-untyped-def]
    frame = series.reset_index()
    dims = [d.id for d in dsd.dimensions if d.id != "TIME_PERIOD"]
    return {
        (".".join(str(row[d]) for d in dims), str(row["TIME_PERIOD"])): float(row["value"])
        for _, row in frame.iterrows()
    }


def test_sdmx1_and_pysdmx_read_every_dataflow_with_data(live_node_with) -> None:
    node = live_node_with()
    source_id = "SDMXNODE_INTEROP"
    sdmx.add_source({"id": source_id, "name": "sdmxnode", "url": f"{node.url}/rest"}, override=True)
    try:
        client = sdmx.Client(source_id)
        flows = client.dataflow(agency_id="all").dataflow
        with_data = []
        recent: dict[tuple[str, str], float] = {}
        for flow_id, flow in flows.items():
            dsd_id = flow.structure.id
            dsd = client.datastructure(
                dsd_id, agency_id=flow.structure.maintainer.id, params={"references": "all"}
            ).structure[dsd_id]
            for accept in SDMX1_FORMATS:
                try:
                    message = client.data(
                        flow_id, dsd=dsd, headers={"Accept": accept}, params=RECENT
                    )
                except Exception as exc:  # noqa: BLE001 (sdmx1 raises HTTPError for 404)
                    if "404" in str(exc) or "No Results" in str(exc):
                        break
                    raise
                if (flow_id, dsd) not in with_data:
                    with_data.append((flow_id, dsd))
                recent = recent or {
                    k: v for k, v in _loaded(dsd).items() if k[1] >= RECENT["startPeriod"]
                }
                assert _by_key(sdmx.to_pandas(message.data[0]), dsd) == recent, accept
        assert {flow_id for flow_id, _ in with_data} == {"DF_MIG_STOCK_IMS"}
    finally:
        sdmx.source.sources.pop(source_id, None)

    flow_id, dsd = with_data[0]
    structure = f"{node.url}/rest/dataflow/IMDX/{flow_id}/latest?references=all"
    for api, fmt in PYSDMX_FORMATS:
        if api == "rest":
            data = f"{node.url}/rest/data/IMDX,{flow_id}/all?format={fmt}&startPeriod=2019"
        else:
            data = (
                f"{node.url}/rest/v2/data/dataflow/IMDX/{flow_id}/~/*"
                f"?c%5BTIME_PERIOD%5D=ge:2019&format={fmt}"
            )
        [dataset] = get_datasets(data, structure)
        frame = dataset.data
        dims = [d.id for d in dsd.dimensions if d.id != "TIME_PERIOD"]
        got = {
            (".".join(str(r[d]) for d in dims), str(r["TIME_PERIOD"])): float(r["OBS_VALUE"])
            for _, r in frame.iterrows()
        }
        assert got == recent, fmt


#: What pandasdmx 1.10 reads: SDMX-ML 2.1 data in all four layouts and the SDMX-JSON 1.0
#: draft layout (its JSON reader is sdmx1's ancestor).
PANDASDMX_FORMATS = (
    "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "application/vnd.sdmx.genericdata+xml;version=2.1",
    "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1",
    "application/vnd.sdmx.generictimeseriesdata+xml;version=2.1",
    "application/vnd.sdmx.draft-sdmx-json+json;version=1.0.0",
)
PANDASDMX = "pandasdmx==1.10.0"


@pytest.fixture(scope="module")
def pandasdmx_python() -> Path:
    """An interpreter with pandasdmx, in a virtual environment of its own (pandasdmx needs
    pydantic 1; pysdmx and the OpenAPI validator need pydantic 2), built once per machine
    under the temporary folder; the test skips, saying why, when it cannot be installed."""
    folder = Path(tempfile.gettempdir()) / f"sdmxnode-{PANDASDMX.replace('==', '-')}"
    python = folder / "bin" / "python"
    if not python.exists():
        try:
            subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", PANDASDMX],
                check=True,
                timeout=900,
                capture_output=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(f"{PANDASDMX} could not be installed in its own environment: {exc}")
    return python


def test_pandasdmx_reads_every_format_it_knows(live_node_with, pandasdmx_python: Path) -> None:
    node = live_node_with()
    result = subprocess.run(
        [str(pandasdmx_python), str(Path(__file__).with_name("pandasdmx_reader.py")), node.url]
        + list(PANDASDMX_FORMATS),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    read = json.loads(result.stdout)
    [dsd] = sdmx.read_sdmx(PROJECT_ROOT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml").structure.values()
    assert read["dimensions"] == [d.id for d in dsd.dimensions if d.id != "TIME_PERIOD"]
    expected = {
        f"{key}|{period}": value
        for (key, period), value in _loaded(dsd).items()
        if period >= "2019" and key.split(".")[1] in {"FRA", "KEN"}
    }
    assert len(expected) == 6
    for accept in PANDASDMX_FORMATS:
        assert read[accept] == expected, accept
