"""Outgoing webhooks: a restaurant's endpoints, the outbox, and delivering it.

How an event travels (docs/pos-integration.md is the integrators' side):

1. A change calls `outbox_enqueue(...)` inside its own transaction (the floor does it from
   `floor.events.floor_changed`): one `OutboxEvent` row per active endpoint subscribed to the type, so
   the rows exist exactly when the change does. After commit, one Celery message per row asks a worker
   to deliver it (`DELIVER_TASK`).
2. `outbox_event_deliver` claims the row (SELECT ... FOR UPDATE SKIP LOCKED, then `claimed_until` =
   now + WEBHOOK_CLAIM_SECONDS, committed), posts it outside any transaction, and records the attempt.
   Two workers never post the same attempt at once: the second finds the row locked or claimed and
   does nothing. A worker killed mid-post leaves its claim, which expires; the row is posted again with
   the same `webhook-id` (at least once; receivers drop what they already have).
3. A failed attempt sets `next_attempt_at` by exponential backoff with jitter; the beat sweep
   (`outbox_dispatch_due`) sends a message for every due, unclaimed row that has no message on its way
   (`dispatched_at`, cleared when a worker takes the row; older than a claim's length counts as lost),
   so a lost message or a dead worker delays a delivery and never loses it. After WEBHOOK_MAX_ATTEMPTS
   the row gives up (failed; a manager can replay it). After WEBHOOK_DISABLE_AFTER_FAILURES failed
   attempts in a row, whatever the events, the endpoint is turned off with the reason; it gets no new
   events until a manager turns it back on, and what was pending is sent then.

Lock order: endpoint, then outbox rows (recording an attempt and re-enabling both follow it)."""

import json
import logging
import random
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from restaurant.celery import app as celery_app
from restaurant.models import (
    TEST_EVENT_TYPE,
    DeliveryAttempt,
    OutboxEvent,
    OutboxStatus,
    Restaurant,
    WebhookEndpoint,
    WebhookEventType,
    new_webhook_secret,
)

logger = logging.getLogger(__name__)

DELIVER_TASK = "restaurant.tasks.deliver_webhook"
USER_AGENT = "RestaurantOps-Webhooks/1"
RESPONSE_EXCERPT = 200  # characters of a failing answer's body kept with the attempt
ENDPOINT_FIELDS = ("name", "url", "event_types", "active")


@dataclass(frozen=True)
class IssuedSecret:
    """An endpoint with its signing secret in clear: answered on create and rotate only."""

    endpoint: WebhookEndpoint
    secret: str


# --------------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------------


def _validated(endpoint: WebhookEndpoint) -> None:
    if not (endpoint.name or "").strip():
        raise ValidationError({"name": "a name is required"})
    endpoint.full_clean(exclude=["restaurant"], validate_unique=False, validate_constraints=False)
    taken = WebhookEndpoint.objects.filter(restaurant_id=endpoint.restaurant_id, name=endpoint.name)
    if taken.exclude(pk=endpoint.pk).exists():
        raise _name_taken(endpoint.name)


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": f"this restaurant already has a webhook endpoint named {name!r}"})


def _save(endpoint: WebhookEndpoint, **kwargs) -> None:
    try:
        with transaction.atomic():
            endpoint.save(**kwargs)
    except IntegrityError:
        # Two requests with one name at once both passed the check; the constraint picked one.
        raise _name_taken(endpoint.name) from None


@transaction.atomic
def webhook_endpoint_create(
    *, restaurant: Restaurant, name: str, url: str, event_types: list[str], active: bool = True
) -> IssuedSecret:
    endpoint = WebhookEndpoint(
        restaurant=restaurant,
        name=name,
        url=url,
        event_types=sorted(set(event_types)) if isinstance(event_types, list) else event_types,
        active=active,
        signing_secret=new_webhook_secret(),
    )
    _validated(endpoint)
    _save(endpoint)
    return IssuedSecret(endpoint=endpoint, secret=endpoint.signing_secret)


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, now: datetime | None = None, **changes) -> WebhookEndpoint:
    """Change name, url, event types or the active flag. Turning an endpoint on is `webhook_endpoint_enable`;
    turning it off records that a manager did."""
    unknown = set(changes) - set(ENDPOINT_FIELDS)
    if unknown:
        raise ValidationError({field: "this field cannot be changed" for field in sorted(unknown)})
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    wanted_active = changes.pop("active", locked.active)
    turn_on, turn_off = wanted_active and not locked.active, locked.active and not wanted_active
    for field, value in changes.items():
        setattr(locked, field, sorted(set(value)) if field == "event_types" and isinstance(value, list) else value)
    if turn_off:
        _disable(locked, reason="Turned off by a manager.", now=now or timezone.now())
    _validated(locked)
    _save(locked)
    if turn_on:
        return webhook_endpoint_enable(endpoint=locked, now=now)
    return locked


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> IssuedSecret:
    """A new signing secret, used from the next attempt on (pending events too)."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.signing_secret = new_webhook_secret()
    locked.save(update_fields=["signing_secret"])
    return IssuedSecret(endpoint=locked, secret=locked.signing_secret)


@transaction.atomic
def webhook_endpoint_enable(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookEndpoint:
    """Turn an endpoint back on: the failure count starts again, and what was pending is due now."""
    now = now or timezone.now()
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.active = True
    locked.consecutive_failures = 0
    locked.disabled_reason = ""
    locked.disabled_at = None
    locked.save(update_fields=["active", "consecutive_failures", "disabled_reason", "disabled_at"])
    pending = OutboxEvent.objects.filter(endpoint=locked, status=OutboxStatus.PENDING)
    pending.update(next_attempt_at=now, claimed_until=None, dispatched_at=now)
    _dispatch_after_commit(list(pending.values_list("pk", flat=True)))
    return locked


def webhook_endpoint_send_test(*, endpoint: WebhookEndpoint) -> OutboxEvent:
    """Queue a `webhook.test` event to this endpoint, whatever it subscribes to."""
    data = {"endpoint_id": endpoint.pk, "message": "A test event from Restaurant Ops."}
    (event,) = outbox_enqueue(
        restaurant_id=endpoint.restaurant_id, event_type=TEST_EVENT_TYPE, data=data, endpoints=[endpoint]
    )
    return event


def _disable(endpoint: WebhookEndpoint, *, reason: str, now: datetime) -> None:
    endpoint.active = False
    endpoint.disabled_reason = reason
    endpoint.disabled_at = now


# --------------------------------------------------------------------------------------------------
# The outbox
# --------------------------------------------------------------------------------------------------


def subscribed_endpoints(*, restaurant_id: int) -> list[WebhookEndpoint]:
    """The restaurant's active endpoints: one query, made by every change that may be announced."""
    return list(WebhookEndpoint.objects.filter(restaurant_id=restaurant_id, active=True))


def wanted_event_types(endpoints: list[WebhookEndpoint]) -> set[str]:
    return {event_type for endpoint in endpoints for event_type in endpoint.event_types or []}


def outbox_enqueue(
    *,
    restaurant_id: int,
    event_type: str,
    data: dict,
    endpoints: list[WebhookEndpoint] | None = None,
    occurred_at: datetime | None = None,
) -> list[OutboxEvent]:
    """Write one outbox row per endpoint that wants `event_type`, in the caller's transaction; each is sent
    after commit. `endpoints` (from `subscribed_endpoints`) saves the query when the caller has them."""
    if event_type not in WebhookEventType.values and event_type != TEST_EVENT_TYPE:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    if endpoints is None:
        endpoints = subscribed_endpoints(restaurant_id=restaurant_id)
    occurred_at = occurred_at or timezone.now()
    body = {
        "type": event_type,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "restaurant_id": restaurant_id,
        "data": data,
    }
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(
            restaurant_id=restaurant_id,
            endpoint=endpoint,
            event_id=uuid.uuid4(),
            event_type=event_type,
            payload=body,
            next_attempt_at=occurred_at,
            created_at=occurred_at,
            dispatched_at=occurred_at,
        )
        for endpoint in endpoints
        if endpoint.wants(event_type)
    )
    _dispatch_after_commit([event.pk for event in events])
    return events


@transaction.atomic
def outbox_event_replay(*, event: OutboxEvent, now: datetime | None = None) -> OutboxEvent:
    """Send an event again from its first attempt (same `webhook-id`): a failed one, or a delivered one a
    receiver lost. Its past attempts stay in the log."""
    now = now or timezone.now()
    locked = OutboxEvent.objects.select_for_update().get(pk=event.pk)
    locked.status = OutboxStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = now
    locked.claimed_until = None
    locked.delivered_at = None
    locked.dispatched_at = now
    locked.save(
        update_fields=["status", "attempts", "next_attempt_at", "claimed_until", "delivered_at", "dispatched_at"]
    )
    _dispatch_after_commit([locked.pk])
    return locked


def _due(now: datetime):
    return OutboxEvent.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        status=OutboxStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__active=True,
    )


def due_outbox_event_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Rows a worker should try now, oldest first."""
    due = _due(now or timezone.now()).order_by("next_attempt_at", "pk")
    return list(due.values_list("pk", flat=True)[:limit])


def outbox_dispatch_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """The beat sweep: a delivery message for every due, unclaimed row without one on its way (or whose
    message is older than a claim's length: lost with its broker or its worker). Should two messages
    meet anyway, the first claims the row and the other finds nothing to do."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=settings.WEBHOOK_CLAIM_SECONDS)
    waiting = _due(now).filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=lost))
    ids = list(waiting.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    OutboxEvent.objects.filter(pk__in=ids).update(dispatched_at=now)
    for pk in ids:
        _send_task(pk)
    return ids


def _dispatch_after_commit(ids: list[int]) -> None:
    for pk in ids:
        # robust: a broker that is down must not fail the committed change; the sweep sends it later.
        transaction.on_commit(lambda pk=pk: _send_task(pk), robust=True)


def _send_task(pk: int) -> None:
    celery_app.send_task(DELIVER_TASK, args=[pk])


# --------------------------------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------------------------------


def retry_delay(failed_attempts: int, *, draw: float) -> timedelta:
    """Wait before the next attempt after `failed_attempts` failures: base x 2^(n-1), capped, less up to
    WEBHOOK_RETRY_JITTER of it (`draw` in [0, 1)), so endpoints coming back are not hit all at once."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(failed_attempts - 1, 0)
    seconds = min(settings.WEBHOOK_RETRY_CAP_SECONDS, base)
    return timedelta(seconds=seconds * (1 - settings.WEBHOOK_RETRY_JITTER * draw))


def signed_headers(*, endpoint: WebhookEndpoint, event: OutboxEvent, body: bytes, at: datetime) -> dict:
    """The Standard Webhooks headers of one attempt: id, timestamp, and the signature of both with the body."""
    signature = Webhook(endpoint.signing_secret).sign(event.webhook_id, at, body.decode())
    return {
        "webhook-id": event.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def event_body(event: OutboxEvent) -> bytes:
    # Sorted keys: the stored JSON (jsonb) does not keep key order, and every attempt sends the same bytes.
    return json.dumps(event.payload, sort_keys=True, separators=(",", ":")).encode()


def outbox_event_deliver(*, event_id: int, now: datetime | None = None) -> DeliveryAttempt | None:
    """Claim one due row, post it, record the attempt. None when there was nothing to do (delivered,
    not due, claimed by another worker, endpoint off)."""
    now = now or timezone.now()
    event = _claim(event_id, now)
    if event is None:
        return None
    started = time.monotonic()
    status_code, error = _post(event)
    duration_ms = round((time.monotonic() - started) * 1000)
    return _record(event, now=now, duration_ms=duration_ms, status_code=status_code, error=error)


def _claim(event_id: int, now: datetime) -> OutboxEvent | None:
    with transaction.atomic():
        event = (
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            return None
        event.claimed_until = now + timedelta(seconds=settings.WEBHOOK_CLAIM_SECONDS)
        event.dispatched_at = None  # its message is taken: once due again, the sweep sends the next
        event.save(update_fields=["claimed_until", "dispatched_at"])
    return event


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer other than 2xx: the receiver must fix its URL, we never re-post elsewhere.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def _post(event: OutboxEvent) -> tuple[int | None, str]:
    """(status code, error): a 2xx code and no error is a success; anything else a failed attempt."""
    body = event_body(event)
    # The wall clock, not a scheduling `now`: receivers check the timestamp against theirs.
    headers = signed_headers(endpoint=event.endpoint, event=event, body=body, at=datetime.now(tz=UTC))
    request = urllib.request.Request(event.endpoint.url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            code = response.status
            excerpt = response.read(RESPONSE_EXCERPT).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        excerpt = exc.read(RESPONSE_EXCERPT).decode(errors="replace") if exc.fp else ""
        return exc.code, f"HTTP {exc.code}: {excerpt}".strip().rstrip(":")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"
    if 200 <= code < 300:
        return code, ""
    return code, f"HTTP {code}: {excerpt}".strip().rstrip(":")


@transaction.atomic
def _record(event: OutboxEvent, *, now: datetime, duration_ms: int, status_code: int | None, error: str):
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=event.endpoint_id)
    locked = OutboxEvent.objects.select_for_update().get(pk=event.pk)
    succeeded = not error
    attempt = DeliveryAttempt.objects.create(
        restaurant_id=locked.restaurant_id,
        outbox_event=locked,
        started_at=now,
        duration_ms=duration_ms,
        status_code=status_code,
        error=error,
        succeeded=succeeded,
    )
    locked.claimed_until = None
    fields = ["claimed_until"]
    if locked.status == OutboxStatus.PENDING:  # not delivered meanwhile by a worker whose claim outlived ours
        locked.attempts += 1
        fields.append("attempts")
        if succeeded:
            locked.status, locked.delivered_at, locked.last_error = OutboxStatus.DELIVERED, now, ""
            fields += ["status", "delivered_at", "last_error"]
        else:
            locked.last_error = error
            fields.append("last_error")
            if locked.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                locked.status = OutboxStatus.FAILED
                fields.append("status")
            else:
                locked.next_attempt_at = now + retry_delay(locked.attempts, draw=random.random())
                fields.append("next_attempt_at")
    locked.save(update_fields=fields)
    _count_outcome(endpoint, succeeded=succeeded, error=error, now=now)
    return attempt


def _count_outcome(endpoint: WebhookEndpoint, *, succeeded: bool, error: str, now: datetime) -> None:
    if succeeded:
        endpoint.consecutive_failures = 0
        endpoint.last_success_at = now
    else:
        endpoint.consecutive_failures += 1
        endpoint.last_failure_at = now
        limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
        if endpoint.active and endpoint.consecutive_failures >= limit:
            _disable(
                endpoint, reason=f"Turned off after {limit} failed deliveries in a row; the last: {error}", now=now
            )
            logger.warning("webhook endpoint %s turned off: %s", endpoint.pk, endpoint.disabled_reason)
    endpoint.save(
        update_fields=[
            "consecutive_failures",
            "last_success_at",
            "last_failure_at",
            "active",
            "disabled_reason",
            "disabled_at",
        ]
    )
