"""The tenant: restaurants, who may act for them (memberships, API clients) and the webhook
inbox/outbox shared by every integration."""

import base64
import hashlib
import secrets
from datetime import time
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from restaurant.tenancy import TenantQuerySet

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def default_opening_hours() -> dict:
    """Open 11:00-23:00 every day; a day may be null (closed) in the restaurant's settings."""
    return {day: {"open": "11:00", "close": "23:00"} for day in WEEKDAYS}


def default_day_parts() -> list:
    """The service periods staffing and forecasts are counted in, in local time."""
    return [
        {"key": "lunch", "name": "Lunch", "start": "11:00", "end": "15:00"},
        {"key": "dinner", "name": "Dinner", "start": "17:00", "end": "23:00"},
    ]


def default_routing_settings() -> dict:
    """The routing engine's settings (floor.engine.floor.RoutingConfig says what each one does)."""
    return {
        "double_seat_window_minutes": 5,
        "double_seat_penalty": 30.0,
        "performance_covers_gap_cap": 8,
        "large_party_size": 6,
        "pacing_minutes": 5,
        "hold_minutes_max": 5,
        "rotation_basis": "covers",
        "table_mix_minutes": 10,
        "tables_by_tier": {"strong": 5, "standard": 4, "developing": 3},
        "overload_penalty": 30.0,
        "borrow_tables": True,
        "borrow_penalty": 20.0,
    }


ROTATION_BASES = ("turns", "covers")
TIERS = ("strong", "standard", "developing")
# Minutes settings and the range each may take: (least, most).
ROUTING_MINUTES_BOUNDS = {
    "double_seat_window_minutes": (0, 240),
    "pacing_minutes": (0, 30),
    "hold_minutes_max": (0, 15),
    "table_mix_minutes": (0, 30),
}


def routing_settings_errors(settings: dict) -> dict[str, str]:
    """What is wrong with these routing settings, by key (empty when nothing is)."""
    errors = {}
    for key, (least, most) in ROUTING_MINUTES_BOUNDS.items():
        value = settings.get(key, least)
        if isinstance(value, bool) or not isinstance(value, int | float) or not least <= value <= most:
            errors[key] = f"{key} must be a number of minutes from {least} to {most}"
    if settings.get("rotation_basis", "turns") not in ROTATION_BASES:
        errors["rotation_basis"] = f"rotation_basis must be one of {', '.join(ROTATION_BASES)}"
    if not isinstance(settings.get("borrow_tables", False), bool):
        errors["borrow_tables"] = "borrow_tables must be true or false"
    for key in ("overload_penalty", "borrow_penalty"):
        value = settings.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1000:
            errors[key] = f"{key} must be a number of points from 0 to 1000"
    tables = settings.get("tables_by_tier", {})
    if (
        not isinstance(tables, dict)
        or set(tables) - set(TIERS)
        or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 30 for n in tables.values())
    ):
        errors["tables_by_tier"] = f"tables_by_tier must map tiers ({', '.join(TIERS)}) to 1 to 30 tables"
    return errors


def _parse_hhmm(value: str, field: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ValidationError({field: f"{value!r} is not a time in HH:MM form"}) from None


class RoutingMode(models.TextChoices):
    ROTATION = "rotation", "Fair rotation"
    BALANCED = "balanced", "Balanced covers"
    PERFORMANCE = "performance", "Performance (tier-aware)"


class Restaurant(models.Model):
    """A restaurant: the tenant every other object belongs to."""

    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="America/New_York")
    currency = models.CharField(max_length=3, default="USD")
    opening_hours = models.JSONField(default=default_opening_hours, blank=True)
    day_parts = models.JSONField(default=default_day_parts, blank=True)
    routing_mode = models.CharField(max_length=16, choices=RoutingMode.choices, default=RoutingMode.ROTATION)
    routing_settings = models.JSONField(default=default_routing_settings, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.timezone not in available_timezones():
            raise ValidationError({"timezone": f"unknown time zone {self.timezone!r}"})
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": "use a 3-letter ISO 4217 code such as USD"})
        self.currency = self.currency.upper()
        hours = self.opening_hours or {}
        if not isinstance(hours, dict) or set(hours) - set(WEEKDAYS):
            raise ValidationError({"opening_hours": f"keys must be weekdays: {', '.join(WEEKDAYS)}"})
        for day, span in hours.items():
            if span is None:
                continue
            if not isinstance(span, dict) or {"open", "close"} - set(span):
                raise ValidationError({"opening_hours": f"{day} needs open and close (or null for closed)"})
            _parse_hhmm(span["open"], "opening_hours")
            _parse_hhmm(span["close"], "opening_hours")
        keys = set()
        for part in self.day_parts or []:
            if not isinstance(part, dict) or {"key", "start", "end"} - set(part):
                raise ValidationError({"day_parts": "each day-part needs key, start and end"})
            if part["key"] in keys:
                raise ValidationError({"day_parts": f"day-part {part['key']!r} appears twice"})
            keys.add(part["key"])
            if _parse_hhmm(part["start"], "day_parts") >= _parse_hhmm(part["end"], "day_parts"):
                raise ValidationError({"day_parts": f"day-part {part['key']!r} must start before it ends"})
        unknown = set(self.routing_settings or {}) - set(default_routing_settings())
        if unknown:
            raise ValidationError({"routing_settings": f"unknown settings: {', '.join(sorted(unknown))}"})
        errors = routing_settings_errors(self.routing_settings or {})
        if errors:
            raise ValidationError({"routing_settings": "; ".join(errors[key] for key in sorted(errors))})

    @property
    def routing_config(self) -> dict:
        """Routing settings with defaults filled in for keys the restaurant never set."""
        return {**default_routing_settings(), **(self.routing_settings or {})}

    def day_part_keys(self) -> list[str]:
        return [part["key"] for part in self.day_parts or []]


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    HOST = "host", "Host"
    STAFF = "staff", "Staff"


MANAGING_ROLES = (Role.OWNER, Role.MANAGER)
FLOOR_ROLES = (Role.OWNER, Role.MANAGER, Role.HOST)


class Membership(models.Model):
    """A user's role in one restaurant. A user may belong to several restaurants."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "restaurant"], name="membership_one_per_user_restaurant")
        ]
        ordering = ["restaurant_id", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.restaurant} ({self.role})"

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGING_ROLES


class ApiScope(models.TextChoices):
    POS = "pos", "POS"
    CAMERA = "camera", "Camera"
    FRONTEND = "frontend", "Frontend"
    WEBHOOKS = "webhooks", "Webhook endpoints"


API_KEY_PREFIX_LENGTH = 8


def hash_api_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough; nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """A machine caller (POS, camera bridge, frontend) with a hashed API key and the secret that signs
    its inbound events. Where our outgoing events go is a `WebhookEndpoint`, not a client."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list, blank=True)
    key_prefix = models.CharField(max_length=API_KEY_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    signing_secret = models.CharField(max_length=80, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "name"], name="apiclient_unique_name_per_restaurant")
        ]
        ordering = ["restaurant_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}...)"

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(ApiScope.values)
        if unknown:
            raise ValidationError({"scopes": f"unknown scopes: {', '.join(sorted(unknown))}"})

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def check_key(self, key: str) -> bool:
        return secrets.compare_digest(self.key_hash, hash_api_key(key))

    @property
    def is_authenticated(self) -> bool:  # lets DRF treat a client like a logged-in user
        return True


class InboxStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    HELD = "held", "Held (waits for an earlier event)"
    FAILED = "failed", "Failed (retried)"


class InboxEvent(models.Model):
    """An event received from an integration (POS, camera bridge). The unique event id makes
    retries and duplicates change nothing twice."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="inbox_events")
    api_client = models.ForeignKey(ApiClient, on_delete=models.SET_NULL, null=True, blank=True)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=InboxStatus.choices, default=InboxStatus.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    occurred_at = models.DateTimeField(
        null=True, blank=True, help_text="When it happened at the sender (the body's timestamp)."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Times it was applied, the first included.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a failed event is retried next.")
    held_key = models.CharField(
        max_length=200, blank=True, help_text="What a held event waits for, e.g. check:1042 (its check.opened)."
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "event_id"], name="inbox_event_once_per_restaurant")
        ]
        indexes = [
            models.Index(fields=["restaurant", "status", "received_at"]),
            models.Index(fields=["restaurant", "held_key"], condition=models.Q(status="held"), name="inbox_event_held"),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="failed"), name="inbox_event_due"),
        ]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class OutboxEvent(models.Model):
    """One event to deliver to one webhook endpoint, written in the transaction of the change it tells
    about; signed with the endpoint's secret and retried with backoff. `event_id` is the `webhook-id`
    header: the same on every attempt, so a receiver drops a copy it already has."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="outbox_events")
    endpoint = models.ForeignKey("WebhookEndpoint", on_delete=models.CASCADE, related_name="outbox_events")
    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker owns the row until then; one killed mid-delivery leaves it to be claimed again after it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # When a delivery message was last sent for it and not yet taken: the sweep sends another only after
    # a claim's length, so a backlog does not pile up copies of the same message every sweep.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["restaurant", "-created_at"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} -> {self.endpoint}"

    @property
    def webhook_id(self) -> str:
        return str(self.event_id)


class WebhookEventType(models.TextChoices):
    """The public event types an endpoint subscribes to (docs/pos-integration.md)."""

    TABLE_STATE_CHANGED = "table.state_changed", "Table state changed"
    PARTY_SEATED = "party.seated", "Party seated"
    VISIT_CLOSED = "visit.closed", "Visit closed"
    WAITLIST_CHANGED = "waitlist.changed", "Waitlist changed"


# Sent on a manager's request to one endpoint, whatever it subscribes to.
TEST_EVENT_TYPE = "webhook.test"
WEBHOOK_SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64 (the key is those bytes)."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL of an integration that receives our signed events of the types it subscribes to. Kept off
    (`active` false, with the reason) after too many failed deliveries in a row, until a manager
    turns it back on."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="webhook_endpoints")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list, help_text="Public event types this endpoint receives.")
    signing_secret = models.CharField(max_length=80, editable=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.TextField(blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "name"], name="webhookendpoint_unique_name_per_restaurant")
        ]
        ordering = ["restaurant_id", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.event_types, list) or not self.event_types:
            raise ValidationError({"event_types": "choose at least one event type"})
        unknown = set(self.event_types) - set(WebhookEventType.values)
        if unknown:
            raise ValidationError(
                {"event_types": f"unknown event types {sorted(unknown)}; use {', '.join(WebhookEventType.values)}"}
            )

    def wants(self, event_type: str) -> bool:
        return event_type == TEST_EVENT_TYPE or event_type in (self.event_types or [])


class DeliveryAttempt(models.Model):
    """One try at posting an outbox event: when, how long, and what came back (a status or an error)."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="+")
    outbox_event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="delivery_attempts")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField()

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["restaurant", "-started_at"])]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40]
        return f"{self.outbox_event_id} at {self.started_at:%Y-%m-%d %H:%M:%S}: {outcome}"
