"""POST /rest/v2/subscription: SDMX-ML and JSON submissions with credentials; malformed
messages, unknown subscriptions and another's subscriptions are SDMX errors, nothing stored."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from sdmxnode.services.node import Node
from sdmxnode.services.subscriptions.submission import subscriptions_of
from sdmxnode.validation.schema import validate_ml21, validate_ml30
from tests.subscriptions.conftest import subscribe_request

PATH = "/rest/v2/subscription"
JSON = "application/json"
XML = "application/xml"


def _json(entry: str) -> bytes:
    return ('{"subscriptions": [' + entry + "]}").encode()


@pytest.fixture
def client(providers_app: Flask) -> FlaskClient:
    return providers_app.test_client()


def _post(client: FlaskClient, token: str | None, body: bytes, media: str = "application/xml"):
    headers = {"Content-Type": media}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(PATH, data=body, headers=headers)


def _urn(response) -> str:  # noqa: ANN001
    return etree.fromstring(response.data).findtext(".//{*}SubscriptionURN")


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_subscribe_replace_and_delete(
    client: FlaskClient, providers_node: Node, nso_token: str, version: str
) -> None:
    created = _post(client, nso_token, subscribe_request("http://127.0.0.1:9/a", version=version))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert (validate_ml21 if version == "2.1" else validate_ml30)(created.data) == []
    assert created.headers["Content-Type"].startswith("application/vnd.sdmx.registry+xml")
    urn = _urn(created)
    (stored,) = subscriptions_of(providers_node).find()
    assert urn == stored.urn and stored.owner == "TEST:NSO"
    assert stored.secret and stored.secret.encode() in created.data

    replaced = _post(
        client,
        nso_token,
        subscribe_request(
            "http://127.0.0.1:9/b", version=version, action="Replace", registry_urn=urn
        ),
    )
    assert replaced.status_code == 200, replaced.get_data(as_text=True)
    (again,) = subscriptions_of(providers_node).find()
    assert again.callbacks == ("http://127.0.0.1:9/b",) and again.secret == stored.secret

    deleted = _post(
        client,
        nso_token,
        subscribe_request("http://x", version=version, action="Delete", registry_urn=urn),
    )
    assert deleted.status_code == 200 and subscriptions_of(providers_node).find() == []


def test_json_subscription_gives_its_secret_once(
    client: FlaskClient, providers_node: Node, desa_token: str
) -> None:
    body = {
        "subscriptions": [
            {
                "organisation": "IMDX:UN_DESA_POP",
                "callbacks": ["https://receiver.example.org/events"],
                "events": [{"type": "structure", "agencies": ["IMDX"]}, {"type": "metadata"}],
            }
        ]
    }
    answer = _post(client, desa_token, json.dumps(body).encode(), "application/json")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    (entry,) = answer.get_json()["subscriptions"]
    (stored,) = subscriptions_of(providers_node).find()
    assert entry["secret"] == stored.secret and entry["urn"] == stored.urn
    assert [e["type"] for e in entry["events"]] == ["structure", "metadata"]


CONSUMER = "urn:sdmx:org.sdmx.infomodel.base.DataConsumer=IMDX:DATA_CONSUMERS(1.0).{}"


@pytest.mark.parametrize(
    ("organisation", "status"),
    [
        (CONSUMER.format("UNHCR"), 201),  # a consumer of the node's scheme
        (CONSUMER.format("NOBODY"), 422),  # not in the scheme the node holds
        ("urn:sdmx:org.sdmx.infomodel.base.DataConsumer=XX:DATA_CONSUMERS(1.0).ANY", 201),
        ("urn:sdmx:org.sdmx.infomodel.base.DataProvider=IMDX:DATA_PROVIDERS(1.0).NOPE", 422),
    ],
)
def test_a_subscriber_named_in_a_held_scheme_must_be_in_it(
    client: FlaskClient, providers_node: Node, desa_token: str, organisation: str, status: int
) -> None:
    """The node's data consumers (IMDX:DATA_CONSUMERS) and providers are its known
    subscribers; a scheme held elsewhere (XX) is the subscriber's word."""
    body = {
        "subscriptions": [
            {
                "organisation": organisation,
                "callbacks": ["https://receiver.example.org/events"],
                "events": [{"type": "structure", "agencies": ["IMDX"]}],
            }
        ]
    }
    answer = _post(client, desa_token, json.dumps(body).encode(), JSON)
    assert answer.status_code == status, answer.get_data(as_text=True)
    if status == 422:
        assert "IMDX:DATA_" in answer.get_data(as_text=True)
        assert subscriptions_of(providers_node).find() == []
    else:
        (stored,) = subscriptions_of(providers_node).find()
        assert stored.organisation == organisation


@pytest.mark.parametrize(
    ("body", "media", "status"),
    [
        (b"<not xml", XML, 422),
        (subscribe_request("http://a").replace(b"ValidityPeriod>", b"Nope>"), XML, 422),
        (_json('{"callbacks": ["ftp://a"], "events": [{"type": "structure"}]}'), JSON, 422),
        (_json('{"callbacks": ["http://a"], "events": [{"type": "weather"}]}'), JSON, 422),
        (_json('{"callbacks": ["http://a"], "events": []}'), JSON, 422),
        (_json('{"events": [{"type": "structure"}]}'), JSON, 422),
        (
            subscribe_request(
                "http://a",
                action="Replace",
                registry_urn="urn:sdmx:org.sdmx.infomodel.registry.Subscription=NOPE",
            ),
            "application/xml",
            404,
        ),
    ],
)  # fmt: skip
def test_bad_submissions_store_nothing(
    client: FlaskClient, providers_node: Node, nso_token: str, body: bytes, media: str, status: int
) -> None:
    answer = _post(client, nso_token, body, media)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert subscriptions_of(providers_node).find() == []


def test_credentials_and_ownership(
    client: FlaskClient, providers_node: Node, nso_token: str, desa_token: str
) -> None:
    assert _post(client, None, subscribe_request("http://a")).status_code == 401
    assert subscriptions_of(providers_node).find() == []
    urn = _urn(_post(client, nso_token, subscribe_request("http://127.0.0.1:9/a")))
    (held,) = subscriptions_of(providers_node).find()
    for action in ("Replace", "Delete"):
        body = subscribe_request("http://evil", action=action, registry_urn=urn)
        refused = _post(client, desa_token, body)
        assert refused.status_code == 403, refused.get_data(as_text=True)
        assert subscriptions_of(providers_node).find() == [held]
