"""Real agency structures load into the node and come back as the same artefacts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sdmx
from flask import Flask

from sdmxnode.errors import Invalid
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.services.structures.models import type_of
from tests.conftest import CORPUS_STRUCTURE_MESSAGES
from tests.web.conftest import assert_valid_structure

pytestmark = pytest.mark.corpus

STRUCTURE_FILES = [f"{name}.xml" for name in CORPUS_STRUCTURE_MESSAGES]
#: Real agency output that fails the official XSD, loaded with strict=False (logged).
NOT_SCHEMA_VALID = {"IMF_STA-DSD_BOP-v30.xml"}


def _artefacts(message) -> dict[tuple[str, str, str, str], object]:
    found = {}
    for obj in message.iter_objects():
        if obj.is_external_reference or obj.maintainer is None:
            continue
        found[(type_of(obj), obj.maintainer.id, obj.id, str(obj.version))] = obj
    return found


def _items(obj) -> dict[str, str]:
    items = getattr(obj, "items", None) or {}
    return {item_id: str(item.name) for item_id, item in items.items()}


@pytest.mark.parametrize("name", STRUCTURE_FILES)
def test_loaded_structures_come_back_equal(app: Flask, corpus: Path, name: str) -> None:
    store = app.extensions["sdmxnode"].store
    data = (corpus / name).read_bytes()
    load_structures(store, data, source=name, strict=name not in NOT_SCHEMA_VALID)
    response = app.test_client().get("/rest/structure/all/all/all")
    assert response.status_code == 200
    served = _artefacts(assert_valid_structure(response))
    original = _artefacts(sdmx.read_sdmx(io.BytesIO(data)))
    assert set(served) == set(original)
    for key, obj in original.items():
        copy = served[key]
        assert str(copy.name) == str(obj.name), key
        assert _items(copy) == _items(obj), key


def test_schema_invalid_message_is_refused_naming_the_element(app: Flask, corpus: Path) -> None:
    store = app.extensions["sdmxnode"].store
    with pytest.raises(Invalid) as caught:
        load_structures(store, (corpus / "BIS-gh-180.xml").read_bytes(), source="BIS-gh-180.xml")
    assert "Ref" in caught.value.text and "line 37" in caught.value.text
    assert store.count_artefacts() == 0


def test_imf_30_structure_is_refused_when_strict(app: Flask, corpus: Path) -> None:
    store = app.extensions["sdmxnode"].store
    with pytest.raises(Invalid, match="MetadataAttributeUsage"):
        load_structures(store, (corpus / "IMF_STA-DSD_BOP-v30.xml").read_bytes())
    assert store.count_artefacts() == 0
