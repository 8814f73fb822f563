"""Celery tasks of the tenant: thin adapters over restaurant.services (the POS inbox's retries and the
outgoing webhooks' deliveries).

`inbox_event_retry` is queued by the inbox when an event fails, with the backoff as its countdown; it
applies the event again only if it is still failed and due, so a message delivered twice, or one that
comes after a replay, does nothing. `inbox_retry_due` is the beat sweep (seeded by a migration,
editable in admin) for retries whose message was lost with a worker."""

from celery import shared_task

from restaurant.services.inbox import inbox_event_retry as retry_event
from restaurant.services.inbox import inbox_retry_due as retry_due
from restaurant.services.webhooks import outbox_dispatch_due, outbox_event_deliver


@shared_task(name="restaurant.tasks.inbox_event_retry", ignore_result=True)
def inbox_event_retry(event_pk: int) -> str | None:
    event = retry_event(event_pk=event_pk)
    return event.status if event is not None else None


@shared_task(name="restaurant.tasks.inbox_retry_due", ignore_result=True)
def inbox_retry_due() -> list[int]:
    return retry_due()


# acks_late + reject_on_worker_lost: a worker killed mid-delivery gives the message back to the broker. The
# row's claim and the beat sweep are the guarantee either way; a copy finds the row delivered and does nothing.
@shared_task(name="restaurant.tasks.deliver_webhook", acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(outbox_event_id: int) -> bool:
    """Post one due outbox event; True when an attempt was made."""
    return outbox_event_deliver(event_id=outbox_event_id) is not None


@shared_task(name="restaurant.tasks.sweep_webhook_deliveries")
def sweep_webhook_deliveries() -> int:
    """The beat entry: a delivery message for every due, unclaimed outbox event (lost messages, retries
    whose time has come, deliveries of a worker that died)."""
    return len(outbox_dispatch_due())
