from django.urls import path

from restaurant.api.pos import PosEventsView
from restaurant.api.routers import RESTAURANT_PREFIX, make_router
from restaurant.api.views import RestaurantViewSet
from restaurant.api.webhook_views import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = make_router()
router.register("restaurants", RestaurantViewSet, basename="restaurant")
router.register(f"{RESTAURANT_PREFIX}/webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register(f"{RESTAURANT_PREFIX}/webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [*router.urls, path("pos/events", PosEventsView.as_view(), name="pos-events")]
