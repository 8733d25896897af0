"""Settings: declared once, parsed once into a typed, frozen Settings."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from sdmxnode.config import (
    SETTINGS,
    Settings,
    load_settings,
    mask_passwords,
    read_setting_values,
)
from sdmxnode.errors import ConfigError


def test_every_setting_has_a_typed_field_and_every_field_a_setting() -> None:
    fields = {field.name for field in dataclasses.fields(Settings)}
    assert fields == {setting.field for setting in SETTINGS}


def test_defaults_are_typed() -> None:
    settings = load_settings(environ={})
    assert settings.max_request_bytes == 50 * 1024 * 1024
    assert settings.aggregate_tolerance == 0.001
    assert settings.node_name == "sdmxnode"
    assert [folder.name for folder in settings.demo_data] == ["data", "ims2017"]
    assert all(isinstance(folder, Path) for folder in settings.structure_dirs)
    assert len(settings.structure_dirs) == 2


def test_environment_texts_are_parsed_once() -> None:
    environ = {
        "SDMXNODE_MAX_URL_LENGTH": "120",
        "SDMXNODE_AGGREGATE_TOLERANCE": "0.5",
        "SDMXNODE_STRUCTURE_DIRS": f"one{os.pathsep}{os.pathsep}two",
        "SDMXNODE_DEMO_DATA": "demo",
    }
    settings = load_settings(environ=environ)
    assert settings.max_url_length == 120
    assert settings.aggregate_tolerance == 0.5
    assert settings.structure_dirs == (Path("one"), Path("two"))
    assert settings.demo_data == (Path("demo"),)


def test_overrides_take_texts_or_values_with_or_without_the_prefix() -> None:
    settings = load_settings(
        {"MAX_REQUEST_BYTES": 200, "SDMXNODE_REQUEST_TIMEOUT": "7", "TESTING": True},
        environ={"SDMXNODE_REQUEST_TIMEOUT": "1"},
    )
    assert settings.max_request_bytes == 200
    assert settings.request_timeout == 7
    assert load_settings({"STRUCTURE_DIRS": ""}, environ={}).structure_dirs == ()


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("SDMXNODE_HARVEST_RETRIES", "three", "SDMXNODE_HARVEST_RETRIES must be an integer"),
        ("SDMXNODE_AGGREGATE_TOLERANCE", "small", "must be a number"),
    ],
)
def test_a_wrong_environment_value_is_a_config_error(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_settings(environ={name: value})


def test_a_wrong_override_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SDMXNODE_MAX_REQUEST_BYTES must be an integer"):
        load_settings({"MAX_REQUEST_BYTES": 1.5}, environ={})
    with pytest.raises(ConfigError, match="SDMXNODE_AGGREGATE_TOLERANCE must be a number"):
        load_settings({"AGGREGATE_TOLERANCE": None}, environ={})


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.node_name = "other"  # type: ignore[misc]


def test_values_shown_keep_the_texts_of_paths() -> None:
    environ = {"SDMXNODE_STRUCTURE_DIRS": "./a/", "SDMXNODE_MAX_URL_LENGTH": "0010"}
    values = read_setting_values(environ=environ)
    assert values["STRUCTURE_DIRS"] == "./a/"
    assert values["MAX_URL_LENGTH"] == 10


@pytest.mark.parametrize(
    "text, shown",
    [
        ("postgresql+psycopg://user:pw@host/db", "postgresql+psycopg://user:***@host/db"),
        ("postgresql://user:p%40ss:w/rd@host:5432/db", "postgresql://user:***@host:5432/db"),
        ("postgresql://user@host/db", "postgresql://user@host/db"),
        ("postgresql://:pw@host/db", "postgresql://:***@host/db"),
        ("sqlite:///sdmxnode.db", "sqlite:///sdmxnode.db"),
        ("a=http://u:p@h/x;b=http://h2/y", "a=http://u:***@h/x;b=http://h2/y"),
        ("plain text: no URL", "plain text: no URL"),
    ],
)
def test_mask_passwords(text: str, shown: str) -> None:
    assert mask_passwords(text) == shown
