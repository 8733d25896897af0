"""A provider writing while its provision agreement is deleted, many rounds, on the suite's
engine: a write answered 2xx committed while the agreement was there; a refused one stored
nothing; no answer is a 5xx."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from sdmxnode.authoring import xml
from sdmxnode.refs import ArtefactRef
from sdmxnode.services.access import create_token
from sdmxnode.services.node import Node
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.services.structures.maintenance import delete_structure
from sdmxnode.storage.tables import loads
from tests.providers.conftest import post_data, small_csv
from tests.races import race

ROUNDS = 15
RACER = "TEST:RACER"
AGREEMENT = ArtefactRef("ProvisionAgreement", "IMDX", "PA_RACER", "1.0.0")


def racer_structures() -> bytes:
    """A draft agreement (deletable) of provider TEST:RACER for DF_MIG_STOCK_IMS."""
    root, sections = xml.structure_message("TEST-RACER")
    schemes = xml.section(root, sections, "OrganisationSchemes")
    xml.add_data_provider_scheme(schemes, "TEST", [("RACER", "A racing office", "")])
    agreements = xml.section(root, sections, "ProvisionAgreements")
    agreement = xml.add_provision_agreement(
        agreements, "PA_RACER", "RACER", "DF_MIG_STOCK_IMS", ("TEST", "RACER")
    )
    agreement.set("isFinal", "false")
    return xml.to_bytes(root)


def racer_loads(node: Node) -> list[datetime]:
    with node.data.engine.connect() as conn:
        return list(
            conn.execute(
                select(loads.c.finished).where(loads.c.provider == RACER).order_by(loads.c.pk)
            ).scalars()
        )


def test_a_provider_writing_while_its_agreement_is_deleted(
    providers_app: Flask, providers_node: Node
) -> None:
    token = create_token(providers_node, role="provider", provider=RACER)
    body = small_csv(sex="_T")
    outcomes: set[tuple[int, int]] = set()
    for _ in range(ROUNDS):
        load_structures(providers_node.store, racer_structures(), source="TEST-RACER")
        before = len(racer_loads(providers_node))
        deleted_at: list[datetime] = []

        def write() -> int:
            return post_data(providers_app.test_client(), token, body).status_code

        def delete(deleted_at: list[datetime] = deleted_at) -> int:
            result = delete_structure(providers_node, AGREEMENT)
            deleted_at.append(datetime.now(UTC).replace(tzinfo=None))
            return result.status

        written, deletion = race(write, delete)
        assert isinstance(written, int) and isinstance(deletion, int)
        outcomes.add((written, deletion))
        assert written in (200, 201, 403, 404), written
        assert deletion == 200, deletion  # an agreement's data never block its deletion
        after = racer_loads(providers_node)
        if written in (200, 201):
            assert len(after) == before + 1
            assert after[-1] < deleted_at[0]  # committed before the deletion did
        else:
            assert len(after) == before  # nothing of a refused write is stored
    # Afterwards, without an agreement, the provider is refused and stores nothing.
    with providers_node.data.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(loads)).scalar_one()
    assert post_data(providers_app.test_client(), token, body).status_code == 403
    with providers_node.data.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(loads)).scalar_one() == count
    print("outcomes (write, delete):", sorted(outcomes))
