"""WebSocket routes of the floor: the dashboard's live channel."""

from django.urls import path

from floor.consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/floor/<int:restaurant_id>/", FloorConsumer.as_asgi()),
]
