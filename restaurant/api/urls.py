from restaurant.api.routers import make_router
from restaurant.api.views import RestaurantViewSet

router = make_router()
router.register("restaurants", RestaurantViewSet, basename="restaurant")

urlpatterns = router.urls
