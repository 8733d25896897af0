"""What a page reads from the store once the node has served it before.

Every page's language menu lists the languages the node's structures carry; reading and
parsing some 70 dataflows, code lists and schemes per page was the pages' largest fixed
cost. Parsed artefacts and the derived list are kept until the artefacts change, and a
kept artefact costs no read of its stored text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures
from tests.conftest import PROJECT_ROOT

PAGES = ("/", "/dataflow/IMDX/DF_MIG_STOCK_IMS", "/codelist/IMDX/CL_AREA")


def counting_reads(node: Node, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The artefacts whose stored text is read from now on."""
    read: list[Any] = []
    original: Callable[[Any], bytes] = node.store.read_one_xml

    def read_one_xml(artefact: Any) -> bytes:
        read.append(artefact.ref)
        return original(artefact)

    monkeypatch.setattr(node.store, "read_one_xml", read_one_xml)
    return read


@pytest.mark.parametrize("url", PAGES)
def test_a_page_served_again_reads_no_stored_artefact(
    migration_app: Flask, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    node: Node = migration_app.extensions["sdmxnode"]
    client = migration_app.test_client()
    assert client.get(url).status_code == 200
    read = counting_reads(node, monkeypatch)
    assert client.get(url).status_code == 200
    assert read == []


def test_the_language_menu_follows_a_new_language_in_the_structures(
    migration_app: Flask,
) -> None:
    """The kept list of languages is rebuilt when the artefacts change."""
    client = migration_app.test_client()
    before = client.get("/").get_data(as_text=True)
    assert 'hreflang="sw"' not in before
    node: Node = migration_app.extensions["sdmxnode"]
    text = (PROJECT_ROOT / "codelists" / "IAEG-SDGs-CL_SEX-1.0.xml").read_text(encoding="utf-8")
    text = text.replace("CL_SEX", "CL_SEX_SW").replace(
        '<com:Name xml:lang="en">Sex code list</com:Name>',
        '<com:Name xml:lang="en">Sex code list</com:Name><com:Name xml:lang="sw">Jinsia</com:Name>',
    )
    load_structures(node.store, text.encode())
    after = client.get("/").get_data(as_text=True)
    assert 'hreflang="sw"' in after
