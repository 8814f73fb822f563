"""WebSocket routes. Apps add theirs here as they gain live views."""

websocket_urlpatterns: list = []
