from django.urls import path

from restaurant.api.pos import PosEventsView
from restaurant.api.routers import make_router
from restaurant.api.views import RestaurantViewSet

router = make_router()
router.register("restaurants", RestaurantViewSet, basename="restaurant")

urlpatterns = [*router.urls, path("pos/events", PosEventsView.as_view(), name="pos-events")]
