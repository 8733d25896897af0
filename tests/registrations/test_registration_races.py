"""Registrations under two actors at once, many rounds, on the suite's engine: every
check a submission takes is decided again where it writes, so no interleaving leaves a
registration without its agreement, or one provider's registration written by another."""

from __future__ import annotations

from flask import Flask

from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.sdmxml.registry.registrations import agreement_urn
from sdmxnode.services.access import authenticate, create_token
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.submission import (
    read_submission,
    registrations_of,
    submit_registrations,
)
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.services.structures.maintenance import delete_structure
from tests.providers.test_agreement_race import AGREEMENT, RACER, racer_structures
from tests.races import race
from tests.registrations.conftest import PA_NSO, submit_request

ROUNDS = 15
PA_RACER = agreement_urn(AGREEMENT.agency_id, AGREEMENT.id, AGREEMENT.version)


def _submitter(node: Node, secret: str):  # noqa: ANN202 (a closure factory)
    principal = authenticate(node, secret)
    assert principal is not None

    def submit(entries: list[tuple[str, str, str, str]]) -> int:
        """The status a submission answers (201/200, or its SDMX error's)."""
        try:
            statuses = submit_registrations(
                node, read_submission(submit_request(entries)), principal
            )
        except SdmxNodeError as exc:
            return exc.status
        return 201 if any(s.code == "201" for s in statuses) else 200

    return submit


def test_a_registration_while_its_agreement_is_deleted(
    providers_app: Flask, providers_node: Node
) -> None:
    """Either the registration commits first and the deletion is refused (409: the
    agreement has a registration), or the deletion commits first and the registration is
    refused (404): never a registration naming a deleted agreement."""
    submit = _submitter(
        providers_node, create_token(providers_node, role="provider", provider=RACER)
    )
    store = registrations_of(providers_node)
    outcomes: set[tuple[int, int]] = set()
    for number in range(ROUNDS):
        load_structures(providers_node.store, racer_structures(), source="TEST-RACER")
        assert store.count_for_agreement(PA_RACER) == 0
        entry = ("Append", f"REG_RACE_{number}", PA_RACER, "http://127.0.0.1:9/rest/v2")

        registered, deletion = race(
            lambda entry=entry: submit([entry]),
            lambda: delete_structure(providers_node, AGREEMENT).status,
        )
        outcomes.add((registered, deletion))  # type: ignore[arg-type]
        held = providers_node.store.find_artefact(AGREEMENT) is not None
        count = store.count_for_agreement(PA_RACER)
        if registered == 201:
            assert deletion == 409 and held and count == 1
            delete_entry = ("Delete", entry[1], PA_RACER, entry[3])
            assert submit([delete_entry]) == 200
        else:
            assert (registered, deletion) == (404, 200) and not held and count == 0
    assert outcomes <= {(201, 409), (404, 200)}


def test_two_providers_create_the_same_registration_id(
    providers_app: Flask, providers_node: Node, nso_token: str
) -> None:
    """Two providers append a registration of the same id at once: one is created, the
    other refused (409 or 403), and the registration stored is the winner's: the loser never
    overwrites it (the check 'no such id' is decided where the row is written)."""
    load_structures(providers_node.store, racer_structures(), source="TEST-RACER")
    racer = _submitter(
        providers_node, create_token(providers_node, role="provider", provider=RACER)
    )
    nso = _submitter(providers_node, nso_token)
    store = registrations_of(providers_node)
    for number in range(ROUNDS):
        reg_id = f"REG_SAME_{number}"
        first, second = race(
            lambda reg_id=reg_id: racer([("Append", reg_id, PA_RACER, "http://127.0.0.1:9/a")]),
            lambda reg_id=reg_id: nso([("Append", reg_id, PA_NSO, "http://127.0.0.1:9/b")]),
        )
        # the loser is refused: 409 when both passed the check, 403 (another provider's
        # registration) when the winner had committed before the loser looked
        assert {first, second} in ({201, 409}, {201, 403}), (first, second)
        stored = store.get(reg_id)
        assert stored is not None
        winner = (RACER, PA_RACER) if first == 201 else ("TEST:NSO", PA_NSO)
        assert (stored.provider, stored.agreement_urn) == winner
