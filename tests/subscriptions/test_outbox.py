"""The outbox: a change queues a notification for each subscription that selects it, in the
change's own transaction (a write that fails leaves none); on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from sdmxnode.errors import SdmxNodeError
from sdmxnode.formats.subscriptions.model import SubscriptionStatus
from sdmxnode.services.access import Principal, authenticate, create_token
from sdmxnode.services.metadata.loading import MetadataLoadOptions, load_metadata
from sdmxnode.services.node import Node
from sdmxnode.services.registrations.submission import read_submission as read_registrations
from sdmxnode.services.registrations.submission import submit_registrations
from sdmxnode.services.structures.loading import load_structures
from sdmxnode.services.subscriptions.submission import read_submission, submit_subscriptions
from sdmxnode.storage import structures as structures_module
from sdmxnode.storage.notifications import Notification, NotificationStore
from tests.live.test_harvest_nodes import _changed_metadata_set
from tests.providers.test_agreement_race import racer_structures
from tests.registrations.conftest import PA_NSO, submit_request
from tests.subscriptions.conftest import subscribe_request

PROVIDERS = "urn:sdmx:org.sdmx.infomodel.base.DataProviderScheme=TEST:DATA_PROVIDERS(1.0)"


def principal(node: Node, **rights: object) -> Principal:
    found = authenticate(node, create_token(node, **rights))  # type: ignore[arg-type]
    assert found is not None
    return found


def subscribe(node: Node, who: Principal, body: bytes) -> SubscriptionStatus:
    (status,) = submit_subscriptions(node, read_submission(body), who)
    return status


def queued(node: Node) -> list[Notification]:
    return sorted(NotificationStore.sharing(node.store).find(), key=lambda n: n.pk)


def test_changes_queue_notifications_for_the_subscriptions_that_select_them(
    providers_app: Flask, providers_node: Node, nso_token: str
) -> None:
    node = providers_node
    admin = principal(node, role="admin")
    test_only = subscribe(
        node,
        admin,
        subscribe_request("http://127.0.0.1:9/a", agencies=("TEST",), registrations=False),
    )
    everything = subscribe(node, admin, subscribe_request("http://127.0.0.1:9/b", metadata=True))
    assert test_only.code == everything.code == "201" and test_only.secret

    load_structures(node.store, racer_structures(), source="TEST-RACER")
    structural = queued(node)
    # TEST's provider scheme gains RACER (Replace); IMDX's new agreement only reaches `b`
    assert {(n.subscription_id, n.action, n.object_urn) for n in structural} == {
        (test_only.subscription.id, "Replace", PROVIDERS),
        (everything.subscription.id, "Replace", PROVIDERS),
        (
            everything.subscription.id,
            "Append",
            "urn:sdmx:org.sdmx.infomodel.registry.ProvisionAgreement=IMDX:PA_RACER(1.0.0)",
        ),
    }
    assert all(n.state == "pending" and n.attempts == 0 for n in structural)

    nso = authenticate(node, nso_token)
    assert nso is not None
    request = submit_request([("Append", "REG_NSO", PA_NSO, "http://127.0.0.1:9/rest/v2")])
    submit_registrations(node, read_registrations(request), nso)
    (registered,) = [n for n in queued(node) if n.kind == "registration"]
    assert registered.subscription_id == everything.subscription.id
    assert registered.registration_id == "REG_NSO" and registered.action == "Append"
    assert json.loads(registered.detail)["provisionAgreement"] == PA_NSO

    load_metadata(node, _changed_metadata_set(), MetadataLoadOptions(action="Replace"))
    (metadata,) = [n for n in queued(node) if n.kind == "metadata"]
    assert metadata.action == "Replace"
    assert metadata.object_urn.endswith("MetadataSet=IMDX:MS_MIG_STOCK_IMS_BDI(1.0.0)")


def test_a_failed_write_queues_nothing(
    providers_app: Flask, providers_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notifications are written in the transaction of the change: when that
    transaction fails after queueing them, neither the change nor they are stored."""
    node = providers_node
    subscribe(node, principal(node, role="admin"), subscribe_request("http://127.0.0.1:9/a"))
    real = structures_module.record_events

    def queue_then_fail(conn, events):  # noqa: ANN001, ANN202
        assert real(conn, events) > 0  # queued, in the write's transaction
        raise RuntimeError("the write fails after queueing")

    monkeypatch.setattr(structures_module, "record_events", queue_then_fail)
    with pytest.raises((RuntimeError, SdmxNodeError)):
        load_structures(node.store, racer_structures(), source="TEST-RACER")
    assert queued(node) == []
    assert node.store.find_artefacts({"ProvisionAgreement"}, {"IMDX"}, {"PA_RACER"}) == []
