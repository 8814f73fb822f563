"""The tenant: restaurants, who may act for them (memberships, API clients) and the webhook
inbox/outbox shared by every integration."""

import hashlib
import secrets
from datetime import time
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

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
    }


ROTATION_BASES = ("turns", "covers")
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


API_KEY_PREFIX_LENGTH = 8


def hash_api_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough; nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """A machine caller (POS, camera bridge, frontend) with a hashed API key and a webhook secret."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list, blank=True)
    key_prefix = models.CharField(max_length=API_KEY_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    signing_secret = models.CharField(max_length=80, editable=False)
    webhook_url = models.URLField(blank=True, help_text="Where outgoing events (table states...) are posted.")
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
    FAILED = "failed", "Failed"


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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "event_id"], name="inbox_event_once_per_restaurant")
        ]
        indexes = [models.Index(fields=["restaurant", "status", "received_at"])]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class OutboxEvent(models.Model):
    """An event to deliver to an integration's webhook URL, signed with its secret, retried with backoff."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="outbox_events")
    api_client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="outbox_events")
    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event_type} -> {self.api_client}"
