"""Storing metadata sets: one row per identity, targets parsed from URNs, every write in history."""

import pytest
from sqlalchemy import func, select

from sdmxnode.refs import ArtefactRef
from sdmxnode.storage.metadata.sets import (
    MetadataSetRow,
    MetadataStore,
    TargetIdentity,
    parse_target_urn,
)
from sdmxnode.storage.structures import StructureStore
from sdmxnode.storage.tables import metadata_set_history, metadata_set_targets, metadata_sets

FLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=IMDX:DF_MIG_STOCK_IMS(1.0.0)"
KENYA = "urn:sdmx:org.sdmx.infomodel.codelist.Code=IMDX:CL_AREA(1.0.0).404"


def _row(body: str) -> MetadataSetRow:
    return MetadataSetRow(
        agency_id="IMDX",
        id="MDS_KEN",
        version="1.0.0",
        structure=ArtefactRef("Metadataflow", "IMDX", "MDF_MIG_STOCK", "1.0.0"),
        provider=None,
        name="Kenya",
        body=body,
        digest="d",
        targets=(("", FLOW), ("", KENYA), ("", "not a urn")),
    )


def test_target_urns_name_the_maintainable_and_the_item() -> None:
    assert parse_target_urn(KENYA) == TargetIdentity("Codelist", "IMDX", "CL_AREA", "1.0.0", "404")
    assert parse_target_urn(FLOW) == TargetIdentity("Dataflow", "IMDX", "DF_MIG_STOCK_IMS", "1.0.0")
    assert parse_target_urn("KEN") is None


def test_a_set_replaces_its_identity_and_history_keeps_every_write(store: StructureStore) -> None:
    metadata = MetadataStore(store.engine)
    with metadata.transaction(principal="cli") as transaction:
        transaction.put(_row('{"v":1}'), "Append")
    with metadata.transaction() as transaction:
        assert transaction.find_body("IMDX", "MDS_KEN", "1.0.0") == '{"v":1}'
        transaction.put(_row('{"v":2}'), "Replace")

    with store.engine.connect() as conn:
        assert conn.execute(select(metadata_sets.c.body)).scalars().all() == ['{"v":2}']
        targets = conn.execute(
            select(metadata_set_targets.c.target_type, metadata_set_targets.c.target_item)
        ).all()
        assert sorted(targets) == [("Codelist", "404"), ("Dataflow", "")]
        history = conn.execute(
            select(metadata_set_history.c.action, metadata_set_history.c.written_by).order_by(
                metadata_set_history.c.pk
            )
        ).all()
        assert history == [("Append", "cli"), ("Replace", None)]

    with metadata.transaction() as transaction:
        assert transaction.delete("IMDX", "MDS_KEN", "1.0.0")
        assert not transaction.delete("IMDX", "MDS_KEN", "1.0.0")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(metadata_sets)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(metadata_set_targets)).scalar() == 0
        last = conn.execute(
            select(metadata_set_history.c.action, metadata_set_history.c.body).order_by(
                metadata_set_history.c.pk.desc()
            )
        ).first()
        assert tuple(last) == ("Delete", None)


def test_a_failed_load_leaves_nothing(store: StructureStore) -> None:
    metadata = MetadataStore(store.engine)
    with pytest.raises(RuntimeError), metadata.transaction() as transaction:
        transaction.put(_row("{}"), "Append")
        raise RuntimeError("a finding refused the load")
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(metadata_sets)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(metadata_set_history)).scalar() == 0
