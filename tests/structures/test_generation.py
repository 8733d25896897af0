"""The authoring generator reproduces the committed files byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.structures.conftest import DESA_CSV, PROJECT

pytest.importorskip("pycountry", reason="pycountry (authoring extra) not installed")


def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    from sdmxnode.authoring.__main__ import DEMO_PATH, IMS2017_PATH, METADATA_PATH, generate
    from sdmxnode.authoring.ims2017 import SOURCE_FILE as IMS2017_FILE

    source = DESA_CSV if DESA_CSV.is_file() else tmp_path / "absent.csv"
    written = generate(tmp_path, source)
    relative = sorted(path.relative_to(tmp_path) for path in written)
    committed = sorted(
        path.relative_to(PROJECT)
        for folder in ("codelists", "dsd")
        for path in (PROJECT / folder).glob("*.xml")
    )
    expected = committed + ([DEMO_PATH, METADATA_PATH] if DESA_CSV.is_file() else [])
    if (DESA_CSV.parent / "ims2017" / IMS2017_FILE).is_file():
        expected.append(IMS2017_PATH)  # the 2017 origin-by-destination data (gzip)
    assert relative == sorted(expected)
    for path in relative:
        assert (tmp_path / path).read_bytes() == (PROJECT / path).read_bytes(), path


def test_unknown_desa_aggregate_is_rejected() -> None:
    from sdmxnode.authoring.demo import area_id_for_desa
    from sdmxnode.errors import Invalid

    assert area_id_for_desa(900) == "1"
    assert area_id_for_desa(1503) is None
    with pytest.raises(Invalid):
        area_id_for_desa(999)
