"""Outgoing webhooks get endpoints of their own: each API client's `webhook_url` becomes an endpoint that
receives every event type (with a new Standard Webhooks secret: nothing was ever sent with the old one),
outbox rows follow their client's endpoint (rows of a client without a URL could never be delivered and
are dropped). The next migration makes the endpoint required and drops `ApiClient.webhook_url` and
`OutboxEvent.api_client` (in its own transaction: PostgreSQL alters no table with row changes pending)."""

import base64
import secrets

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# As they were when this migration was written: a migration does not follow later code.
EVENT_TYPES = ["table.state_changed", "party.seated", "visit.closed", "waitlist.changed"]


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoints_from_client_urls(apps, schema_editor):
    ApiClient = apps.get_model("restaurant", "ApiClient")
    WebhookEndpoint = apps.get_model("restaurant", "WebhookEndpoint")
    OutboxEvent = apps.get_model("restaurant", "OutboxEvent")
    for client in ApiClient.objects.exclude(webhook_url=""):
        endpoint = WebhookEndpoint.objects.create(
            restaurant_id=client.restaurant_id,
            name=client.name,
            url=client.webhook_url,
            event_types=list(EVENT_TYPES),
            signing_secret=new_webhook_secret(),
            active=client.active,
            disabled_reason="" if client.active else "its API client was revoked",
        )
        OutboxEvent.objects.filter(api_client=client).update(endpoint=endpoint)
    OutboxEvent.objects.filter(endpoint__isnull=True).delete()


def client_urls_from_endpoints(apps, schema_editor):
    ApiClient = apps.get_model("restaurant", "ApiClient")
    WebhookEndpoint = apps.get_model("restaurant", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.all():
        ApiClient.objects.filter(restaurant_id=endpoint.restaurant_id, name=endpoint.name).update(
            webhook_url=endpoint.url
        )


class Migration(migrations.Migration):
    dependencies = [
        ("restaurant", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="outboxevent",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="outboxevent",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.CreateModel(
            name="DeliveryAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField()),
                ("duration_ms", models.PositiveIntegerField()),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                ("succeeded", models.BooleanField()),
                (
                    "outbox_event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="delivery_attempts",
                        to="restaurant.outboxevent",
                    ),
                ),
                (
                    "restaurant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="restaurant.restaurant"
                    ),
                ),
            ],
            options={
                "ordering": ["-started_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("url", models.URLField(max_length=500)),
                ("event_types", models.JSONField(default=list, help_text="Public event types this endpoint receives.")),
                ("signing_secret", models.CharField(editable=False, max_length=80)),
                ("active", models.BooleanField(default=True)),
                ("consecutive_failures", models.PositiveIntegerField(default=0, editable=False)),
                ("disabled_reason", models.TextField(blank=True, editable=False)),
                ("disabled_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("last_success_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("last_failure_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "restaurant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhook_endpoints",
                        to="restaurant.restaurant",
                    ),
                ),
            ],
            options={
                "ordering": ["restaurant_id", "name"],
            },
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="endpoint",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbox_events",
                to="restaurant.webhookendpoint",
            ),
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(fields=["restaurant", "-created_at"], name="restaurant__restaur_eaa1e4_idx"),
        ),
        migrations.AddIndex(
            model_name="deliveryattempt",
            index=models.Index(fields=["restaurant", "-started_at"], name="restaurant__restaur_c999a3_idx"),
        ),
        migrations.AddConstraint(
            model_name="webhookendpoint",
            constraint=models.UniqueConstraint(
                fields=("restaurant", "name"), name="webhookendpoint_unique_name_per_restaurant"
            ),
        ),
        migrations.RunPython(endpoints_from_client_urls, client_urls_from_endpoints),
    ]
