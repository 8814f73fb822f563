"""Celery tasks of the tenant: thin adapters over restaurant.services.

`inbox_event_retry` is queued by the inbox when an event fails, with the backoff as its countdown; it
applies the event again only if it is still failed and due, so a message delivered twice, or one that
comes after a replay, does nothing. `inbox_retry_due` is the beat sweep (seeded by a migration,
editable in admin) for retries whose message was lost with a worker."""

from celery import shared_task

from restaurant.services.inbox import inbox_event_retry as retry_event
from restaurant.services.inbox import inbox_retry_due as retry_due


@shared_task(name="restaurant.tasks.inbox_event_retry", ignore_result=True)
def inbox_event_retry(event_pk: int) -> str | None:
    event = retry_event(event_pk=event_pk)
    return event.status if event is not None else None


@shared_task(name="restaurant.tasks.inbox_retry_due", ignore_result=True)
def inbox_retry_due() -> list[int]:
    return retry_due()
