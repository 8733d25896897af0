"""Shared fixtures: a fresh store per test (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Integer, text

from sdmxnode.app import create_app
from sdmxnode.services.node import Node
from sdmxnode.services.setup import initialise_node
from sdmxnode.services.structures.cache import ModelCache
from sdmxnode.services.structures.info import StructureInfoBuilder
from sdmxnode.services.structures.loading import load_structure_files
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata as store_tables

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
BILATERAL_FLOWS = PROJECT_ROOT / "fixtures" / "checks" / "IMDX-DF_MIG_FLOWS-bilateral.csv"
CORPUS = SHARED / "corpus"
POSTGRES_URL = os.environ.get("SDMXNODE_TEST_DATABASE_URL")
#: The demo data of test nodes: the 2019 table only. The 2017 origin-by-destination data
#: (430,000 observations, fixtures/ims2017) would add seconds to every node the suite sets
#: up; tests/bilateral loads it into the nodes that need it. Child processes (`sdmxnode`
#: commands, live servers) inherit the setting.
DEMO_DATA_2019 = PROJECT_ROOT / "fixtures" / "data"
os.environ["SDMXNODE_DEMO_DATA"] = str(DEMO_DATA_2019)

#: The SDMX-ML structure messages of ../shared/corpus that sdmx1 reads (without ".xml").
CORPUS_STRUCTURE_MESSAGES = (
    "ECB-EXR-structure-full",
    "ECB-EXR-sg-structure-full",
    "ESTAT-demography-structure",
    "ESTAT-esms-structure",
    "IMF_RES-WEO-structure",
    "INSEE-CNA-2010-CONSO-SI-A17-structure",
    "INSEE-dataflow",
    "ISTAT-22_289-structure",
    "ISTAT-47_850-structure",
    "UNICEF-GLOBAL_DATAFLOW-structure",
    "WB-WDI-structure",
    "ILO-CL_ECO-parentsandsiblings",
    "ESTAT-CL_FREQ-v30",
    "ECB-EXR-v30-dsd",
    "IMF_STA-DSD_BOP-v30",
)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The folder of real agency messages; tests using it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus is absent ({CORPUS}): real agency messages not available")
    return CORPUS


_PG_SCHEMA_PREFIX = "sdmxnode_test_"
#: Schemas this session created (dropped at its end; other sessions' are left alone).
_created_schemas: list[str] = []


def fresh_database(folder: Path) -> str:
    """An empty database: PostgreSQL if SDMXNODE_TEST_DATABASE_URL is set, else SQLite.

    On PostgreSQL each call gets a schema of its own (through the connection's search_path),
    so that tests and module-wide fixtures never share tables.
    """
    if POSTGRES_URL:
        schema = f"{_PG_SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"
        engine = create_store_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        _created_schemas.append(schema)
        separator = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    return f"sqlite:///{folder / 'node.db'}"


#: Databases as `initialise_node` leaves them, one per set of init settings, made once per
#: test process (`initialise_from_template`).
_templates: dict[tuple[str, ...], str] = {}


def initialise_from_template(node: Node) -> None:
    """Bring `node`'s fresh database to what `initialise_node(node)` would leave in it (the
    structures, demo data and demo metadata its settings name) by copying a database this
    test process initialised once with the same settings: milliseconds instead of the
    seconds a load takes, which were most of the suite's set-up time. Tests whose subject is
    initialisation call `initialise_node` itself."""
    settings = node.settings
    init = {
        "STRUCTURE_DIRS": os.pathsep.join(str(d) for d in settings.structure_dirs),
        "DEMO_DATA": os.pathsep.join(str(d) for d in settings.demo_data),
        "DEMO_METADATA": str(settings.demo_metadata),
    }
    key = tuple(init.values())
    template = _templates.get(key)
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="sdmxnode-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = fresh_database(folder)
        application = create_app({"DATABASE_URL": template, "TESTING": True, **init})
        initialise_node(application.extensions["sdmxnode"])
        application.extensions["sdmxnode"].store.engine.dispose()
        _templates[key] = template
    node.store.engine.dispose()
    if POSTGRES_URL:
        _copy_postgres_schema(template, settings.database_url)
    else:
        source = sqlite3.connect(template.removeprefix("sqlite:///"))
        target = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"))
        source.backup(target)
        source.close()
        target.close()
    node.cache = ModelCache(settings.structure_cache_size)


def _schema_of(url: str) -> str:
    return url.rsplit("search_path%3D", 1)[1]


def _copy_postgres_schema(template: str, url: str) -> None:
    """Every row of the node's tables in the template's schema, copied into the schema of
    `url` (whose tables exist: the node created them), whose serial columns then continue
    after the copied rows."""
    source, target = _schema_of(template), _schema_of(url)
    engine = create_store_engine(url)
    tables = store_tables.sorted_tables
    with engine.begin() as conn:
        for table in reversed(tables):  # rows create_schema wrote (structure_state)
            conn.execute(text(f'DELETE FROM {target}."{table.name}"'))
        for table in tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            conn.execute(
                text(
                    f'INSERT INTO {target}."{table.name}" ({columns}) '
                    f'SELECT {columns} FROM {source}."{table.name}"'
                )
            )
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer):  # a serial's sequence, else NULL: no-op
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{target}.{table.name}', "
                            f"'{column.name}'), COALESCE(MAX(\"{column.name}\"), 0) + 1, false) "
                            f'FROM {target}."{table.name}"'
                        )
                    )
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _validate_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`sdmxnode validate` keeps its structure cache in a folder of the test session, not
    in the user's cache folder (child processes inherit it)."""
    previous = os.environ.get("SDMXNODE_VALIDATE_CACHE")
    os.environ["SDMXNODE_VALIDATE_CACHE"] = str(tmp_path_factory.mktemp("validate-cache"))
    yield
    if previous is None:
        os.environ.pop("SDMXNODE_VALIDATE_CACHE", None)
    else:
        os.environ["SDMXNODE_VALIDATE_CACHE"] = previous


@pytest.fixture(scope="session", autouse=True)
def _no_bulk_files() -> Iterator[None]:
    """Nodes of the suite keep no bulk downloads (SDMXNODE_BULK_DIR=off): the tests of the
    writers compare answers built in different ways, which a kept file would answer alike,
    and on PostgreSQL the files would land in the working folder. tests/web/
    test_rest_data_bulk.py turns them on, in a folder of its own (child processes inherit the
    setting)."""
    previous = os.environ.get("SDMXNODE_BULK_DIR")
    os.environ["SDMXNODE_BULK_DIR"] = "off"
    yield
    if previous is None:
        os.environ.pop("SDMXNODE_BULK_DIR", None)
    else:
        os.environ["SDMXNODE_BULK_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schemas() -> Iterator[None]:
    """Drop the schemas this session made, unless SDMXNODE_TEST_KEEP_SCHEMAS=1 says that the
    database is thrown away whole (`.ci/run` makes it afresh each run): the drops took each
    test process 20 to 70 s at its end."""
    yield
    if os.environ.get("SDMXNODE_TEST_KEEP_SCHEMAS") == "1":
        return
    if POSTGRES_URL and _created_schemas:
        engine = create_store_engine(POSTGRES_URL)
        # One transaction per schema: dropping hundreds at once exhausts the lock table
        # (max_locks_per_transaction), and a concurrent session's schemas are not ours.
        for schema in _created_schemas:
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return fresh_database(tmp_path)


@pytest.fixture(scope="module")
def migration_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A node holding the project's own migration structures (dsd/, codelists/)."""
    url = fresh_database(tmp_path_factory.mktemp("migration"))
    application = create_app({"DATABASE_URL": url, "TESTING": True})
    initialise_from_template(application.extensions["sdmxnode"])
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def migration_client(migration_app: Flask) -> FlaskClient:
    return migration_app.test_client()


@pytest.fixture
def store(database_url: str) -> Iterator[StructureStore]:
    engine = create_store_engine(database_url)
    structure_store = StructureStore(engine)
    structure_store.create_schema()
    yield structure_store
    engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """A node on a fresh database with no structures loaded."""
    application = create_app({"DATABASE_URL": database_url, "STRUCTURE_DIRS": "", "TESTING": True})
    yield application
    application.extensions["sdmxnode"].store.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def resolver_for(database_folder: Path, *structure_files: Path) -> StructureInfoBuilder:
    """A StructureResolver over a fresh store holding the given structure messages
    (strictly schema-valid ones; use it for corpus files and the project's own)."""
    store = StructureStore(create_store_engine(fresh_database(database_folder)))
    store.create_schema()
    load_structure_files(store, list(structure_files))
    return StructureInfoBuilder(store, ModelCache())


@pytest.fixture(scope="module")
def migration_resolver(migration_app: Flask) -> StructureInfoBuilder:
    """Resolves ArtefactRefs against the project's own migration structures."""
    node = migration_app.extensions["sdmxnode"]
    return StructureInfoBuilder(node.store, node.cache)


def bilateral_app(database_url: str) -> Flask:
    """A node on `database_url` holding the project's structures, the demo data and the
    bilateral flows of fixtures/checks/ (for the mirror check and its page)."""
    from sdmxnode.services.data.loading import LoadOptions, load_data

    application = create_app({"DATABASE_URL": database_url, "TESTING": True})
    node = application.extensions["sdmxnode"]
    initialise_from_template(node)
    load_data(node, BILATERAL_FLOWS, LoadOptions(source=BILATERAL_FLOWS.name))
    return application


#: Test modules whose subject does not depend on the database engine (format readers and
#: writers, which never import storage; clients and browsers reading answers; the OpenAPI
#: property tests; hostile HTTP input, slow clients and the proxy): on the PostgreSQL run of
#: CI they are skipped, having run on SQLite, so that the suite's second pass spends its
#: time where the engines differ.
ENGINE_INDEPENDENT = (
    "tests/formats/",
    # The REST grammar (no store), and validation rules and the validate command, whose
    # subject is the message, not the engine (`sdmxnode validate` opens no database at all;
    # loads refused by validation and the length limits run on both engines).
    "tests/rest/",
    "tests/test_cli_validate.py",
    "tests/test_cli_validate_corpus.py",
    "tests/validation/test_attribute_consistency.py",
    "tests/validation/test_cascades.py",
    "tests/validation/test_invalid_fixtures.py",
    "tests/validation/test_message_kinds.py",
    "tests/validation/test_mutations.py",
    "tests/validation/test_periods.py",
    "tests/validation/test_report.py",
    "tests/validation/test_rules.py",
    "tests/validation/test_schema.py",
    "tests/validation/test_unknown_columns.py",
    "tests/validation/test_unsupported_messages.py",
    "tests/web/test_schemathesis.py",
    # The pages' interface in the six languages: catalogues, templates and scripts, whose
    # nodes (demo, bilateral, maps) each take seconds to build on PostgreSQL; the pages they
    # render read the store in the page tests (code list, comparability, mirror, origins,
    # exchange pages), and localised structure names in test_rest_languages, on both engines.
    "tests/pages/test_translations.py",
    "tests/pages/test_translations_exchange.py",
    "tests/pages/test_translations_figures.py",
    "tests/pages/test_translations_scripts.py",
    "tests/live/test_interop_clients.py",
    "tests/live/test_pages_browser.py",
    "tests/live/test_mirror_browser.py",
    # HTTP parsing, limits and proxies in front of the node: the engine is not their subject
    # (the length limits and store failures have their own tests on both engines).
    "tests/live/test_hostile_inputs.py",
    "tests/live/test_reverse_proxy.py",
    "tests/live/test_sdmx1_client.py",
    "tests/web/test_slow_clients.py",
)


#: Test modules that start servers, race actors or time slow clients: under pytest-xdist they
#: share one worker and run one after another, as in a single process, so that they never
#: compete with each other for the machine's cores.
ONE_AT_A_TIME = ("tests/live/", "tests/web/test_slow_clients.py")


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Hand pytest-xdist's workers whole modules, and every ONE_AT_A_TIME module to one
    worker, in turn.

    A module stays on one worker, so that its module-scoped fixtures (a node set up with the
    demo data, seconds each) are built once. `--dist loadgroup` with `xdist_group` marks
    did this until pytest 9, whose test ids no longer take the group suffix pytest-xdist
    3.8 appends: every module's tests were then spread over both workers, building its
    fixtures twice, and the live tests ran beside each other.
    """
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "one-at-a-time" if path.startswith(ONE_AT_A_TIME) else path

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, skip the engine-independent modules (they ran on SQLite)."""
    if not POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="engine-independent: runs once, on the SQLite pass")
    for item in items:
        path = Path(str(item.fspath)).resolve().relative_to(PROJECT_ROOT).as_posix()
        if path.startswith(ENGINE_INDEPENDENT):
            item.add_marker(skip)
