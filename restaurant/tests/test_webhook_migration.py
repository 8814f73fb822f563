"""The migration that gives outgoing webhooks endpoints of their own: an API client's webhook URL becomes
an endpoint receiving every event type (with a Standard Webhooks secret), its outbox rows follow it, and
rows of a client without a URL (never deliverable) are dropped."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from standardwebhooks.webhooks import Webhook

pytestmark = [pytest.mark.django_db(transaction=True)]

BEFORE = [("restaurant", "0001_initial")]
AFTER = [("restaurant", "0003_webhook_outbox_by_endpoint_and_sweep")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Every app back at its last migration: going back to BEFORE also unapplied the other apps'
    migrations that depend on the restaurant's later ones (the tests after this one need them)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_client_webhook_urls_become_endpoints_and_their_outbox_follows():
    old = migrate(BEFORE)
    try:
        Restaurant = old.get_model("restaurant", "Restaurant")
        ApiClient = old.get_model("restaurant", "ApiClient")
        OutboxEvent = old.get_model("restaurant", "OutboxEvent")
        restaurant = Restaurant.objects.create(name="Old Bistro")
        pos = ApiClient.objects.create(
            restaurant=restaurant,
            name="POS",
            key_prefix="abcdefgh",
            key_hash="x",
            signing_secret="whsec_old",
            webhook_url="https://pos.example.com/hook",
        )
        camera = ApiClient.objects.create(
            restaurant=restaurant, name="Camera", key_prefix="ijklmnop", key_hash="y", signing_secret="whsec_old2"
        )
        kept = OutboxEvent.objects.create(restaurant=restaurant, api_client=pos, event_id=uuid.uuid4(), event_type="x")
        OutboxEvent.objects.create(restaurant=restaurant, api_client=camera, event_id=uuid.uuid4(), event_type="y")

        new = migrate(AFTER)
        endpoint = new.get_model("restaurant", "WebhookEndpoint").objects.get()
        assert (endpoint.name, endpoint.url, endpoint.active) == ("POS", "https://pos.example.com/hook", True)
        assert endpoint.event_types == ["table.state_changed", "party.seated", "visit.closed", "waitlist.changed"]
        Webhook(endpoint.signing_secret)  # a valid Standard Webhooks secret
        outbox = new.get_model("restaurant", "OutboxEvent").objects.get()
        assert (outbox.pk, outbox.endpoint_id) == (kept.pk, endpoint.pk)
        assert not hasattr(new.get_model("restaurant", "ApiClient")(), "webhook_url")
    finally:
        migrate_to_latest()
