"""Live-update hook: tells open floor dashboards that something changed.

Every service that changes the floor calls `floor_changed(...)` inside its transaction. The message
goes out only once that transaction commits (a rolled-back seating tells nobody anything) to the
Channels group `floor.<restaurant_id>`, through the configured channel layer: Redis when REDIS_URL is
set, in-memory otherwise. A consumer in that group receives
`{"type": "floor.changed", "restaurant_id": ..., "kind": ..., "data": {...}}`, i.e. its
`floor_changed` handler is called.

Delivery is best effort: a channel-layer failure is logged and never undoes or breaks the change; the
dashboard also refreshes on reconnect, so a lost message costs at most one stale view."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "floor.changed"


def floor_group(restaurant_id: int) -> str:
    """The Channels group a restaurant's floor dashboards join."""
    return f"floor.{restaurant_id}"


def floor_changed(restaurant_id: int, kind: str, data: dict | None = None) -> None:
    """Announce a floor change (`kind` such as "table_state" or "table_seated") once the transaction commits."""
    message = {"type": MESSAGE_TYPE, "restaurant_id": restaurant_id, "kind": kind, "data": data or {}}
    transaction.on_commit(lambda: _send(floor_group(restaurant_id), message))


def _send(group: str, message: dict) -> None:
    try:
        layer = get_channel_layer()
        if layer is None:  # no CHANNEL_LAYERS configured: nobody can be listening
            return
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        # Best effort by design: the floor change is committed; a dashboard missing one push is stale, not wrong.
        logger.exception("could not announce %s to %s", message.get("kind"), group)
