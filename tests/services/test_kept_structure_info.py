"""StructureInfo kept in the store per structure generation: written by `init` and by the
loads that had to build it, read instead of parsing the structures, never a stale one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from sdmxnode.errors import LoadRejected
from sdmxnode.formats.rows import structure_info_from_json, structure_info_json
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.data.loading import LoadOptions, load_data
from sdmxnode.services.node import Node
from sdmxnode.services.providers.agreements import provider_in, provider_of
from sdmxnode.services.structures import models
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.services.structures.info import INFO, StructureInfoBuilder, keep_dataflow_infos
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.storage.structures import Derivation, keep_derivations
from sdmxnode.storage.tables import structure_derivations
from sdmxnode.storage.writing import writing
from tests.conftest import PROJECT_ROOT

STOCK = ArtefactRef("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
STOCK_NAME = "Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
SMALL = PROJECT_ROOT / "fixtures" / "data" / "small" / "small-structurespecific-21.xml"
TYPES = PROJECT_ROOT / "codelists" / "IMDX-CL_DATA_TYPE_IMS-1.0.0.xml"


def _forget_kept(node: Node) -> None:
    with node.store.engine.begin() as conn:
        conn.execute(delete(structure_derivations))


def _kept(node: Node) -> dict[str, int]:
    with node.store.engine.connect() as conn:
        rows = conn.execute(select(structure_derivations.c.ref, structure_derivations.c.generation))
        return {ref: generation for ref, generation in rows}


def _change_a_code_list(node: Node) -> None:
    changed = TYPES.read_bytes().replace(
        b"</str:Codelist>",
        b'<str:Code id="ZZ"><com:Name xml:lang="en">Test</com:Name></str:Code></str:Codelist>',
    )
    assert load_structures(node.store, changed).updated == 1


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a structure was parsed")

    monkeypatch.setattr(models, "parse_artefact", refuse)


def test_every_dataflows_info_reads_back_equal(structures_node: Node) -> None:
    _forget_kept(structures_node)
    builder = StructureInfoBuilder(structures_node.store, ModelCache())
    dataflows = structures_node.store.find_artefacts({"Dataflow"})
    assert len(dataflows) >= 20
    for artefact in dataflows:
        info = builder(artefact.ref)
        text = structure_info_json(info)
        assert structure_info_from_json(text) == info
        assert structure_info_json(structure_info_from_json(text)) == text
    assert {d.ref for d in builder.built} == {f"Dataflow={a.ref.identity}" for a in dataflows}


def test_init_keeps_each_dataflows_info_for_the_generation(structures_node: Node) -> None:
    generation = structures_node.store.generation()
    dataflows = structures_node.store.find_artefacts({"Dataflow"})
    assert _kept(structures_node) == {f"Dataflow={a.ref.identity}": generation for a in dataflows}
    assert keep_dataflow_infos(structures_node.store, ModelCache()) == 0  # idempotent


def test_a_load_reads_the_kept_info_and_parses_no_structure(
    structures_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    structures_node.cache = ModelCache()  # a new process: nothing parsed yet
    _no_parsing(monkeypatch)
    result = load_data(structures_node, SMALL, LoadOptions(source=SMALL.name))
    assert result.observations_written > 0


def test_a_load_keeps_the_info_it_built(structures_node: Node) -> None:
    _forget_kept(structures_node)
    structures_node.cache = ModelCache()
    load_data(structures_node, SMALL, LoadOptions(source=SMALL.name))
    generation = structures_node.store.generation()
    assert _kept(structures_node) == {STOCK_NAME: generation}
    kept = structures_node.store.derivation(INFO, STOCK_NAME, generation)
    assert kept is not None
    built = StructureInfoBuilder(structures_node.store, ModelCache())._info(STOCK)
    assert structure_info_from_json(kept) == built


def test_a_refused_load_keeps_nothing(structures_node: Node) -> None:
    _forget_kept(structures_node)
    bad = SMALL.read_bytes().replace(b'OBS_VALUE="', b'OBS_VALUE="x', 1)
    with pytest.raises(LoadRejected):
        load_data(structures_node, bad, LoadOptions(source="bad.xml"))
    assert _kept(structures_node) == {}


def test_an_info_built_before_a_structure_change_is_not_kept(structures_node: Node) -> None:
    _forget_kept(structures_node)
    builder = StructureInfoBuilder(structures_node.store, ModelCache())
    before = builder(STOCK)
    [derivation] = builder.built
    _change_a_code_list(structures_node)  # the generation moves on
    assert structures_node.store.keep_derivations(builder.built) == 0
    assert _kept(structures_node) == {}
    after = StructureInfoBuilder(structures_node.store, ModelCache())(STOCK)
    assert after != before and "ZZ" in (after.component("DATA_TYPE_IMS").codes or ())
    assert derivation.generation < structures_node.store.generation()


def test_an_older_generations_info_is_not_read(
    structures_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a structure change a new process builds the info anew (and parses), though
    the kept one of the generation before is still in the table."""
    _change_a_code_list(structures_node)
    assert STOCK_NAME in _kept(structures_node)
    info = StructureInfoBuilder(structures_node.store, ModelCache())(STOCK)
    component = info.component("DATA_TYPE_IMS")
    assert component is not None and "ZZ" in (component.codes or ())
    _no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed"):
        StructureInfoBuilder(structures_node.store, ModelCache())(
            ArtefactRef("Dataflow", "IMDX", "DF_MIG_FLOWS", "1.0.0")
        )


def test_keeping_never_waits_for_another_transaction_keeping_the_same(
    structures_node: Node, database_url: str
) -> None:
    """Two loads of one dataflow that both built its info: the second leaves it to the
    first, still open, instead of waiting for its row (PostgreSQL; SQLite has one writer)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one transaction write at a time: no two keep at once")
    engine = structures_node.store.engine
    generation = structures_node.store.generation()
    derivation = Derivation(INFO, STOCK_NAME, generation, "{}")
    other: list[int] = []
    with writing(engine) as first:
        assert keep_derivations(first, [derivation]) == 1

        def second() -> None:
            with writing(engine) as conn:
                other.append(keep_derivations(conn, [derivation]))

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive() and other == [0]
    with writing(engine) as conn:
        assert keep_derivations(conn, [derivation]) == 1  # the first one has committed


def test_the_agreements_provider_read_from_its_element_is_sdmx1s(structures_node: Node) -> None:
    agreements = structures_node.store.find_artefacts({"ProvisionAgreement"})
    assert agreements
    for artefact in agreements:
        xml = structures_node.store.read_one_xml(artefact)
        assert provider_in(xml, artefact.sdmx_ml) == provider_of(structures_node.model(artefact))
    element = (
        b'<str:ProvisionAgreement xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/'
        b'structure" id="PA" agencyID="IMDX" version="1.0"><str:DataProvider>urn:sdmx:org.sdmx.'
        b"infomodel.base.DataProvider=IMDX:DATA_PROVIDERS(1.0).UNHCR</str:DataProvider>"
        b"</str:ProvisionAgreement>"
    )
    assert provider_in(element, "3.0") == "IMDX:UNHCR"
    assert provider_in(b"<ProvisionAgreement/>", "2.1") is None


def test_sdmxnode_load_imports_no_information_model(structures_node: Node) -> None:
    """The command's process imports neither sdmx1 nor pandas (about 0.5 s of a load)."""
    script = (
        "import sys\n"
        "from sdmxnode.cli import main\n"
        f"sys.argv = ['sdmxnode', 'load', {str(SMALL)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('sdmx', 'pandas', 'numpy') if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "SDMXNODE_DATABASE_URL": structures_node.settings.database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    structures_node.store.engine.dispose()
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(PROJECT_ROOT),
    )
    assert done.returncode == 0, done.stderr
    assert "observations written" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_kept_info_holds_the_structures_of_its_generation_under_racing_changes(
    structures_node: Node,
) -> None:
    """Two actors, many rounds: one builds and keeps the stock dataflow's info while the
    other changes a code list it uses. After every round the info kept for the current
    generation, if any, is the one its structures give (never one built before a change)."""
    store = structures_node.store
    original = TYPES.read_bytes()
    changed = original.replace(
        b"</str:Codelist>",
        b'<str:Code id="ZZ"><com:Name xml:lang="en">Test</com:Name></str:Code></str:Codelist>',
    )
    rounds = 12
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def keeper() -> None:
        for _ in range(rounds):
            barrier.wait()
            try:
                builder = StructureInfoBuilder(store, ModelCache())
                builder(STOCK)
                store.keep_derivations(builder.built)
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)
            barrier.wait()

    def changer() -> None:
        for round_ in range(rounds):
            barrier.wait()
            time.sleep(round_ % 6 * 0.03)  # the change lands at another point of the build
            try:
                load_structures(store, changed if round_ % 2 == 0 else original)
            except BaseException as exc:
                failures.append(exc)
            barrier.wait()

    threads = [threading.Thread(target=keeper), threading.Thread(target=changer)]
    for thread in threads:
        thread.start()
    for _ in range(rounds):
        barrier.wait()  # the round runs
        barrier.wait()  # and is over
        generation = store.generation()
        kept = store.derivation(INFO, STOCK_NAME, generation)
        if kept is not None:
            fresh = StructureInfoBuilder(store, ModelCache())._info(STOCK)
            assert structure_info_from_json(kept) == fresh
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
