"""Reads of the integrations page: endpoints' health, recent deliveries with their attempts, failures,
the inbox, and deliveries per hour. Each is a fixed number of queries whatever the volume."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from restaurant.models import DeliveryAttempt, InboxEvent, OutboxEvent, OutboxStatus, Restaurant, WebhookEndpoint

RECENT = 50
CHART_HOURS = 24


def webhook_endpoints_with_health(*, restaurant: Restaurant) -> QuerySet[WebhookEndpoint]:
    """The restaurant's endpoints with how many events wait (`pending_count`) or gave up (`failed_count`)."""
    return (
        WebhookEndpoint.objects.for_restaurant(restaurant)
        .annotate(
            pending_count=Count("outbox_events", filter=Q(outbox_events__status=OutboxStatus.PENDING)),
            failed_count=Count("outbox_events", filter=Q(outbox_events__status=OutboxStatus.FAILED)),
        )
        .order_by("name", "id")
    )


def recent_outbox_events(*, restaurant: Restaurant, limit: int = RECENT) -> list[OutboxEvent]:
    """The latest events sent or to send, each with its endpoint and its attempts (newest first)."""
    attempts = Prefetch("delivery_attempts", queryset=DeliveryAttempt.objects.order_by("-started_at", "-id"))
    return list(
        OutboxEvent.objects.for_restaurant(restaurant)
        .select_related("endpoint")
        .prefetch_related(attempts)
        .order_by("-created_at", "-id")[:limit]
    )


def recent_failed_attempts(*, restaurant: Restaurant, limit: int = RECENT) -> list[DeliveryAttempt]:
    return list(
        DeliveryAttempt.objects.for_restaurant(restaurant)
        .filter(succeeded=False)
        .select_related("outbox_event__endpoint")
        .order_by("-started_at", "-id")[:limit]
    )


def recent_inbox_events(*, restaurant: Restaurant, limit: int = RECENT) -> list[InboxEvent]:
    return list(
        InboxEvent.objects.filter(restaurant=restaurant).select_related("api_client").order_by("-received_at")[:limit]
    )


@dataclass(frozen=True)
class HourlyDeliveries:
    """Attempts started in one hour (UTC), by outcome."""

    hour: datetime
    delivered: int
    failed: int


def deliveries_per_hour(
    *, restaurant: Restaurant, now: datetime | None = None, hours: int = CHART_HOURS
) -> list[HourlyDeliveries]:
    """One entry per hour of the last `hours`, oldest first, empty hours included."""
    now = now or timezone.now()
    last = now.replace(minute=0, second=0, microsecond=0)
    first = last - timedelta(hours=hours - 1)
    rows = (
        DeliveryAttempt.objects.for_restaurant(restaurant)
        .filter(started_at__gte=first)
        .annotate(hour=TruncHour("started_at", tzinfo=UTC))
        .values("hour")
        .annotate(delivered=Count("id", filter=Q(succeeded=True)), failed=Count("id", filter=Q(succeeded=False)))
        .order_by()
    )
    counts = {row["hour"]: (row["delivered"], row["failed"]) for row in rows}
    slots = [first + timedelta(hours=i) for i in range(hours)]
    return [HourlyDeliveries(hour, *counts.get(hour, (0, 0))) for hour in slots]
