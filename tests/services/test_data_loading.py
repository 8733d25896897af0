"""Loading data end to end: the demo data, the small dataset in every format, rejected
messages that leave the store as it was, and hostile input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from sdmxnode.errors import Invalid, LoadRejected
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.services.setup import initialise_node
from tests.formats.small_data import DEMO, SMALL, dsd_components, read_demo_observations
from tests.services.store_dumps import Observation, dump_observations, dump_tables
from tests.validation.test_invalid_fixtures import EXPECTED, INVALID

FLOW = "IMDX:DF_MIG_STOCK_IMS(1.0.0)"
SMALL_FILES = sorted(p.name for p in SMALL.glob("small-*") if p.suffix != ".py")


def expected_observations(count: int | None = None) -> list[Observation]:
    """The demo message's observations in the dump's form, read with lxml alone: series
    attributes are the Series element's non-dimension attributes, observation attributes
    the Obs element's besides TIME_PERIOD and OBS_VALUE."""
    dimensions, _, _ = dsd_components()
    keyed = dimensions[:-1]  # without TIME_PERIOD
    found: list[Observation] = []
    series_count = 0
    for _, element in etree.iterparse(str(DEMO), events=("end",), tag="Series"):
        key = ".".join(element.get(d) for d in keyed)
        series_attributes = tuple(
            sorted((k, v) for k, v in element.attrib.items() if k not in keyed)
        )
        for obs in element.iterfind("Obs"):
            observation_attributes = tuple(
                sorted(
                    (k, v) for k, v in obs.attrib.items() if k not in ("TIME_PERIOD", "OBS_VALUE")
                )
            )
            found.append(
                (
                    key,
                    series_attributes,
                    obs.get("TIME_PERIOD"),
                    obs.get("OBS_VALUE"),
                    observation_attributes,
                )
            )
        series_count += 1
        element.clear()
        if series_count == count:
            break
    return sorted(found)


# -- the demo data ---------------------------------------------------------------------


def test_demo_data_loads_whole(structures_node: Node) -> None:
    result = load_data(structures_node, DEMO, LoadOptions(source=DEMO.name))
    assert result.report.errors == 0
    counts = result.counts[FLOW]
    assert (counts.series_written, counts.observations_written) == (798, 5538)
    assert counts.observations_deleted == 0
    stored = dump_observations(structures_node)
    assert list(stored) == [FLOW]
    assert len({row[0] for row in stored[FLOW]}) == 798
    assert stored[FLOW] == expected_observations()


def test_init_loads_the_demo_data_once(migration_app: Flask) -> None:
    node: Node = migration_app.extensions["sdmxnode"]
    assert node.data.count_all_observations() == 5538
    before = dump_tables(node.store.engine)
    initialise_node(node)
    assert dump_tables(node.store.engine) == before


# -- the small dataset in every format --------------------------------------------------


@pytest.fixture(scope="module")
def small_reference() -> list[Observation]:
    return expected_observations(3)


def test_small_dataset_is_the_first_three_demo_series(small_reference: list[Observation]) -> None:
    observations = read_demo_observations()
    assert len(small_reference) == len(observations) == 21
    assert {row[0] for row in small_reference} == {
        "A.1.STOCK.FB._T._T._T._T",
        "A.1.STOCK.FB._T.M._T._T",
        "A.1.STOCK.FB._T.F._T._T",
    }


@pytest.mark.parametrize("name", SMALL_FILES)
def test_small_dataset_loads_identically_from_every_format(
    name: str, structures_node: Node, small_reference: list[Observation]
) -> None:
    result = load_data(structures_node, SMALL / name, LoadOptions(source=name))
    assert result.report.findings == []
    assert result.counts[FLOW].observations_written == 21
    assert dump_observations(structures_node) == {FLOW: small_reference}


def test_every_small_format_is_covered() -> None:
    suffixes = {name.split("-", 1)[1] for name in SMALL_FILES}
    assert {
        "generic-21.xml",
        "generic-ts-21.xml",
        "structurespecific-21.xml",
        "structurespecific-ts-21.xml",
        "structurespecific-30.xml",
        "structurespecific-21.xml.gz",
        "structurespecific-21.zip",
        "csv10-21.csv",
        "csv20-21.csv",
        "csv20-labels-both-21.csv",
        "json10-21.json",
        "json20-21.json",
    } <= suffixes


# -- rejected messages leave the store as it was -----------------------------------------


@pytest.fixture
def demo_node(structures_node: Node) -> Node:
    """A fresh node holding the project's structures and the demo data."""
    load_data(structures_node, DEMO, LoadOptions(source=DEMO.name))
    return structures_node


#: Fixtures whose defect is one only for a series the store does not hold: an update of a
#: stored series need not repeat its mandatory series attributes.
NEW_SERIES_ONLY = {"missing-mandatory-attribute.xml"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_is_rejected_and_nothing_changes(
    name: str, request: pytest.FixtureRequest
) -> None:
    node: Node = request.getfixturevalue(
        "structures_node" if name in NEW_SERIES_ONLY else "demo_node"
    )
    before = dump_tables(node.store.engine)
    with pytest.raises(LoadRejected) as caught:
        load_data(node, INVALID / name, LoadOptions(source=name))
    findings = caught.value.report.findings
    located = [(f.code, f.line, f.series_key, f.period, f.component) for f in findings]
    assert located == [EXPECTED[name]]
    assert name in str(caught.value)
    assert dump_tables(node.store.engine) == before


def test_an_update_of_a_stored_series_keeps_its_mandatory_attributes(demo_node: Node) -> None:
    """The series of missing-mandatory-attribute.xml is in the demo data, with a REVISION:
    the message (action Information, loaded as an update) is stored and the value kept."""
    name = "missing-mandatory-attribute.xml"
    result = load_data(demo_node, INVALID / name, LoadOptions(source=name))
    assert result.report.errors == 0
    revisions = {dict(row[1]).get("REVISION") for row in dump_observations(demo_node)[FLOW]}
    assert None not in revisions


def test_a_valid_load_after_a_rejected_one_stores(demo_node: Node) -> None:
    """A rejected load leaves no open transaction or half-made record behind."""
    with pytest.raises(LoadRejected):
        load_data(demo_node, INVALID / "duplicate-observation.xml")
    result = load_data(demo_node, SMALL / "small-structurespecific-21.xml")
    assert result.counts[FLOW].observations_written == 21
    assert demo_node.data.count_loads() == 2
    assert demo_node.data.count_all_observations() == 5538


# -- hostile input -------------------------------------------------------------------------

_HEADER = (DEMO.read_bytes().split(b"<Series ", 1)[0]).decode()


def _with_doctype(doctype: str, body: str) -> bytes:
    declaration, rest = _HEADER.split("?>", 1)
    return (
        f"{declaration}?>\n{doctype}{rest}{body}</mes:DataSet></mes:StructureSpecificData>".encode()
    )


def _series(value: str) -> str:
    return (
        '<Series FREQ="A" REF_AREA="1" MEASURE="STOCK" COUNTRY_BIRTH="FB" CITIZENSHIP="_T" '
        'SEX="_T" AGE="_T" EDUCATION_LEV="_T" UNIT_MEASURE="PS" UNIT_MULT="0" '
        'REF_PERIOD_DETAIL="MID_YEAR" REVISION="IMS2019">'
        f'<Obs TIME_PERIOD="1990" OBS_VALUE="{value}" OBS_STATUS="E"/></Series>'
    )


SECRET = INVALID / "README.md"  # what an external entity would leak: "one defect per file"
XXE_DOCTYPE = f'<!DOCTYPE m [<!ENTITY xxe SYSTEM "{SECRET.as_uri()}">]>\n'
XXE_ATTRIBUTE = _with_doctype(XXE_DOCTYPE, _series("&xxe;"))
XXE_TEXT = _with_doctype(XXE_DOCTYPE, _series("1")).replace(
    b"<mes:Test>false</mes:Test>", b"<mes:Test>&xxe;</mes:Test>"
)
LAUGHS = _with_doctype(
    '<!DOCTYPE m [<!ENTITY a0 "lol">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    + "]>\n",
    _series("&a9;"),
)
EXTERNAL_DTD = _with_doctype(
    '<!DOCTYPE m SYSTEM "http://127.0.0.1:9/evil.dtd">\n', _series("153011473")
)


def _hostile_inputs() -> dict[str, tuple[bytes, int | None]]:
    """name -> (message, max_bytes for the load or None for the default)."""
    demo = DEMO.read_bytes()
    return {
        "xxe-attribute": (XXE_ATTRIBUTE, None),
        "xxe-text": (XXE_TEXT, None),
        "billion-laughs": (LAUGHS, None),
        "external-dtd": (EXTERNAL_DTD, None),
        "gzip-bomb": (gzip.compress(_HEADER.encode() + b" " * 20_000_000, mtime=0), 1_000_000),
        "gzip-bomb-blank": (gzip.compress(b" " * 20_000_000, mtime=0), 1_000_000),
        "truncated": (demo[: len(demo) // 2], None),
        "deep-nesting": (
            _HEADER.encode() + b"<Series>" * 5000 + b"</Series>" * 5000 + b"</mes:DataSet>",
            None,
        ),
        "bad-encoding": (demo[:2000] + b"\xff\xfe\xc3\x28" + demo[2000:], None),
    }


@pytest.mark.parametrize("name", sorted(_hostile_inputs()))
def test_hostile_input_is_refused_and_nothing_changes(name: str, demo_node: Node) -> None:
    data, limit = _hostile_inputs()[name]
    before = dump_tables(demo_node.store.engine)
    options = {} if limit is None else {"max_bytes": limit}
    with pytest.raises(Invalid) as caught:
        load_data(demo_node, data, LoadOptions(source=name, **options))
    assert dump_tables(demo_node.store.engine) == before
    text = str(caught.value)
    if isinstance(caught.value, LoadRejected):
        text = caught.value.report.to_text()
    assert text.strip()
    if name == "gzip-bomb":
        assert "1,000,000 bytes" in text
    if name.startswith("xxe"):
        assert "UNREADABLE" in text and ("DOCTYPE" in text or "external entity" in text)
        assert "one defect per file" not in text
    if name == "external-dtd":
        assert "UNREADABLE" in text and "DOCTYPE" in text
    if name == "billion-laughs":  # refused for its DOCTYPE, or by libxml2's expansion limit
        assert "UNREADABLE" in text and ("DOCTYPE" in text or "entity" in text)
        assert "lollollol" not in text


def test_gzip_within_the_limit_loads(structures_node: Node) -> None:
    data = (SMALL / "small-structurespecific-21.xml.gz").read_bytes()
    size = len(gzip.decompress(data))
    result = load_data(structures_node, data, LoadOptions(max_bytes=size))
    assert result.counts[FLOW].observations_written == 21
    with pytest.raises(Invalid, match="compression bomb"):
        load_data(structures_node, data, LoadOptions(max_bytes=size - 1))


def test_the_demo_file_path_and_its_bytes_load_alike(tmp_path: Path, structures_node: Node) -> None:
    copy = tmp_path / "copy.xml"
    copy.write_bytes((SMALL / "small-generic-21.xml").read_bytes())
    first = load_data(structures_node, copy)
    second = load_data(structures_node, copy.read_bytes())
    assert first.counts[FLOW].observations_written == second.counts[FLOW].observations_written
    assert len(dump_observations(structures_node)[FLOW]) == 21
