"""The streaming SDMX-ML data reader: demo data, small fixtures, corpus messages, variants."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sdmx
from lxml import etree

from sdmxnode.errors import Invalid, NotFound
from sdmxnode.formats.input import read_data
from sdmxnode.formats.rows import (
    Component,
    DatasetRows,
    StructureInfo,
    StructureResolver,
)
from sdmxnode.formats.sdmxml.data.dataset import (
    DataSetContext,
    DataSetSyntax,
    read_dataset_rows,
)
from sdmxnode.formats.sdmxml.data.parse import ElementStream
from sdmxnode.formats.sdmxml.data.reader import read_sdmxml_data
from sdmxnode.refs import ArtefactRef

PROJECT = Path(__file__).resolve().parents[2]
DEMO = PROJECT / "fixtures" / "data" / "IMDX-DF_MIG_STOCK_IMS-1.0.0.xml"
SMALL = PROJECT / "fixtures" / "data" / "small"
#: The SDMX-ML variants (and their compressed copies); the CSV and JSON ones are compared
#: in their readers' tests and, all together, in the loading tests.
SMALL_FILES = sorted(p.name for p in SMALL.glob("small-*") if p.suffix in (".xml", ".gz", ".zip"))
CORPUS = PROJECT / ".." / "shared" / "corpus"
MES21 = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
FLOW = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")


def read_all(data: bytes | Path, resolve: StructureResolver) -> list[DatasetRows]:
    """Every data set with its rows materialised (in order, as the reader requires)."""
    found = []
    for dataset in read_data(data, resolve):
        dataset.rows = iter(list(dataset.rows))
        found.append(dataset)
    return found


def rows_of(data: bytes | Path, resolve: StructureResolver) -> list[tuple]:
    return [row for dataset in read_all(data, resolve) for row in dataset.rows]


def without_location(rows: list[tuple]) -> list[tuple]:
    return [row[:-1] for row in rows]


# --- the demo data -------------------------------------------------------------------------


def test_demo_reads_every_observation_as_lxml_sees_it(migration_resolver: StructureResolver):
    datasets = read_all(DEMO, migration_resolver)
    assert len(datasets) == 1
    dataset = datasets[0]
    assert dataset.structure_ref == FLOW
    assert dataset.columns == dataset.structure.columns
    assert dataset.action == "Information"
    rows = list(dataset.rows)
    assert len(rows) == 5538
    # Independently: the whole tree with lxml, series values + observation values by line.
    tree = etree.parse(str(DEMO))
    expected = []
    for series in tree.getroot().iter("Series"):
        for obs in series.iter("Obs"):
            values = {**series.attrib, **obs.attrib}
            expected.append((obs.sourceline, values))
    assert len(rows) == len(expected)
    columns = dataset.columns
    for row, (line, values) in zip(rows, expected, strict=True):
        assert row[-1] == line
        got = {c: v for c, v in zip(columns, row[:-1], strict=True) if v is not None}
        assert got == values


def test_demo_spot_value_world_1990(migration_resolver: StructureResolver):
    rows = rows_of(DEMO, migration_resolver)
    dataset = read_all(DEMO, migration_resolver)[0]
    col = {c: i for i, c in enumerate(dataset.columns)}
    world_1990 = [
        r
        for r in rows
        if r[col["REF_AREA"]] == "1" and r[col["SEX"]] == "_T" and r[col["TIME_PERIOD"]] == "1990"
    ]
    assert [r[col["OBS_VALUE"]] for r in world_1990] == ["153011473"]
    assert world_1990[0][col["UNIT_MEASURE"]] == "PS"  # series attribute repeated on the row


def test_rows_are_lazy_and_structure_resolved_when_data_set_starts(
    migration_resolver: StructureResolver,
):
    calls: list[ArtefactRef] = []

    def resolve(ref: ArtefactRef) -> StructureInfo:
        calls.append(ref)
        return migration_resolver(ref)

    stream = io.BytesIO((SMALL / "small-structurespecific-21.xml").read_bytes())
    datasets = read_sdmxml_data(stream, resolve)
    assert calls == []
    first = next(datasets)
    assert calls == [FLOW]
    assert next(first.rows)[first.columns.index("TIME_PERIOD")] == "1990"
    assert list(datasets) == []


# --- the small dataset in every variant ----------------------------------------------------


@pytest.mark.parametrize("name", SMALL_FILES)
def test_small_variants_give_identical_rows(name: str, migration_resolver: StructureResolver):
    reference = without_location(
        rows_of(SMALL / "small-structurespecific-21.xml", migration_resolver)
    )
    rows = rows_of(SMALL / name, migration_resolver)
    assert len(rows) == 21
    assert without_location(rows) == reference
    assert all(isinstance(row[-1], int) and row[-1] > 0 for row in rows)


def test_small_rows_agree_with_sdmx1(migration_resolver: StructureResolver):
    """sdmx1 (one object per observation) reads the same values from the generic fixtures.

    (Not from the structure-specific one: sdmx1 2.28 reading structure-specific data with
    `structure=` leaves process state behind that breaks later SDMX-ML 3.0 structure reads.)
    """
    dsd_message = sdmx.read_sdmx(PROJECT / "dsd" / "IMDX-DSD_MIG_STOCK-1.0.0.xml")
    dsd = dsd_message.structure["DSD_MIG_STOCK"]
    wanted = ("SEX", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "UNIT_MEASURE")
    for name in ("small-generic-21.xml", "small-generic-ts-21.xml"):
        dataset = read_all(SMALL / name, migration_resolver)[0]
        ours = sorted(
            tuple(dict(zip(dataset.columns, row, strict=False))[c] for c in wanted)
            for row in dataset.rows
        )
        theirs = []
        for obs in sdmx.read_sdmx(SMALL / name, structure=dsd).data[0].obs:
            key = {k: str(v.value) for k, v in obs.key.values.items()}
            attributes = {**obs.series_key.attrib, **obs.attached_attribute}
            theirs.append(
                (
                    key["SEX"],
                    key["TIME_PERIOD"],
                    str(obs.value),
                    str(attributes["OBS_STATUS"].value),
                    str(attributes["UNIT_MEASURE"].value),
                )
            )
        assert len(ours) == 21
        assert ours == sorted(theirs)


def test_several_data_sets_each_with_its_action(migration_resolver: StructureResolver):
    data = (SMALL / "small-structurespecific-21.xml").read_bytes()
    root = etree.fromstring(data)
    first = root.find(f"{{{MES21}}}DataSet")
    second = etree.fromstring(etree.tostring(first))
    second.set("action", "Delete")
    first.addnext(second)
    message = etree.tostring(root)
    datasets = read_sdmxml_data(io.BytesIO(message), migration_resolver)
    one = next(datasets)
    assert one.action == "Information"
    next(one.rows)  # consume one row only: the reader skips the rest
    two = next(datasets)
    assert two.action == "Delete"
    rows = list(two.rows)
    assert len(rows) == 21
    assert rows[0][-1] > root.find(f"{{{MES21}}}DataSet").sourceline
    assert list(datasets) == []


def test_flat_data_sets_read_like_series(migration_resolver: StructureResolver):
    """dimensionAtObservation=AllDimensions: every Obs carries its whole key."""
    reference = without_location(
        rows_of(SMALL / "small-structurespecific-21.xml", migration_resolver)
    )
    specific = etree.fromstring((SMALL / "small-structurespecific-21.xml").read_bytes())
    specific.find(f".//{{{MES21}}}Structure").set("dimensionAtObservation", "AllDimensions")
    dataset = specific.find(f"{{{MES21}}}DataSet")
    for series in list(dataset):
        for obs in series:
            flat = etree.SubElement(dataset, "Obs", {**series.attrib, **obs.attrib})
            assert flat is not None
        dataset.remove(series)
    assert without_location(rows_of(etree.tostring(specific), migration_resolver)) == reference

    generic = etree.fromstring((SMALL / "small-generic-21.xml").read_bytes())
    gen = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
    generic.find(f".//{{{MES21}}}Structure").set("dimensionAtObservation", "AllDimensions")
    dataset = generic.find(f"{{{MES21}}}DataSet")
    for series in list(dataset):
        key = series.find(f"{{{gen}}}SeriesKey")
        attributes = series.find(f"{{{gen}}}Attributes")
        for obs in series.findall(f"{{{gen}}}Obs"):
            obs_key = etree.Element(f"{{{gen}}}ObsKey")
            obs_key.extend(etree.fromstring(etree.tostring(v)) for v in key)
            time = obs.find(f"{{{gen}}}ObsDimension")
            etree.SubElement(obs_key, f"{{{gen}}}Value", id="TIME_PERIOD", value=time.get("value"))
            obs.replace(time, obs_key)
            obs_attributes = obs.find(f"{{{gen}}}Attributes")
            obs_attributes.extend(etree.fromstring(etree.tostring(v)) for v in attributes)
            dataset.append(obs)
        dataset.remove(series)
    rows = without_location(rows_of(etree.tostring(generic), migration_resolver))
    assert sorted(rows, key=repr) == sorted(reference, key=repr)


# --- groups, empty series, multiple measures, errors (on a small hand-made structure) -------


def _small_info(measures: tuple[str, ...] = ("OBS_VALUE",)) -> StructureInfo:
    return StructureInfo(
        dsd="T:DSD(1.0)",
        dataflow=None,
        dimensions=(Component("FREQ", "dimension"), Component("AREA", "dimension")),
        time_dimension=Component("TIME_PERIOD", "time"),
        measures=tuple(Component(m, "measure") for m in measures),
        attributes=(
            Component("TITLE", "attribute", attachment="group"),
            Component("UNIT", "attribute", attachment="series"),
            Component("OBS_STATUS", "attribute"),
            Component("NOTE", "attribute", attachment="dataset"),
        ),
    )


def _message(body: str, version: str = "2_1", root: str = "StructureSpecificData") -> bytes:
    v = version
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<m:{root} xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v{v}/message"
 xmlns:c="http://www.sdmx.org/resources/sdmxml/schemas/v{v}/common"
 xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v{v}/data/structurespecific"
 xmlns:g="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<m:Header><m:ID>T</m:ID><m:Test>true</m:Test><m:Prepared>2020-01-01T00:00:00</m:Prepared>
<m:Sender id="T"/>
<m:Structure structureID="S" dimensionAtObservation="TIME_PERIOD">
<c:Structure><Ref agencyID="T" id="DSD" version="1.0"/></c:Structure></m:Structure>
</m:Header>
{body}
</m:{root}>""".encode()


def _read(message: bytes, info: StructureInfo | None = None) -> tuple[list[DatasetRows], list]:
    structure = info or _small_info()
    datasets = read_all(message, lambda ref: structure)
    return datasets, [dict(zip(d.columns, r, strict=False)) for d in datasets for r in d.rows]


def test_groups_and_data_set_attributes_reach_their_rows():
    body = """<m:DataSet ss:structureRef="S" NOTE="n">
<Group xsi:type="x:G" AREA="FR" TITLE="France"/>
<Group xsi:type="x:G" AREA="DE" TITLE="Germany"/>
<Series FREQ="A" AREA="FR" UNIT="PS"><Obs TIME_PERIOD="2000" OBS_VALUE="1"/></Series>
<Series FREQ="A" AREA="IT" UNIT="PS"><Obs TIME_PERIOD="2000" OBS_VALUE="2"/></Series>
</m:DataSet>"""
    datasets, rows = _read(_message(body))
    assert datasets[0].dataset_attributes == {"NOTE": "n"}
    assert [(r["AREA"], r["TITLE"], r["NOTE"]) for r in rows] == [
        ("FR", "France", "n"),
        ("IT", None, "n"),
    ]


def test_series_without_observations_gives_a_row_only_with_attributes():
    body = """<m:DataSet ss:structureRef="S">
<Series FREQ="A" AREA="FR" UNIT="PS"/>
<Series FREQ="A" AREA="DE"/>
<Series FREQ="A" AREA="IT"><Obs TIME_PERIOD="2000" OBS_VALUE="2"/></Series>
</m:DataSet>"""
    _, rows = _read(_message(body))
    assert [(r["AREA"], r["UNIT"], r["TIME_PERIOD"], r["OBS_VALUE"]) for r in rows] == [
        ("FR", "PS", None, None),
        ("IT", None, "2000", "2"),
    ]


def test_sdmx30_multiple_measures_and_multi_valued_attributes():
    body = """<m:DataSet ss:structureRef="S" ss:action="Replace">
<Series FREQ="A" AREA="FR">
<Comp id="UNIT"><Value>PS</Value><Value>HH</Value></Comp>
<Obs TIME_PERIOD="2000" OBS_VALUE="1" OBS_COUNT="7"/>
<Obs TIME_PERIOD="2001" OBS_VALUE="2"><Comp id="OBS_STATUS"><Value>A</Value></Comp></Obs>
</Series></m:DataSet>"""
    message = _message(body, "3_0").replace(
        b'<c:Structure><Ref agencyID="T" id="DSD" version="1.0"/></c:Structure>',
        b"<c:Structure>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=T:DSD(1.0)"
        b"</c:Structure>",
    )
    datasets, rows = _read(message, _small_info(("OBS_VALUE", "OBS_COUNT")))
    assert datasets[0].structure_ref == ArtefactRef("DataStructure", "T", "DSD", "1.0")
    assert datasets[0].action == "Replace"
    assert [(r["OBS_VALUE"], r["OBS_COUNT"], r["UNIT"], r["OBS_STATUS"]) for r in rows] == [
        ("1", "7", "PS;HH", None),
        ("2", None, "PS;HH", "A"),
    ]


def test_generic_observation_dimension_and_value_ids():
    body = """<m:DataSet structureRef="S" action="Append" validFromDate="2020-01-01T00:00:00">
<g:Attributes><g:Value id="NOTE" value="n"/></g:Attributes>
<g:Series><g:SeriesKey><g:Value id="FREQ" value="A"/><g:Value id="AREA" value="FR"/>
</g:SeriesKey><g:Obs><g:ObsDimension id="TIME_PERIOD" value="2000"/>
<g:ObsValue value="1"/></g:Obs></g:Series></m:DataSet>"""
    datasets, rows = _read(_message(body, root="GenericData"))
    assert datasets[0].action == "Append"
    assert datasets[0].valid_from == "2020-01-01T00:00:00"
    assert [(r["TIME_PERIOD"], r["OBS_VALUE"], r["NOTE"]) for r in rows] == [("2000", "1", "n")]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            '<m:DataSet ss:structureRef="S"><Series FREQ="A" AREA="FR" BOGUS="1">'
            '<Obs TIME_PERIOD="2000"/></Series></m:DataSet>',
            ("BOGUS", "T:DSD(1.0)"),
        ),
        (
            '<m:DataSet ss:structureRef="OTHER"><Series FREQ="A" AREA="FR"/></m:DataSet>',
            ("OTHER", "S, S2"),
        ),
        ('<m:DataSet ss:structureRef="S" action="Upsert"></m:DataSet>', ("Upsert",)),
        (
            '<m:DataSet ss:structureRef="S"><Series FREQ="A" AREA="FR"><x>'
            '<Obs TIME_PERIOD="2000"/></x></Series></m:DataSet>',
            ("Obs is not where SDMX-ML allows it (inside x)",),
        ),
        (
            '<m:DataSet ss:structureRef="S"><x><Series FREQ="A" AREA="FR"/></x></m:DataSet>',
            ("Series is not where",),
        ),
    ],
)
def test_structure_errors_are_invalid_and_name_the_problem(body: str, words: tuple[str, ...]):
    message = _message(body).replace(  # a second header structure: no default to fall back on
        b"</m:Structure>",
        b'</m:Structure><m:Structure structureID="S2" dimensionAtObservation="TIME_PERIOD">'
        b'<c:Structure><Ref agencyID="T" id="DSD" version="2.0"/></c:Structure></m:Structure>',
    )
    with pytest.raises(Invalid) as caught:
        _read(message)
    for word in words:
        assert word in caught.value.message


def test_well_formedness_error_mid_stream_names_its_line(migration_resolver: StructureResolver):
    data = DEMO.read_bytes()
    cut = data[: len(data) // 2]
    cut_line = cut.count(b"\n") + 1
    seen = 0
    with pytest.raises(Invalid) as caught:
        for dataset in read_data(cut, migration_resolver):
            for _ in dataset.rows:
                seen += 1
    assert seen > 1000  # rows streamed before the error surfaced
    assert "not well-formed" in caught.value.message
    line = int(re.fullmatch(r"line (\d+)", caught.value.where or "")[1])
    assert cut_line - 2 <= line <= cut_line + 1


def test_read_dataset_rows_follows_the_syntax_it_is_given():
    """The loop both SDMX-ML readers share: observations start from their series' row, a
    series with attributes but no observation gives a row, other children of the data set
    go to `read_group`, and the data set's end ends its rows."""
    xml = b'<M><D><G AREA="FR"/><S AREA="FR"><O t="2000"/><O t="2001"/></S><S AREA="DE"/></D></M>'
    elements = ElementStream(io.BytesIO(xml), b"", ("D", "G", "S", "O"), "toy")
    first = elements.next_element()
    assert first is not None
    elements.push_back(first)
    context = DataSetContext("toy", _small_info(), first.getparent(), "TIME_PERIOD")
    groups: list[str | None] = []

    def read_series(context: DataSetContext, series: etree._Element) -> tuple[list, bool]:
        row = context.base.copy()
        row[context.index["AREA"]] = series.get("AREA")
        return row, series.get("AREA") == "DE"

    def obs_reader(context: DataSetContext):
        def read_obs(row: list, obs: etree._Element) -> None:
            row[context.index["TIME_PERIOD"]] = obs.get("t")

        return read_obs

    syntax = DataSetSyntax(
        "O", "S", obs_reader, read_series, lambda context, group: groups.append(group.get("AREA"))
    )
    rows = [
        dict(zip(context.structure.columns, row, strict=False))
        for row in read_dataset_rows(context, elements, syntax)
    ]
    assert [(r["AREA"], r["TIME_PERIOD"]) for r in rows] == [
        ("FR", "2000"),
        ("FR", "2001"),
        ("DE", None),
    ]
    assert groups == ["FR"]
    assert elements.next_element() is None


# --- the structure-specific reader (expat): what the lxml readers gave, kept ----------------


def test_sdmx30_comp_values_of_data_set_group_and_flat_observation():
    body = """<m:DataSet ss:structureRef="S">
<Comp id="NOTE"><Value><c:Text xml:lang="fr">n-fr</c:Text><c:Text xml:lang="en">n-en</c:Text>
</Value></Comp>
<Group AREA="FR"><Comp id="TITLE"><Value>France</Value></Comp></Group>
<Obs FREQ="A" AREA="FR" TIME_PERIOD="2000" OBS_VALUE="1"><Comp id="UNIT"><Value>PS</Value>
</Comp></Obs>
<Obs FREQ="A" AREA="DE" TIME_PERIOD="2000" OBS_VALUE="2"/>
</m:DataSet>"""
    message = _message(body, "3_0").replace(b'"TIME_PERIOD">', b'"AllDimensions">', 1)
    datasets, rows = _read(message)
    assert datasets[0].dataset_attributes == {"NOTE": "n-en"}
    assert [(r["AREA"], r["TITLE"], r["UNIT"], r["NOTE"]) for r in rows] == [
        ("FR", "France", "PS", "n-en"),
        ("DE", None, None, "n-en"),
    ]


#: Padding that puts what follows past the first 64 KiB, which lxml reads for the root
#: (`read_root`): there only expat reads it.
PAST_ROOT_CHUNK = f"<!--{' ' * 70_000}-->"


def _line_of(message: bytes, text: bytes) -> int:
    return message[: message.index(text)].count(b"\n") + 1


def test_rows_carry_the_line_of_their_start_tag():
    body = (
        '<m:DataSet ss:structureRef="S">\n<Series FREQ="A" AREA="FR" UNIT="PS">\n'
        '<Obs TIME_PERIOD="2000"\n OBS_VALUE="1"/>\n<Obs TIME_PERIOD="2001" OBS_VALUE="2"/>\n'
        '</Series>\n<Series FREQ="A" AREA="DE" UNIT="PS"/>\n</m:DataSet>'
    )
    message = _message(body)
    datasets = read_all(message, lambda ref: _small_info())
    assert [(row[2], row[-1]) for row in datasets[0].rows] == [
        ("2000", _line_of(message, b'<Obs TIME_PERIOD="2000"')),
        ("2001", _line_of(message, b'<Obs TIME_PERIOD="2001"')),
        (None, _line_of(message, b'<Series FREQ="A" AREA="DE"')),
    ]


@pytest.mark.parametrize("where", ["header", "body"])
def test_structure_specific_nesting_beyond_libxml2s_limit_is_refused(where: str):
    deep = PAST_ROOT_CHUNK + "<a>" * 300 + "</a>" * 300
    if where == "header":
        message = _message('<m:DataSet ss:structureRef="S"/>').replace(
            b"<m:ID>T</m:ID>", f"<m:ID>T</m:ID>{deep}".encode()
        )
    else:
        message = _message(
            f'<m:DataSet ss:structureRef="S"><Series FREQ="A">{deep}</Series></m:DataSet>'
        )
    with pytest.raises(Invalid, match="nested too deeply") as caught:
        _read(message)
    assert caught.value.where == f"line {_line_of(message, b'<a>')}"


def test_undeclared_entity_in_structure_specific_data_is_refused():
    message = _message(
        f'{PAST_ROOT_CHUNK}<m:DataSet ss:structureRef="S"><Series FREQ="A" AREA="&x;"/></m:DataSet>'
    )
    with pytest.raises(Invalid, match="not well-formed.*entity") as caught:
        _read(message)
    assert caught.value.where == f"line {_line_of(message, b'&x;')}"


def test_an_error_after_a_data_set_comes_after_its_rows():
    """A second data set whose structure the node lacks: the first one's rows all arrive,
    then the error, where the data sets are iterated (not inside the first one's rows)."""
    one = (
        '<m:DataSet ss:structureRef="S"><Series FREQ="A" AREA="FR"><Obs TIME_PERIOD="2000"/>'
        '<Obs TIME_PERIOD="2001"/></Series></m:DataSet>'
    )
    two = '<m:DataSet ss:structureRef="S2"><Series FREQ="A" AREA="DE"/></m:DataSet>'
    message = _message(one + two).replace(
        b"</m:Structure>",
        b'</m:Structure><m:Structure structureID="S2" dimensionAtObservation="TIME_PERIOD">'
        b'<c:Structure><Ref agencyID="T" id="MISSING" version="1.0"/></c:Structure>'
        b"</m:Structure>",
        1,
    )

    def resolve(ref: ArtefactRef) -> StructureInfo:
        if ref.id == "MISSING":
            raise NotFound(f"{ref} is not in the node")
        return _small_info()

    datasets = read_sdmxml_data(io.BytesIO(message), resolve)
    first = next(datasets)
    assert [row[2] for row in first.rows] == ["2000", "2001"]
    with pytest.raises(NotFound) as caught:
        next(datasets)
    declared = _line_of(message, b'structureID="S2"')
    assert caught.value.where == f"line {declared}"


def test_an_element_in_error_with_too_many_attributes_is_refused_at_once():
    """lxml takes time quadratic in the attributes of an element it makes: the reader
    refuses to describe one with more than MAX_ATTRIBUTES (200,000 took minutes)."""
    many = " ".join(f'a{i}="x"' for i in range(200_000))
    message = _message(f'<m:DataSet ss:structureRef="S"><Series FREQ="A" {many}/></m:DataSet>')
    with pytest.raises(Invalid, match="a Series element has more than 2000 attributes"):
        _read(message)


def test_a_stream_refused_mid_data_set_ends_its_rows_once():
    """The size limit met while a data set's rows are read: the rows before it arrive, the
    error is raised from the rows, and the data sets end there (it is not raised twice)."""
    series = "".join(
        f'<Series FREQ="A" AREA="A{i}"><Obs TIME_PERIOD="2000" OBS_VALUE="{i}"/></Series>\n'
        for i in range(5000)
    )
    message = _message(f'<m:DataSet ss:structureRef="S">{series}</m:DataSet>')
    assert len(message) > 200_000
    datasets = read_data(message, lambda ref: _small_info(), max_bytes=150_000)
    first = next(datasets)
    seen = 0
    with pytest.raises(Invalid, match="larger than 150,000 bytes"):
        for _ in first.rows:
            seen += 1
    assert seen > 1000
    assert list(datasets) == []


def test_an_encoding_expat_cannot_decode_is_refused_with_a_reason():
    """Shift_JIS (multi-byte, not UTF): libxml2 reads the root, expat cannot read on."""
    message = (
        _message('<m:DataSet ss:structureRef="S"><Series FREQ="A" AREA="日本"/></m:DataSet>')
        .decode()
        .replace('encoding="UTF-8"', 'encoding="Shift_JIS"')
        .encode("shift_jis")
    )
    with pytest.raises(Invalid, match="encoding this reader does not decode") as caught:
        _read(message)
    assert caught.value.where == "line 1"


def test_a_single_byte_encoding_is_read():
    message = (
        _message('<m:DataSet ss:structureRef="S"><Series FREQ="A" AREA="Réunion"/></m:DataSet>')
        .decode()
        .replace('encoding="UTF-8"', 'encoding="windows-1252"')
        .encode("windows-1252")
    )
    assert message.count("é".encode("windows-1252")) == 1
    _, rows = _read(message)
    assert rows == []  # a series without attributes or observations gives no row
    _, rows = _read(message.replace(b'AREA="R', b'UNIT="PS" AREA="R'))
    assert [r["AREA"] for r in rows] == ["Réunion"]
