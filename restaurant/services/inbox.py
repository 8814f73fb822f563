"""The webhook inbox: integrations' events checked, recorded once and applied once.

A delivery (`POST /api/v1/pos/events`) goes through three steps, the first two writing nothing:

1. `inbox_signature_verify`: the Standard Webhooks signature (headers `webhook-id`, `webhook-timestamp`,
   `webhook-signature`), checked by the specification's own package with the client's `whsec_` secret:
   5 minutes of tolerance either way, several space-separated signatures accepted (secret rotation),
   constant-time comparison.
2. `inbox_receive` checks the body `{"type", "timestamp", "data"}` with the parser the event type's
   handler registered (a 400 naming the field otherwise), then
3. records the event under its delivery id (`webhook-id`) and applies it, in one transaction. The unique
   constraint (restaurant, event id) makes a second copy a duplicate: a copy arriving at the same moment
   waits on the index for the first transaction, then finds it recorded and changes nothing. Should the
   event hold or fail (also at COMMIT, where PostgreSQL checks the foreign keys and may find a deadlock),
   that transaction is rolled back whole and the event is recorded held or failed in a second one.

Applying an event ends in one of three states:
- processed;
- held: the handler raised `InboxHold(key)` because something the event needs has not arrived yet (an
  item before its check's `check.opened`). A handler that later makes that thing exist returns the key,
  and every event held on it is applied then, oldest first (by the sender's timestamp);
- failed: any other error. The error is kept, and the event is retried by Celery with exponential backoff
  (settings `INBOX_RETRY_BASE_SECONDS`, 30 s, doubling up to `INBOX_RETRY_MAX_SECONDS`, an hour) until
  `INBOX_MAX_ATTEMPTS`; after that it waits for someone to replay it (`inbox_event_replay`, from admin).

The handlers belong to the apps (the floor's in `floor/services/pos.py`), registered from their
AppConfig.ready with `inbox_handler_register`: the inbox knows no domain. A handler always runs inside
a transaction (a retry's or replay's in a savepoint), so a failing or held event leaves nothing behind
but its own row."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from restaurant.celery import app as celery_app
from restaurant.exceptions import DomainError, InvalidInput
from restaurant.models import ApiClient, InboxEvent, InboxStatus

logger = logging.getLogger(__name__)

RETRY_TASK = "restaurant.tasks.inbox_event_retry"
INBOX_MAX_ATTEMPTS = 8
EVENT_ID_MAX = InboxEvent._meta.get_field("event_id").max_length
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")

# The package's messages, turned into our codes and the header at fault.
_SIGNATURE_ERRORS = {
    "Missing required headers": ("missing_signature_headers", "webhook-signature"),
    "Invalid Signature Headers": ("invalid_timestamp", "webhook-timestamp"),
    "Message timestamp too old": ("timestamp_too_old", "webhook-timestamp"),
    "Message timestamp too new": ("timestamp_too_new", "webhook-timestamp"),
    "No matching signature found": ("invalid_signature", "webhook-signature"),
}
_SIGNATURE_MESSAGES = {
    "missing_signature_headers": "The webhook-id, webhook-timestamp and webhook-signature headers are required.",
    "invalid_timestamp": "webhook-timestamp must be whole seconds since 1970 (UTC).",
    "timestamp_too_old": "webhook-timestamp is more than 5 minutes in the past; sign the delivery again.",
    "timestamp_too_new": "webhook-timestamp is more than 5 minutes in the future; check the sender's clock.",
    "invalid_signature": "No signature in webhook-signature matches the body with this client's signing secret.",
}


class DeliveryRejected(InvalidInput):
    """A delivery refused before anything is written: bad signature, timestamp, headers or body (a 400)."""


class InboxHold(Exception):  # noqa: N818  (not an error: the event waits)
    """Raised by a handler: the event needs something not here yet (`key`, e.g. "check:1042")."""

    def __init__(self, key: str, reason: str):
        super().__init__(reason)
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class InboxHandler:
    """How one event type is checked (`parse`: the body's `data` -> a value, raising InvalidInput) and
    applied (`apply(restaurant=, data=, at=)` -> the hold keys it satisfied; may raise InboxHold)."""

    parse: Callable[[object], object]
    apply: Callable[..., Iterable[str]]


_handlers: dict[str, InboxHandler] = {}


def inbox_handler_register(event_type: str, *, parse: Callable, apply: Callable) -> None:
    """Called by an app's AppConfig.ready for each event type it handles; a type has one handler."""
    existing = _handlers.get(event_type)
    if existing is not None and existing.apply is not apply:
        raise RuntimeError(f"two handlers for inbox event type {event_type!r}")
    _handlers[event_type] = InboxHandler(parse, apply)


def inbox_event_types() -> list[str]:
    return sorted(_handlers)


@dataclass(frozen=True)
class Receipt:
    """What became of a delivery: its event row, and whether it was a copy of one already recorded."""

    event: InboxEvent
    duplicate: bool


def inbox_signature_verify(*, client: ApiClient, headers: Mapping[str, str], body: bytes) -> str:
    """Check a delivery's Standard Webhooks signature; returns its id (`webhook-id`). Writes nothing."""
    wanted = {name: headers.get(name, "") for name in SIGNATURE_HEADERS}
    try:
        Webhook(client.signing_secret).verify(body, wanted, json_parse=False)
    except WebhookVerificationError as refused:
        code, field = _SIGNATURE_ERRORS.get(str(refused), ("invalid_signature", "webhook-signature"))
        raise DeliveryRejected(field, _SIGNATURE_MESSAGES[code], code=code) from None
    except ValueError:
        # The package splits and base64-decodes what it is given: a malformed signature list, or a body
        # that is not UTF-8, ends here rather than in a 500.
        raise DeliveryRejected(
            "webhook-signature",
            "webhook-signature must be space-separated v1,<base64> signatures of a UTF-8 body.",
            code="invalid_signature",
        ) from None
    event_id = wanted["webhook-id"]
    if len(event_id) > EVENT_ID_MAX:
        raise DeliveryRejected("webhook-id", f"webhook-id is longer than {EVENT_ID_MAX} characters", code="invalid")
    return event_id


def inbox_receive(*, client: ApiClient, event_id: str, envelope: object) -> Receipt:
    """Record a verified delivery once and apply it; a copy of a recorded one changes nothing.

    The usual delivery takes one transaction and no savepoint: the row, written as processed, then the
    handler's writes. The row comes first so that a copy arriving at the same moment waits on the
    unique index until this transaction ends. Should the handler hold or fail, the whole transaction is
    rolled back and the row is written again, held or failed, in a second one (`_record_unapplied`)."""
    event_type, occurred_at, data = _parse_envelope(envelope)
    handler = _handlers[event_type]
    parsed = handler.parse(data)
    fields = {
        "restaurant": client.restaurant,
        "api_client": client,
        "event_id": event_id,
        "event_type": event_type,
        "payload": envelope,
        "occurred_at": occurred_at,
    }
    event = InboxEvent(**fields, status=InboxStatus.PROCESSED, processed_at=timezone.now(), attempts=1)
    recorded = False
    try:
        with transaction.atomic():
            event.save(force_insert=True)
            recorded = True
            released = list(handler.apply(restaurant=client.restaurant, data=parsed, at=occurred_at))
    except IntegrityError as refused:
        if recorded:  # the handler's own conflict: a failure like any other
            return _record_unapplied(fields, refused)
        return _duplicate_of(client, event_id)
    except Exception as outcome:  # InboxHold, or a failure: kept on the row and retried
        return _record_unapplied(fields, outcome)
    return Receipt(_settle(event, released) or event, duplicate=False)


def _duplicate_of(client: ApiClient, event_id: str) -> Receipt:
    """The row a copy of this delivery recorded (maybe a copy in flight until just now: we waited on the index)."""
    existing = InboxEvent.objects.filter(restaurant_id=client.restaurant_id, event_id=event_id).first()
    if existing is None:
        raise RuntimeError(f"inbox event {event_id} conflicted on insert but is not recorded")
    return Receipt(existing, duplicate=True)


def _record_unapplied(fields: dict, outcome: Exception) -> Receipt:
    """Record, in a transaction of its own, an event whose first application held or failed (its writes
    were rolled back with it). A copy recorded meanwhile makes this one a duplicate."""
    event = InboxEvent(**fields)
    try:
        with transaction.atomic():
            _note_outcome(event, outcome, timezone.now())
            event.save(force_insert=True)
    except IntegrityError:
        return _duplicate_of(fields["api_client"], fields["event_id"])
    return Receipt(_settle(event, []) or event, duplicate=False)


def inbox_event_retry(*, event_pk: int, now: datetime | None = None) -> InboxEvent | None:
    """Apply a failed event again if it is due (the Celery retry). None when there was nothing to do:
    processed meanwhile, replayed, or not due yet (a message that came early)."""
    now = now or timezone.now()
    due = InboxEvent.objects.filter(pk=event_pk, status=InboxStatus.FAILED, next_attempt_at__lte=now)
    if not due.exists():
        return None
    return _reapply(event_pk, statuses=(InboxStatus.FAILED,), now=now)


def inbox_retry_due(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Retry every failed event whose time has come (the beat sweep, for retries whose message was lost)."""
    now = now or timezone.now()
    pks = list(
        InboxEvent.objects.filter(status=InboxStatus.FAILED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return [pk for pk in pks if inbox_event_retry(event_pk=pk, now=now) is not None]


def inbox_event_replay(*, event: InboxEvent) -> InboxEvent:
    """Apply a failed or held event again now, whatever its attempts (admin's replay; the integrations
    page's button). A processed event is left alone: it was applied once and must not be twice."""
    if event.status == InboxStatus.PROCESSED:
        raise DomainError(
            f"Event {event.event_id} was processed already; replaying it would apply it twice.",
            code="already_processed",
            details={"event_id": event.event_id},
        )
    replayed = _reapply(event.pk, statuses=(InboxStatus.FAILED, InboxStatus.HELD, InboxStatus.RECEIVED))
    if replayed is None:  # processed meanwhile, by a retry or a release
        event.refresh_from_db()
        return event
    return replayed


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failed tries: 30 s, 1 min, 2 min... capped at an hour."""
    base, cap = settings.INBOX_RETRY_BASE_SECONDS, settings.INBOX_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _parse_envelope(envelope: object) -> tuple[str, datetime, object]:
    if not isinstance(envelope, dict):
        raise DeliveryRejected("body", 'The body must be a JSON object {"type", "timestamp", "data"}.')
    unknown = sorted(set(envelope) - {"type", "timestamp", "data"})
    if unknown:
        raise DeliveryRejected(unknown[0], f"unknown field {unknown[0]!r}; the body has type, timestamp and data")
    event_type = envelope.get("type")
    if not isinstance(event_type, str) or event_type not in _handlers:
        raise DeliveryRejected(
            "type",
            f"type must be one of {', '.join(inbox_event_types())}",
            code="unknown_event_type",
            details={"known_types": inbox_event_types()},
        )
    stamp = envelope.get("timestamp")
    occurred_at = None
    if isinstance(stamp, str) and len(stamp) <= 40:
        try:
            occurred_at = parse_datetime(stamp)
        except ValueError:
            occurred_at = None
    if occurred_at is None or occurred_at.tzinfo is None:
        raise DeliveryRejected("timestamp", "timestamp must be an ISO 8601 date-time with its UTC offset")
    if "data" not in envelope or not isinstance(envelope["data"], dict):
        raise DeliveryRejected("data", "data must be a JSON object")
    return event_type, occurred_at, envelope["data"]


def _apply(event: InboxEvent, handler: InboxHandler, data: object, now: datetime | None = None) -> list[str]:
    """Apply a recorded event again in a savepoint and record how it went (inside the caller's
    transaction). Returns the hold keys it satisfied (none unless processed)."""
    now = now or timezone.now()
    released: list[str] = []
    try:
        with transaction.atomic():
            released = list(handler.apply(restaurant=event.restaurant, data=data, at=event.occurred_at))
    except Exception as outcome:  # the savepoint undid its writes
        _note_outcome(event, outcome, now)
    else:
        _note_outcome(event, None, now)
    event.save(update_fields=["status", "held_key", "error", "next_attempt_at", "processed_at", "attempts"])
    return released


def _note_outcome(event: InboxEvent, outcome: Exception | None, now: datetime) -> None:
    """One more attempt on the event (not saved): processed (`outcome` None), held (InboxHold) or failed,
    a failure's retry sent to Celery once the caller's transaction commits."""
    event.attempts += 1
    if outcome is None:
        event.status, event.held_key, event.error, event.next_attempt_at = InboxStatus.PROCESSED, "", "", None
        event.processed_at = now
        return
    if isinstance(outcome, InboxHold):
        event.status, event.held_key, event.error = InboxStatus.HELD, outcome.key, outcome.reason
        event.next_attempt_at = None
        return
    if not isinstance(outcome, DomainError):
        logger.error(
            "inbox event %s (%s) failed",
            event.event_id,
            event.event_type,
            exc_info=(type(outcome), outcome, outcome.__traceback__),
        )
    event.status, event.held_key, event.error = InboxStatus.FAILED, "", _describe(outcome)
    event.next_attempt_at = now + retry_delay(event.attempts) if event.attempts < INBOX_MAX_ATTEMPTS else None
    if event.next_attempt_at is not None:
        delay = retry_delay(event.attempts).total_seconds()
        transaction.on_commit(lambda: celery_app.send_task(RETRY_TASK, args=[event.pk], countdown=delay))


def _describe(failure: Exception) -> str:
    if isinstance(failure, DomainError):
        return f"{failure.code}: {failure.message}"
    return f"{type(failure).__name__}: {failure}"


def _reapply(pk: int, *, statuses: tuple[str, ...], now: datetime | None = None) -> InboxEvent | None:
    """Apply a recorded event again if it is still in one of `statuses`, then release what it satisfied.
    A row another process is applying right now is waited for, not skipped: that process may be a held
    event's second look, about to hold it again from a view older than what this process has just
    committed. The lock is the first this transaction takes, so the wait cannot deadlock."""
    with transaction.atomic():
        # Only the event's row: a lock on the restaurant's row would wait for, and deadlock with, every
        # transaction whose foreign keys PostgreSQL checks (FOR KEY SHARE of the restaurant) at COMMIT.
        event = (
            InboxEvent.objects.select_for_update(of=("self",))
            .select_related("restaurant")
            .filter(pk=pk, status__in=statuses)
            .first()
        )
        if event is None:
            return None
        handler = _handlers.get(event.event_type)
        try:
            if handler is None:
                raise DomainError(f"no handler for {event.event_type}", code="unknown_event_type")
            data = handler.parse(event.payload.get("data"))
        except DomainError as refused:
            event.attempts += 1
            event.status, event.error, event.next_attempt_at = InboxStatus.FAILED, _describe(refused), None
            event.save(update_fields=["status", "error", "next_attempt_at", "attempts"])
            return event
        released = _apply(event, handler, data, now)
    _settle(event, released, look_again=False)
    return event


def _settle(event: InboxEvent, released: list[str], *, look_again: bool = True) -> InboxEvent | None:
    """After the event's transaction committed: apply what waited for the keys it satisfied, oldest first
    (each of those releases what waited for it in turn). A newly held event looks once more (`look_again`):
    what it waits for may have committed while it was being held, and then no one else would release it.
    Returns the event as that second look left it (None if there was none, or another process had it)."""
    if event.status == InboxStatus.HELD:
        return _reapply(event.pk, statuses=(InboxStatus.HELD,)) if look_again else None
    for key in dict.fromkeys(released):
        waiting = (
            InboxEvent.objects.filter(restaurant_id=event.restaurant_id, status=InboxStatus.HELD, held_key=key)
            .order_by("occurred_at", "received_at", "pk")
            .values_list("pk", flat=True)
        )
        for pk in list(waiting):
            _reapply(pk, statuses=(InboxStatus.HELD,))
    return None
