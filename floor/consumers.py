"""The floor dashboard's live channel: `ws/floor/<restaurant_id>/`.

A connection is accepted only for a logged-in member of that restaurant (the session cookie, through
Channels' AuthMiddlewareStack); anyone else is refused at the handshake. An accepted connection joins the
group `floor.<restaurant_id>` that `floor.events.floor_changed` announces to, and passes each change on as
a small message; the page then refetches `GET /api/v1/restaurants/<id>/floor`."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from floor.events import floor_group
from restaurant.selectors import restaurants_for


@database_sync_to_async
def _may_watch(user, restaurant_id: int) -> bool:
    return bool(user and user.is_authenticated) and restaurants_for(user).filter(pk=restaurant_id).exists()


class FloorConsumer(AsyncJsonWebsocketConsumer):
    """Pushes "something changed on this floor" to the open dashboards of one restaurant."""

    group: str | None = None

    async def connect(self):
        restaurant_id = self.scope["url_route"]["kwargs"]["restaurant_id"]
        if not await _may_watch(self.scope.get("user"), restaurant_id):
            await self.close()  # before accept(): the handshake itself is refused (HTTP 403)
            return
        self.group = floor_group(restaurant_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def floor_changed(self, event):
        """Handler of `floor.changed` group messages (see floor.events)."""
        await self.send_json({"type": "floor.changed", "kind": event.get("kind"), "data": event.get("data", {})})
