from floor.api import views
from restaurant.api.routers import RESTAURANT_PREFIX, make_router

router = make_router()
router.register(f"{RESTAURANT_PREFIX}/sections", views.SectionViewSet, basename="section")
router.register(f"{RESTAURANT_PREFIX}/tables", views.TableViewSet, basename="table")
router.register(f"{RESTAURANT_PREFIX}/menu-items", views.MenuItemViewSet, basename="menu-item")

urlpatterns = router.urls
