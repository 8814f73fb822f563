"""WebSocket routes. Apps add theirs here as they gain live views."""

from floor.routing import websocket_urlpatterns as floor_websockets

websocket_urlpatterns: list = [*floor_websockets]
