"""Live-update hook: tells open floor dashboards that something changed.

Every service that changes the floor calls `floor_changed(...)` inside its transaction. The message
goes out only once that transaction commits (a rolled-back seating tells nobody anything) to the
Channels group `floor.<restaurant_id>`, through the configured channel layer: Redis when REDIS_URL is
set, in-memory otherwise. A consumer in that group receives
`{"type": "floor.changed", "restaurant_id": ..., "kind": ..., "data": {...}}`, i.e. its
`floor_changed` handler is called.

Delivery is best effort: a channel-layer failure is logged and never undoes or breaks the change; the
dashboard also refreshes on reconnect, so a lost message costs at most one stale view.

The same call is the one hook of outgoing webhooks: still inside the change's transaction it turns the
floor's kind into the public event types (`table.state_changed`, `party.seated`, `visit.closed`,
`waitlist.changed`; payloads in docs/pos-integration.md) and writes them to the outbox for
every endpoint that wants them (`restaurant.services.webhooks.outbox_enqueue`), so they are committed,
or rolled back, with the change. That costs one query when the restaurant has no active endpoint;
the reads the payloads need are made only for a type someone subscribes to."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from floor.models import TableStateChange, Visit, WaitlistEntry
from restaurant.models import WebhookEventType
from restaurant.services.webhooks import outbox_enqueue, subscribed_endpoints, wanted_event_types

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "floor.changed"


def floor_group(restaurant_id: int) -> str:
    """The Channels group a restaurant's floor dashboards join."""
    return f"floor.{restaurant_id}"


def floor_changed(restaurant_id: int, kind: str, data: dict | None = None) -> None:
    """Announce a floor change (`kind` such as "table_state" or "table_seated") once the transaction commits."""
    message = {"type": MESSAGE_TYPE, "restaurant_id": restaurant_id, "kind": kind, "data": data or {}}
    transaction.on_commit(lambda: _send(floor_group(restaurant_id), message))
    if kind in WEBHOOK_KINDS:
        _enqueue_webhooks(restaurant_id, kind, data or {})


def _send(group: str, message: dict) -> None:
    try:
        layer = get_channel_layer()
        if layer is None:  # no CHANNEL_LAYERS configured: nobody can be listening
            return
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        # Best effort by design: the floor change is committed; a dashboard missing one push is stale, not wrong.
        logger.exception("could not announce %s to %s", message.get("kind"), group)


# --- Outgoing webhooks: the floor's kinds as public events -------------------------------------------------

TABLE_STATE_CHANGED = WebhookEventType.TABLE_STATE_CHANGED
PARTY_SEATED = WebhookEventType.PARTY_SEATED
VISIT_CLOSED = WebhookEventType.VISIT_CLOSED
WAITLIST_CHANGED = WebhookEventType.WAITLIST_CHANGED
WAITLIST_KIND_PREFIX = "waitlist_"
WAITLIST_FIELDS = ("waitlist_entry_id", "party_name", "party_size", "status", "quoted_wait_minutes")

# Which public types each announced kind may turn into; other kinds (mode, clock-ins) are not published.
WEBHOOK_KINDS = {
    "table_state": {TABLE_STATE_CHANGED, VISIT_CLOSED},
    "table_seated": {TABLE_STATE_CHANGED, PARTY_SEATED, WAITLIST_CHANGED},
    "visit_closed": {TABLE_STATE_CHANGED, VISIT_CLOSED},
    **{
        f"{WAITLIST_KIND_PREFIX}{change}": {WAITLIST_CHANGED}
        for change in ("added", "notified", "seated", "cancelled", "no_show")
    },
}


def _enqueue_webhooks(restaurant_id: int, kind: str, data: dict) -> None:
    endpoints = subscribed_endpoints(restaurant_id=restaurant_id)
    wanted = wanted_event_types(endpoints) & WEBHOOK_KINDS[kind]
    if not wanted:
        return
    for event_type, payload in _public_events(kind, data, wanted):
        outbox_enqueue(restaurant_id=restaurant_id, event_type=event_type, data=payload, endpoints=endpoints)


def _public_events(kind: str, data: dict, wanted: set[str]) -> list[tuple[str, dict]]:
    """(event type, payload) pairs for one announcement, limited to the `wanted` types."""
    events = []
    if kind == "table_state":
        if TABLE_STATE_CHANGED in wanted:
            events.append((TABLE_STATE_CHANGED, _table_state(data, data["from_state"], data["state"], data["source"])))
        if VISIT_CLOSED in wanted:
            events += [(VISIT_CLOSED, _visit(visit, data["source"])) for visit in _visits(data["closed_visit_ids"])]
    elif kind in ("table_seated", "visit_closed"):
        change = TableStateChange.objects.filter(table_id=data["table_id"]).order_by("-id").first()
        source = change.source if change else ""
        if TABLE_STATE_CHANGED in wanted and change and change.from_state != change.to_state:
            events.append((TABLE_STATE_CHANGED, _table_state(data, change.from_state, change.to_state, source)))
        visit_type = PARTY_SEATED if kind == "table_seated" else VISIT_CLOSED
        if visit_type in wanted:
            events += [(visit_type, _visit(visit, source)) for visit in _visits([data["visit_id"]])]
        if WAITLIST_CHANGED in wanted and kind == "table_seated" and data.get("waitlist_entry_id"):
            entry = WaitlistEntry.objects.filter(pk=data["waitlist_entry_id"]).first()
            if entry is not None:
                events.append((WAITLIST_CHANGED, _waitlist(_entry_data(entry), "seated")))
    elif WAITLIST_CHANGED in wanted:
        events.append((WAITLIST_CHANGED, _waitlist(data, kind.removeprefix(WAITLIST_KIND_PREFIX))))
    return events


def _table_state(data: dict, from_state: str, state: str, source: str) -> dict:
    return {
        "table_id": data["table_id"],
        "table_ids": data["table_ids"],
        "table_label": data["label"],
        "from_state": from_state,
        "state": state,
        "source": source,
    }


def _visits(ids: list[int]) -> list[Visit]:
    if not ids:
        return []
    return list(Visit.objects.filter(pk__in=ids).select_related("table").prefetch_related("joined_tables"))


def _visit(visit: Visit, source: str) -> dict:
    tables = [visit.table, *sorted(visit.joined_tables.all(), key=lambda t: t.pk)]
    return {
        "visit_id": visit.pk,
        "check_id": visit.pos_check_id or None,
        "table_id": visit.table_id,
        "table_ids": [t.pk for t in tables],
        "table_label": "+".join(t.label for t in tables),
        "server_id": visit.server_id,
        "party_size": visit.party_size,
        "waitlist_entry_id": visit.waitlist_entry_id,
        "seated_at": _iso(visit.seated_at),
        "closed_at": _iso(visit.closed_at),
        "subtotal": str(visit.subtotal),
        "tax": str(visit.tax),
        "tip": str(visit.tip),
        "discount": str(visit.discount),
        "source": source,
    }


def _entry_data(entry: WaitlistEntry) -> dict:
    """A waitlist entry as the waitlist services announce it."""
    return {
        "waitlist_entry_id": entry.pk,
        "party_name": entry.party_name,
        "party_size": entry.party_size,
        "status": entry.status,
        "quoted_wait_minutes": entry.quoted_wait_minutes,
    }


def _waitlist(data: dict, change: str) -> dict:
    return {"change": change, **{key: data.get(key) for key in WAITLIST_FIELDS}}


def _iso(at) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None
