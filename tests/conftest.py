"""Shared fixtures: a fresh store per test (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from sdmxnode.app import create_app
from sdmxnode.storage.engine import create_store_engine
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
POSTGRES_URL = os.environ.get("SDMXNODE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The folder of real agency messages; tests using it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus is absent ({CORPUS}): real agency messages not available")
    return CORPUS


def fresh_database(folder: Path) -> str:
    """An empty database: PostgreSQL if SDMXNODE_TEST_DATABASE_URL is set, else SQLite."""
    if POSTGRES_URL:
        engine = create_store_engine(POSTGRES_URL)
        with engine.begin() as conn:
            metadata.drop_all(conn)
        engine.dispose()
        return POSTGRES_URL
    return f"sqlite:///{folder / 'node.db'}"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return fresh_database(tmp_path)


@pytest.fixture(scope="module")
def migration_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A node holding the project's own migration structures (dsd/, codelists/)."""
    url = fresh_database(tmp_path_factory.mktemp("migration"))
    application = create_app({"DATABASE_URL": url, "TESTING": True})
    application.extensions["sdmxnode"].initialise()
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
