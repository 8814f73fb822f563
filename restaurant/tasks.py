"""Celery tasks of the tenant: delivering outgoing webhooks (thin wrappers around
restaurant/services/webhooks.py)."""

from celery import shared_task

from restaurant.services.webhooks import outbox_dispatch_due, outbox_event_deliver


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
