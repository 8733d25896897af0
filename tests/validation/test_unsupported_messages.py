"""Messages outside what the node reads, named in plain words: SDMX-ML of another version
(2.0, 1.0), and structure-specific data typed in a namespace of the sender's own (the IMF's
`http://dataservices.imf.org/compact/...`), which is UNKNOWN_STRUCTURE naming the structure
of the header rather than XSD errors about abstract types. The messages are synthetic (the
corpus holds neither kind)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from sdmxnode.cli import main
from sdmxnode.errors import Invalid
from sdmxnode.formats.sdmxml import NAMESPACES
from sdmxnode.services.access import create_token
from sdmxnode.services.structures.loading import read_structure_records
from sdmxnode.validation.schema import validate_schema
from tests.conftest import PROJECT_ROOT

SMALL_TS = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-structurespecific-ts-21.xml"
OUR_NAMESPACE = (
    "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
    ":ObsLevelDim:TIME_PERIOD"
)


def _sdmx_ml(version: str, root: str, body: str) -> bytes:
    """A message of SDMX-ML 1.0 / 2.0 as agencies sent them (default namespace, the
    capitalised `SDMX.org/.../SDMXML` URIs of those versions)."""
    folder = version.replace(".", "_")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v{folder}/message"'
        ' xmlns:ns="urn:sdmx:org.sdmx.infomodel.keyfamily.KeyFamily=IMDX:DSD_MIG_STOCK:compact">\n'
        "  <Header><ID>X</ID><Test>false</Test><Prepared>2026-01-01T00:00:00</Prepared>"
        '<Sender id="IMDX"/></Header>\n'
        f"  {body}\n"
        f"</{root}>\n"
    ).encode()


ML20_DATA = _sdmx_ml(
    "2.0",
    "CompactData",
    '<ns:DataSet><ns:Series FREQ="A" REF_AREA="FRA"><ns:Obs TIME_PERIOD="2019" OBS_VALUE="1"/>'
    "</ns:Series></ns:DataSet>",
)
ML20_GENERIC = _sdmx_ml("2.0", "GenericData", "<DataSet/>")
ML10_DATA = _sdmx_ml("1.0", "CompactData", "<ns:DataSet/>")
ML20_STRUCTURE = _sdmx_ml(
    "2.0", "Structure", '<CodeLists><CodeList id="CL_X" agencyID="IMDX"/></CodeLists>'
)

IMF_COMPACT = b"""<?xml version="1.0" encoding="utf-8"?>
<message:StructureSpecificTimeSeriesData
    xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
    xmlns:ns1="http://dataservices.imf.org/compact/IFS"
    xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
    xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <message:Header>
    <message:ID>IFS</message:ID>
    <message:Test>false</message:Test>
    <message:Prepared>2020-01-01T00:00:00</message:Prepared>
    <message:Sender id="1C0"/>
    <message:Structure structureID="IMF_IFS_1_0" namespace="http://dataservices.imf.org/compact/IFS"
        dimensionAtObservation="TIME_PERIOD">
      <common:Structure><Ref agencyID="IMF" id="IFS" version="1.0"/></common:Structure>
    </message:Structure>
  </message:Header>
  <message:DataSet ss:structureRef="IMF_IFS_1_0" xsi:type="ns1:DataSetType">
    <Series FREQ="A" REF_AREA="GB" INDICATOR="PMP_IX" UNIT_MULT="0" TIME_FORMAT="P1Y">
      <Obs TIME_PERIOD="2010" OBS_VALUE="96.77"/>
    </Series>
  </message:DataSet>
</message:StructureSpecificTimeSeriesData>
"""


def _supported_named(message: str) -> bool:
    """Whether every version the node reads is named after 'send SDMX-ML'."""
    wanted = message.split("send SDMX-ML ", 1)[1].replace(",", " ").split()
    return set(NAMESPACES) <= set(wanted)


# --- other SDMX-ML versions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "version"),
    [(ML20_DATA, "2.0"), (ML20_GENERIC, "2.0"), (ML10_DATA, "1.0"), (ML20_STRUCTURE, "2.0")],
)
def test_schema_check_names_the_unsupported_version(data: bytes, version: str) -> None:
    (finding,) = validate_schema(data, "sdmx-ml")
    assert finding.code == "SCHEMA"
    assert finding.message.startswith(f"SDMX-ML {version} is not supported: send SDMX-ML ")
    assert _supported_named(finding.message)
    assert "namespace" not in finding.message


def test_the_message_is_the_one_the_issue_asks_for() -> None:
    (finding,) = validate_schema(ML20_DATA, "sdmx-ml")
    if set(NAMESPACES) == {"2.1", "3.0"}:
        assert finding.message == "SDMX-ML 2.0 is not supported: send SDMX-ML 2.1 or 3.0"


def test_a_structure_message_of_20_is_refused_in_the_same_words() -> None:
    with pytest.raises(Invalid) as caught:
        read_structure_records(ML20_STRUCTURE, source="cl.xml")
    assert caught.value.message.startswith("SDMX-ML 2.0 is not supported: send SDMX-ML ")


def test_xml_of_no_sdmx_version_still_names_its_root_and_namespace() -> None:
    (finding,) = validate_schema(b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "sdmx-ml")
    assert finding.code == "SCHEMA"
    assert "'feed'" in finding.message and "http://www.w3.org/2005/Atom" in finding.message


def test_post_validate_names_the_version(migration_client: FlaskClient) -> None:
    response = migration_client.post(
        "/validate", data=ML20_DATA, headers={"Content-Type": "application/xml"}
    )
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    (finding,) = response.get_json()["findings"]
    assert finding["message"].startswith("SDMX-ML 2.0 is not supported: send SDMX-ML 2.1")


def test_data_submission_names_the_version(migration_app) -> None:
    node = migration_app.extensions["sdmxnode"]
    token = create_token(node, role="admin")
    response = migration_app.test_client().post(
        "/rest/v2/data/dataflow/IMDX/DF_MIG_STOCK_IMS/1.0.0",
        data=ML20_DATA,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
    )
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    (finding,) = response.get_json()["findings"]
    assert finding["message"].startswith("SDMX-ML 2.0 is not supported: send SDMX-ML 2.1")


def test_cli_validate_and_load_name_the_version(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = tmp_path / "compact20.xml"
    message.write_bytes(ML20_DATA)
    monkeypatch.setenv("SDMXNODE_DATABASE_URL", database_url)
    monkeypatch.setenv("SDMXNODE_DEMO_DATA", "")
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(message)])
    assert validated.exit_code == 1
    assert "SDMX-ML 2.0 is not supported: send SDMX-ML 2.1" in validated.output
    assert runner.invoke(main, ["init"]).exit_code == 0
    loaded = runner.invoke(main, ["load", str(message)])
    assert loaded.exit_code == 1
    assert "SDMX-ML 2.0 is not supported: send SDMX-ML 2.1" in loaded.output


# --- structure-specific data typed in a namespace of the sender's own -----------------


def test_foreign_dataset_type_is_no_schema_error() -> None:
    assert validate_schema(IMF_COMPACT, "sdmx-ml") == []


def test_foreign_dataset_type_envelope_errors_are_still_reported() -> None:
    broken = IMF_COMPACT.replace(b"<message:Test>false", b"<message:Test>maybe")
    findings = validate_schema(broken, "sdmx-ml")
    assert [f.code for f in findings] == ["SCHEMA"]
    assert "maybe" in findings[0].message


def test_official_abstract_dataset_type_stays_a_schema_error() -> None:
    """`ss:DataSetType` is the abstract type of the official XSD, not a DSD-specific one."""
    typed = IMF_COMPACT.replace(b'xsi:type="ns1:DataSetType"', b'xsi:type="ss:DataSetType"')
    findings = validate_schema(typed, "sdmx-ml")
    assert findings and all(f.code == "SCHEMA" for f in findings)
    assert any("abstract" in f.message for f in findings)


def test_imf_compact_message_is_unknown_structure_naming_its_header_structure(
    migration_client: FlaskClient,
) -> None:
    response = migration_client.post(
        "/validate", data=IMF_COMPACT, headers={"Content-Type": "application/xml"}
    )
    assert response.status_code == 422
    findings = response.get_json()["findings"]
    assert [f["code"] for f in findings] == ["UNKNOWN_STRUCTURE"]
    assert "IMF:IFS(1.0)" in findings[0]["message"]


def test_a_known_structure_in_a_foreign_namespace_is_read(migration_client: FlaskClient) -> None:
    """The header's `namespace` says where the DSD-specific types live; any namespace will
    do when the structure it references is one the node holds."""
    foreign = SMALL_TS.read_bytes().replace(
        OUR_NAMESPACE.encode(), b"http://dataservices.example.org/compact/DF_MIG_STOCK_IMS"
    )
    assert OUR_NAMESPACE.encode() not in foreign
    response = migration_client.post(
        "/validate", data=foreign, headers={"Content-Type": "application/xml"}
    )
    assert response.status_code == 200, response.get_json()["findings"]
    assert response.get_json()["observations"] == 21
